// Projections run once per tenant (Dolittle 6 §2.6, §2.9): with a tenants.json of two tenants, one registration
// projects each tenant's event log into that tenant's read models only. A read model written for one tenant is never
// visible through another (get gives the initial state, getAll does not list it), deleting in one tenant leaves the
// other alone, and the head sees each event with its own tenant's execution context.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TenantId } from '@dolittle/sdk.execution';
import {
  type DeleteReadModelInstance,
  FailedToGetProjection,
  on,
  type ProjectionContext,
  ProjectionResult,
  projection,
} from '@dolittle/sdk.projections';
import type { SdkClient } from '../sdk';
import { developmentTenantId, newId } from '../support/checks';
import { eventually } from '../support/eventually';
import { DishPrepared } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';
import { dish, initialStateOf, KitchenLog, readAll, readOne, removed } from './kitchen-log';
import { DishCounter, DishRemoved, KitchenActivity, MenuItem, menuId } from './kitchen-projections';

const tenantA = 'a6c3b1d2-0e4f-4a5b-9c8d-7e6f5a4b3c2d';
const tenantB = 'b7d4c2e3-1f50-4b6c-8d9e-8f7a6b5c4d3e';

/** MenuItem with another initial state: every dish starts at 100. */
@projection(menuId)
class MenuItemFromHundred {
  dish = '';
  timesPrepared = 100;
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

describeOnEveryStore(
  'projections: every tenant has its own read models',
  (suite) => {
    const log = new KitchenLog();
    let head: SdkClient;
    const store = (tenant: string) => head.client.projections.forTenant(TenantId.from(tenant));
    const projected = (what: string) =>
      eventually(
        async () => {
          for (const tenant of [tenantA, tenantB]) {
            assert.deepEqual(
              await readAll(store(tenant), DishCounter),
              log.dishCounters(tenant),
              `DishCounter ${tenant}`,
            );
            assert.deepEqual(
              await readAll(store(tenant), KitchenActivity),
              log.kitchenActivities(tenant),
              `KitchenActivity ${tenant}`,
            );
            assert.deepEqual(await readAll(store(tenant), MenuItem), log.menu(tenant), `MenuItem ${tenant}`);
          }
        },
        { what },
      );

    before(() => {
      head = suite.connect((builder) =>
        builder
          .withEventTypes((eventTypes) => eventTypes.register(DishRemoved))
          .withProjections((projections) =>
            projections.register(DishCounter).register(KitchenActivity).register(MenuItem),
          ),
      );
    });

    test('each tenant’s events are projected into that tenant’s read models, with that tenant’s execution context', async () => {
      const sharedKitchen = newId();
      await log.commit(
        head.client,
        tenantA,
        [dish('Taco'), dish('Taco'), dish('Burrito'), dish('Taco')],
        sharedKitchen,
      );
      await log.commit(head.client, tenantB, [dish('Taco'), dish('Quesadilla'), dish('Quesadilla')], sharedKitchen);
      await log.commit(head.client, tenantB, [dish('Nachos')]);
      await projected('two tenants');
      assert.equal((await readOne(store(tenantA), DishCounter, 'Taco')).state.numberOfTimesPrepared, 3);
      assert.equal((await readOne(store(tenantB), DishCounter, 'Taco')).state.numberOfTimesPrepared, 1);
      assert.equal((await readOne(store(tenantA), DishCounter, 'Taco')).state.tenant, tenantA);
      assert.equal((await readOne(store(tenantB), DishCounter, 'Taco')).state.tenant, tenantB);
      // One event source in both tenants: two read models, one per tenant.
      assert.deepEqual((await readOne(store(tenantA), KitchenActivity, sharedKitchen)).state.dishes, [
        'Taco',
        'Taco',
        'Burrito',
        'Taco',
      ]);
      assert.deepEqual((await readOne(store(tenantB), KitchenActivity, sharedKitchen)).state.dishes, [
        'Taco',
        'Quesadilla',
        'Quesadilla',
      ]);
    });

    test('a read model of one tenant is not visible through the other: get gives the initial state, getAll does not list it', async () => {
      assert.deepEqual(
        await readOne(store(tenantA), DishCounter, 'Quesadilla'),
        initialStateOf(DishCounter, 'Quesadilla'),
      );
      assert.deepEqual(await readOne(store(tenantA), DishCounter, 'Nachos'), initialStateOf(DishCounter, 'Nachos'));
      assert.deepEqual(await readOne(store(tenantB), DishCounter, 'Burrito'), initialStateOf(DishCounter, 'Burrito'));
      assert.deepEqual(Object.keys(await readAll(store(tenantA), DishCounter)).sort(), ['Burrito', 'Taco']);
      assert.deepEqual(Object.keys(await readAll(store(tenantB), DishCounter)).sort(), [
        'Nachos',
        'Quesadilla',
        'Taco',
      ]);
    });

    test('deleting a read model in one tenant leaves the other tenant’s read model of the same key', async () => {
      await log.commit(head.client, tenantA, [removed('Taco')]);
      await log.commit(head.client, tenantB, [dish('Burrito')]);
      await projected('Taco removed in tenant A only');
      assert.equal((await readOne(store(tenantA), MenuItem, 'Taco')).type, 'initial');
      assert.deepEqual((await readOne(store(tenantB), MenuItem, 'Taco')).state, {
        dish: 'Taco',
        timesPrepared: 1,
        fromInitialState: 1,
      });
      assert.equal((await readOne(store(tenantB), DishCounter, 'Burrito')).state.numberOfTimesPrepared, 1);
      assert.equal((await readOne(store(tenantA), DishCounter, 'Burrito')).state.numberOfTimesPrepared, 1);
    });

    test('the development tenant, not in tenants.json, is refused by get and getAll', async () => {
      await assert.rejects(store(developmentTenantId).get(DishCounter, 'Taco'), FailedToGetProjection);
      await assert.rejects(store(developmentTenantId).getAll(DishCounter), FailedToGetProjection);
    });

    test('a changed definition rebuilds the read models of every tenant, each from its own log', async () => {
      head.close();
      head = suite.connect((builder) =>
        builder
          .withEventTypes((eventTypes) => eventTypes.register(DishRemoved))
          .withProjections((projections) => projections.register(MenuItemFromHundred)),
      );
      const fromHundred = (tenant: string) =>
        Object.fromEntries(
          Object.entries(log.menu(tenant)).map(([key, item]) => [
            key,
            { ...item, timesPrepared: (item.timesPrepared as number) + 100 },
          ]),
        );
      await eventually(
        async () => {
          for (const tenant of [tenantA, tenantB]) {
            assert.deepEqual(await readAll(store(tenant), MenuItemFromHundred), fromHundred(tenant), tenant);
          }
        },
        { what: 'both tenants rebuilt' },
      );
    });
  },
  { tenants: [tenantA, tenantB] },
);
