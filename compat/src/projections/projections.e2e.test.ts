// Projections as the official SDK 17 uses them (Dolittle 6 §2.6, projections tutorial §4.3): the tutorial's
// DishCounter keyed by the `Dish` property, a read model per event source (`keyFromEventSource()`), and a menu whose
// items `ProjectionResult.delete` removes, all read through `client.projections.forTenant(t).get/getAll`.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { eventType } from '@dolittle/sdk.artifacts';
import { EventSourceId } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { on, type ProjectionContext, projection } from '@dolittle/sdk.projections';
import type { SdkClient } from '../sdk';
import { developmentTenantId, newId } from '../support/checks';
import { eventually } from '../support/eventually';
import { describeOnEveryStore } from '../support/runtime-suite';
import { chefHired, dish, initialStateOf, KitchenLog, readAll, readOne, removed } from './kitchen-log';
import {
  AllDishes,
  DishCounter,
  DishRemoved,
  KitchenActivity,
  MenuItem,
  unspecifiedPartitionKey,
} from './kitchen-projections';

const guestArrivedTypeId = '95343f9c-30b1-41eb-ac7d-49cbb183ee5c';
const guestBookId = 'e44b54e4-ce7d-4061-bd27-36671f472815';
const tableOrderedTypeId = 'cf5bc639-3a0e-4209-b615-ed265e06ea4a';
const tableTabId = 'b49caefb-2b79-45ab-9bd4-fc81856ab695';

@eventType(guestArrivedTypeId)
class GuestArrived {
  constructor(readonly Guest: string) {}
}

/** Visits per guest: only the NUL-character test commits GuestArrived. */
@projection(guestBookId)
class GuestBook {
  visits = 0;

  @on(GuestArrived, (_) => _.keyFromProperty('Guest'))
  onGuestArrived(): void {
    this.visits++;
  }
}

/** An order for a table, whose `Table` may be any JSON value. */
@eventType(tableOrderedTypeId)
class TableOrdered {
  constructor(
    readonly Table: unknown,
    readonly Dish: string,
  ) {}
}

/** The orders per table: keyed by the `Table` property, whatever JSON value it holds. */
@projection(tableTabId)
class TableTab {
  dishes: string[] = [];
  key = '';

  @on(TableOrdered, (_) => _.keyFromProperty('Table'))
  onTableOrdered(event: TableOrdered, context: ProjectionContext): void {
    this.dishes.push(event.Dish);
    this.key = context.key.value;
  }
}

