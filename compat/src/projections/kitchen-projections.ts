// The projections the compat suites register, declared with the SDK's legacy decorators exactly as an SDK 17
// application does: the tutorial's DishCounter (keyed by an event property), a read model per kitchen (keyed by
// event source) and a menu whose items are deleted by an event. Each read model also records what the Runtime told
// the projection (key, tenant, sequence number, whether the state came from the initial state), so the tests can
// check the request the Runtime sent and not only the arithmetic.
import { eventType } from '@dolittle/sdk.artifacts';
import {
  type DeleteReadModelInstance,
  on,
  type ProjectionContext,
  ProjectionResult,
  projection,
} from '@dolittle/sdk.projections';
import { ChefHired, DishPrepared } from '../support/kitchen';

export const dishCounterId = '98f9db66-b6ca-4e5f-9fc3-638626c9ecfa';
export const kitchenActivityId = '90395871-e175-4b0a-b9a0-e38dda490355';
export const menuId = '886a8101-a5d7-453a-aea7-3a604bb37692';
export const dishRemovedTypeId = '80388a60-890d-4c0d-a344-1bf2b66ad690';
export const allDishesId = '9b2d7057-ff56-4e79-98d3-f88ba26dd4d5';
/** The key `keyFromPartitionId()` gives: projections read the unpartitioned event log (spec §2.6). */
export const unspecifiedPartitionKey = '00000000-0000-0000-0000-000000000000';

/** A dish taken off the menu: the menu projection deletes its read model. */
@eventType(dishRemovedTypeId)
export class DishRemoved {
  constructor(readonly Dish: string) {}
}

/** What every read model records about the request it was projected from. */
function tenantOf(context: ProjectionContext): string {
  return context.eventContext.executionContext.tenantId.value.toString();
}

/** The projections tutorial's DishCounter: how often each dish was prepared. */
@projection(dishCounterId)
export class DishCounter {
  name = 'Unknown';
  numberOfTimesPrepared = 0;
  /** `context.key` of the last event projected into this read model. */
  key = '';
  /** The tenant of the execution context of the last event. */
  tenant = '';
  lastSequenceNumber = -1;
  /** How many events arrived with a CREATED_FROM_INITIAL_STATE current state: exactly one per read model. */
  fromInitialState = 0;

  @on(DishPrepared, (_) => _.keyFromProperty('Dish'))
  onDishPrepared(event: DishPrepared, context: ProjectionContext): void {
    this.name = event.Dish;
    this.numberOfTimesPrepared++;
    this.key = context.key.value;
    this.tenant = tenantOf(context);
    this.lastSequenceNumber = context.eventContext.sequenceNumber;
    if (context.wasCreatedFromInitialState) this.fromInitialState++;
  }
}

/** Everything that happened in one kitchen (event source), in log order. */
@projection(kitchenActivityId)
export class KitchenActivity {
  key = '';
  eventSource = '';
  dishes: string[] = [];
  chefsHired: string[] = [];
  sequenceNumbers: number[] = [];
  fromInitialState = 0;

  @on(DishPrepared, (_) => _.keyFromEventSource())
  onDishPrepared(event: DishPrepared, context: ProjectionContext): void {
    this.dishes.push(event.Dish);
    this.record(context);
  }

  @on(ChefHired, (_) => _.keyFromEventSource())
  onChefHired(event: ChefHired, context: ProjectionContext): void {
    this.chefsHired.push(event.Chef);
    this.record(context);
  }

  private record(context: ProjectionContext): void {
    this.key = context.key.value;
    this.eventSource = context.eventContext.eventSourceId.value.toString();
    this.sequenceNumbers.push(context.eventContext.sequenceNumber);
    if (context.wasCreatedFromInitialState) this.fromInitialState++;
  }
}

/** The dishes on the menu: prepared dishes appear, removed ones are deleted (`ProjectionResult.delete`). */
@projection(menuId)
export class MenuItem {
  dish = '';
  timesPrepared = 0;
  fromInitialState = 0;

  @on(DishPrepared, (_) => _.keyFromProperty('Dish'))
  onDishPrepared(event: DishPrepared, context: ProjectionContext): void {
    this.dish = event.Dish;
    this.timesPrepared++;
    if (context.wasCreatedFromInitialState) this.fromInitialState++;
  }

  @on(DishRemoved, (_) => _.keyFromProperty('Dish'))
  onDishRemoved(): DeleteReadModelInstance {
    return ProjectionResult.delete;
  }
}

/** Every dish of the kitchen in one read model: `keyFromPartitionId()`, always the unspecified partition. */
@projection(allDishesId)
export class AllDishes {
  count = 0;
  key = '';
  fromInitialState = 0;

  @on(DishPrepared, (_) => _.keyFromPartitionId())
  onDishPrepared(_event: DishPrepared, context: ProjectionContext): void {
    this.count++;
    this.key = context.key.value;
    if (context.wasCreatedFromInitialState) this.fromInitialState++;
  }
}
