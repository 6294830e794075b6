// The event types and the aggregate of Dolittle's own tutorials (Kitchen / DishPrepared), declared with the SDK's
// legacy decorators exactly as an SDK 17 application does.
import { AggregateRoot, aggregateRoot, on } from '@dolittle/sdk.aggregates';
import { eventType } from '@dolittle/sdk.artifacts';

export const dishPreparedTypeId = '1844473f-d714-4327-8b7f-5b3c2bdfc26a';
export const chefHiredTypeId = '2f1e7e66-5b43-4b9f-8d1d-5f4a5d1e8c11';
export const kitchenAggregateRootId = '5a1e2f3c-7d8b-4c9a-9e0f-1b2c3d4e5f60';
export const pantryAggregateRootId = '6b2f3a4d-8e9c-4dab-8f10-2c3d4e5f6a71';

@eventType(dishPreparedTypeId)
export class DishPrepared {
  constructor(
    readonly Dish: string,
    readonly Chef: string,
  ) {}
}

/** Generation 2 of an event type, to check that generations survive the round trip. */
@eventType(chefHiredTypeId, { generation: 2 })
export class ChefHired {
  constructor(
    readonly Chef: string,
    readonly Since: string,
  ) {}
}

@aggregateRoot(kitchenAggregateRootId)
export class Kitchen extends AggregateRoot {
  /** The dishes seen while re-applying committed events (the `@on` methods run only on load). */
  readonly replayed: string[] = [];
  /** The versions the SDK counted after each replayed event. */
  readonly replayedVersions: number[] = [];

  prepareDish(dish: string, chef: string): void {
    this.apply(new DishPrepared(dish, chef));
  }

  @on(DishPrepared)
  onDishPrepared(event: DishPrepared): void {
    this.replayed.push(event.Dish);
    this.replayedVersions.push(this.version.value);
  }
}

/** A second aggregate root type, to check that (aggregate root, event source) pairs are independent. */
@aggregateRoot(pantryAggregateRootId)
export class Pantry extends AggregateRoot {}