describeOnEveryStore('projections keyed by property and by event source, and deleted read models', (suite) => {
  const tenant = developmentTenantId;
  const log = new KitchenLog();
  let head: SdkClient;
  const store = () => head.client.projections.forTenant(TenantId.from(tenant));

  /** Waits until all three projections hold exactly the read models the log implies. */
  const allProjected = (what: string) =>
    eventually(
      async () => {
        assert.deepEqual(await readAll(store(), DishCounter), log.dishCounters(tenant), 'DishCounter');
        assert.deepEqual(await readAll(store(), KitchenActivity), log.kitchenActivities(tenant), 'KitchenActivity');
        assert.deepEqual(await readAll(store(), MenuItem), log.menu(tenant), 'MenuItem');
        assert.deepEqual(await readAll(store(), AllDishes), log.allDishes(tenant), 'AllDishes');
      },
      { what },
    );

  before(() => {
    head = suite.connect((builder) =>
      builder
        .withEventTypes((eventTypes) => {
          eventTypes.register(DishRemoved);
          eventTypes.register(TableOrdered);
          eventTypes.register(GuestArrived);
        })
        .withProjections((projections) =>
          projections
            .register(DishCounter)
            .register(KitchenActivity)
            .register(MenuItem)
            .register(AllDishes)
            .register(TableTab)
            .register(GuestBook),
        ),
    );
  });

  test('DishCounter counts every prepared dish by its Dish property (get and getAll)', async () => {
    await log.commit(head.client, tenant, [dish('Bean Blaster Taco')]);
    await log.commit(head.client, tenant, [
      dish('Bean Blaster Taco', 'Mrs. Tex Mex'),
      dish('Avocado Artillery Tortilla'),
    ]);
    await log.commit(head.client, tenant, [
      dish('Chili Canon Wrap'),
      dish('Bean Blaster Taco'),
      dish('Crème brûlée 🍮', 'Mme. Étoile'),
      dish('Chef\'s "special" \\ of the day'),
      dish('Avocado Artillery Tortilla'),
    ]);
    await allProjected('the first commits');

    const taco = await readOne(store(), DishCounter, 'Bean Blaster Taco');
    assert.deepEqual(taco, {
      type: 'persisted',
      key: 'Bean Blaster Taco',
      state: log.dishCounters(tenant)['Bean Blaster Taco'],
    });
    assert.equal(taco.state.numberOfTimesPrepared, 3);
    const brulee = await readOne(store(), DishCounter, 'Crème brûlée 🍮');
    assert.equal(brulee.type, 'persisted');
    assert.equal(brulee.state.numberOfTimesPrepared, 1);
  });

  test('a key never projected gives the initial state as CREATED_FROM_INITIAL_STATE and is not in getAll', async () => {
    for (const key of ['Never prepared', 'bean blaster taco', '', ' Bean Blaster Taco']) {
      assert.deepEqual(await readOne(store(), DishCounter, key), initialStateOf(DishCounter, key), `key '${key}'`);
    }
    const unknownSource = newId();
    assert.deepEqual(
      await readOne(store(), KitchenActivity, unknownSource),
      initialStateOf(KitchenActivity, unknownSource),
    );
    assert.deepEqual(await readOne(store(), MenuItem, 'Never prepared'), initialStateOf(MenuItem, 'Never prepared'));
    const all = await readAll(store(), DishCounter);
    assert.ok(!('Never prepared' in all));
    assert.deepEqual(all, log.dishCounters(tenant));
  });

  test('more commits go on from the persisted read models (the initial state is used once per key)', async () => {
    await log.commitDishes(
      head.client,
      tenant,
      Array.from({ length: 60 }, (_, n) =>
        dish(['Bean Blaster Taco', 'Chili Canon Wrap', 'Nacho Nebula'][n % 3]!, n % 2 ? 'Mr. Taco' : 'Mrs. Tex Mex'),
      ),
      25,
    );
    await allProjected('60 more dishes');
    const counters = await readAll(store(), DishCounter);
    assert.equal(counters['Bean Blaster Taco']?.numberOfTimesPrepared, 23);
    assert.equal(counters['Nacho Nebula']?.numberOfTimesPrepared, 20);
  });

  test('keyFromEventSource(): one read model per event source, also for a generation-2 event type', async () => {
    const kitchen = newId();
    const otherKitchen = newId();
    await log.commit(head.client, tenant, [dish('Taco'), chefHired('Mr. Taco'), dish('Burrito')], kitchen);
    await log.commit(head.client, tenant, [dish('Quesadilla')], otherKitchen);
    await log.commit(head.client, tenant, [chefHired('Mrs. Tex Mex'), dish('Taco')], kitchen);
    await allProjected('two kitchens');

    const activity = await readOne(store(), KitchenActivity, kitchen);
    assert.equal(activity.type, 'persisted');
    assert.equal(activity.key, kitchen);
    assert.deepEqual(activity.state.dishes, ['Taco', 'Burrito', 'Taco']);
    assert.deepEqual(activity.state.chefsHired, ['Mr. Taco', 'Mrs. Tex Mex']);
    assert.equal(activity.state.eventSource, kitchen);
    assert.equal(activity.state.fromInitialState, 1);
    // The key is the event source id in its lowercase string form: another spelling is another key.
    assert.equal((await readOne(store(), KitchenActivity, kitchen.toUpperCase())).type, 'initial');
    assert.deepEqual((await readOne(store(), KitchenActivity, otherKitchen)).state.dishes, ['Quesadilla']);
  });

  test('ProjectionResult.delete removes the read model: get gives the initial state, getAll no longer lists it', async () => {
    await log.commit(head.client, tenant, [dish('Soggy Nachos'), dish('Soggy Nachos'), dish('Lime Lemonade')]);
    await allProjected('the nachos are on the menu');
    assert.equal((await readOne(store(), MenuItem, 'Soggy Nachos')).state.timesPrepared, 2);

    await log.commit(head.client, tenant, [removed('Soggy Nachos')]);
    await allProjected('the nachos are off the menu');
    assert.deepEqual(await readOne(store(), MenuItem, 'Soggy Nachos'), initialStateOf(MenuItem, 'Soggy Nachos'));
    assert.ok(!('Soggy Nachos' in (await readAll(store(), MenuItem))));
    assert.equal((await readOne(store(), MenuItem, 'Lime Lemonade')).type, 'persisted');
    // DishCounter does not select DishRemoved: its read model stays.
    assert.equal((await readOne(store(), DishCounter, 'Soggy Nachos')).state.numberOfTimesPrepared, 2);
  });

  test('a deleted read model starts again from the initial state; deleting a key that has none is harmless', async () => {
    await log.commit(head.client, tenant, [removed('Ghost Pepper Soup'), dish('Soggy Nachos', 'Mrs. Tex Mex')]);
    await allProjected('the nachos are back');
    assert.deepEqual(await readOne(store(), MenuItem, 'Soggy Nachos'), {
      type: 'persisted',
      key: 'Soggy Nachos',
      state: { dish: 'Soggy Nachos', timesPrepared: 1, fromInitialState: 1 },
    });
    assert.equal((await readOne(store(), MenuItem, 'Ghost Pepper Soup')).type, 'initial');

    // Prepared, removed and prepared again within one commit (one batch for the Runtime).
    await log.commit(head.client, tenant, [
      dish('Churro Cannon'),
      dish('Churro Cannon'),
      removed('Churro Cannon'),
      dish('Churro Cannon'),
      removed('Lime Lemonade'),
    ]);
    await allProjected('churros prepared, removed and prepared again in one commit');
    assert.equal((await readOne(store(), MenuItem, 'Churro Cannon')).state.timesPrepared, 1);
    assert.equal((await readOne(store(), MenuItem, 'Lime Lemonade')).type, 'initial');
    assert.equal((await readOne(store(), DishCounter, 'Churro Cannon')).state.numberOfTimesPrepared, 3);
  });

  test('long keys: 3000 characters, 6000 bytes of emoji', async () => {
    const long = 'Taco '.repeat(600);
    const emoji = '🌮'.repeat(1500);
    await log.commit(head.client, tenant, [dish(long), dish(emoji), dish(long)]);
    await allProjected('long keys');
    assert.equal((await readOne(store(), DishCounter, long)).state.numberOfTimesPrepared, 2);
    assert.equal((await readOne(store(), DishCounter, emoji)).state.numberOfTimesPrepared, 1);
  });

  test('a key with a NUL character (valid JSON "\\u0000", accepted in the event log) is a key like any other', async () => {
    const nul = 'Nul\u0000Guest';
    const result = await head.client.eventStore.forTenant(TenantId.from(tenant)).commit([
      { content: new GuestArrived(nul), eventSourceId: EventSourceId.from(newId()) },
      { content: new GuestArrived('Ann'), eventSourceId: EventSourceId.from(newId()) },
      { content: new GuestArrived(nul), eventSourceId: EventSourceId.from(newId()) },
    ]);
    assert.equal(result.failed, false, result.failure?.reason.value);
    await eventually(
      async () => assert.deepEqual(await readAll(store(), GuestBook), { [nul]: { visits: 2 }, Ann: { visits: 1 } }),
      {
        what: 'GuestBook',
        timeoutMs: 10_000,
      },
    );
    assert.deepEqual(await readOne(store(), GuestBook, nul), { type: 'persisted', key: nul, state: { visits: 2 } });
  });

  test('keyFromPartitionId(): every event in one read model, keyed by the unspecified partition', async () => {
    await allProjected('all dishes');
    const all = await readOne(store(), AllDishes, unspecifiedPartitionKey);
    assert.equal(all.type, 'persisted');
    assert.equal(all.state.count, log.of(tenant).filter((entry) => entry.kind === 'dish').length);
    assert.equal(all.state.key, unspecifiedPartitionKey);
  });

  const orderTables = async (orders: readonly (readonly [unknown, string])[]) => {
    const result = await head.client.eventStore.forTenant(TenantId.from(tenant)).commit(
      orders.map(([table, dishName]) => ({
        content: new TableOrdered(table, dishName),
        eventSourceId: EventSourceId.from(newId()),
      })),
    );
    assert.equal(result.failed, false, result.failure?.reason.value);
  };
  const tabs = async () =>
    Object.fromEntries(Object.entries(await readAll(store(), TableTab)).map(([key, tab]) => [key, tab.dishes]));

  test('keyFromProperty on a number or an empty string: the value as text', async () => {
    await orderTables([
      [7, 'Taco'],
      ['7', 'Burrito'],
      [12.5, 'Nachos'],
      ['', 'Water'],
    ]);
    await eventually(async () =>
      assert.deepEqual(await tabs(), { '7': ['Taco', 'Burrito'], '12.5': ['Nachos'], '': ['Water'] }),
    );
    assert.equal((await readOne(store(), TableTab, '')).type, 'persisted');
  });

  test('keyFromProperty on true or null gives Dolittle 6’s key: JToken.ToString() ("True", "")', async () => {
    // RT6.1 ProjectionKeyPropertyExtractor: `jsonObject[property]` is a JValue for true and for null (only a missing
    // property is null there), and JValue.ToString() is "True" and "" for them.
    await orderTables([
      [true, 'Churros'],
      [null, 'Flan'],
      [7, 'Quesadilla'],
    ]);
    await eventually(async () =>
      assert.deepEqual(await tabs(), {
        '7': ['Taco', 'Burrito', 'Quesadilla'],
        '12.5': ['Nachos'],
        '': ['Water', 'Flan'],
        True: ['Churros'],
      }),
    );
  });
});
