// What happens when projecting fails. A projection `@on` method that throws makes the SDK answer a failure with
// `retry: true` and `retryTimeout` 5 s (§7); Dolittle 6 halts such a projection for good, this Runtime retries it
// after the head's retry timeout. An unpartitioned projection stops at the failing event: everything before it is
// kept, nothing after it is applied until the retry succeeds, and the failed attempt changes nothing. An event without
// the property a projection keys on cannot be projected by retrying (Dolittle 6's `CouldNotGetProjectionKey`): the
// projection parks with a failure the Runtime logs, naming the event, the property and the projection, while other
// projections go on; a changed definition rebuilds it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventType } from '@dolittle/sdk.artifacts';
import { EventSourceId } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { on, type ProjectionContext, projection } from '@dolittle/sdk.projections';
import type { SdkClient } from '../sdk';
import { developmentTenantId, newId } from '../support/checks';
import { eventually } from '../support/eventually';
import { DishPrepared } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';
import { dish, KitchenLog, readAll, readOne } from './kitchen-log';
import { DishCounter } from './kitchen-projections';

const flakyCounterId = 'e83c6b5b-5437-4c2f-ba38-c1870204586f';
const tableOrdersId = 'eac5d938-a407-48f8-a416-1409c9a58734';
const orderPlacedTypeId = '9a0a1b14-4013-4d7b-9c45-c768122518a3';

/** Every call of FlakyCounter's `@on` method for the dish 'Flaky', and whether it threw. */
const flakyAttempts: { at: number; threw: boolean }[] = [];
/** How many more calls for 'Flaky' throw. */
let flakyFailuresLeft = 0;

@projection(flakyCounterId)
class FlakyCounter {
  count = 0;
  lastSequenceNumber = -1;

  @on(DishPrepared, (_) => _.keyFromProperty('Dish'))
  onDishPrepared(event: DishPrepared, context: ProjectionContext): void {
    if (event.Dish === 'Flaky') {
      const threw = flakyFailuresLeft > 0;
      flakyAttempts.push({ at: Date.now(), threw });
      if (threw) {
        flakyFailuresLeft--;
        throw new Error('the kitchen is on fire');
      }
    }
    this.count++;
    this.lastSequenceNumber = context.eventContext.sequenceNumber;
  }
}

@eventType(orderPlacedTypeId)
class OrderPlaced {
  constructor(
    readonly Table: string,
    readonly Dish: string,
  ) {}
}

/** Orders per table: keyed by the `Table` property, which one of the events lacks. */
@projection(tableOrdersId)
class TableOrders {
  dishes: string[] = [];

  @on(OrderPlaced, (_) => _.keyFromProperty('Table'))
  onOrderPlaced(event: OrderPlaced): void {
    this.dishes.push(event.Dish);
  }
}

/** TableOrders' changed definition: keyed by `Dish`, which every event has. */
@projection(tableOrdersId)
class TableOrdersByDish {
  dishes: string[] = [];

  @on(OrderPlaced, (_) => _.keyFromProperty('Dish'))
  onOrderPlaced(event: OrderPlaced): void {
    this.dishes.push(event.Dish);
  }
}

describeOnEveryStore(
  'projections that fail',
  (suite) => {
    const tenant = developmentTenantId;
    const log = new KitchenLog();
    let head: SdkClient;
    const store = () => head.client.projections.forTenant(TenantId.from(tenant));

    before(() => {
      flakyAttempts.length = 0;
      flakyFailuresLeft = 0;
      head = suite.connect((builder) =>
        builder
          .withEventTypes((eventTypes) => eventTypes.register(OrderPlaced))
          .withProjections((projections) =>
            projections.register(FlakyCounter).register(TableOrders).register(DishCounter),
          ),
      );
    });

    test('a throwing @on is retried after the head’s retry timeout; nothing after the failing event is applied before, and nothing twice', async () => {
      const [before] = await log.commit(head.client, tenant, [dish('Before')]);
      await eventually(async () => assert.equal((await readOne(store(), FlakyCounter, 'Before')).state.count, 1));

      flakyFailuresLeft = 1;
      const committed = await log.commit(head.client, tenant, [dish('Flaky'), dish('After'), dish('Before')]);
      await eventually(() => assert.ok(flakyAttempts.length >= 1, 'the Runtime has not sent the Flaky event yet'));
      const failedAt = flakyAttempts[0]!.at;
      // Until the retry: the failing event and everything after it are not applied.
      await sleep(2_000);
      assert.equal(flakyAttempts.length, 1, `retried within 2 s: ${JSON.stringify(flakyAttempts)}`);
      assert.deepEqual(await readAll(store(), FlakyCounter), {
        Before: { count: 1, lastSequenceNumber: before!.sequenceNumber },
      });

      await eventually(
        async () =>
          assert.deepEqual(await readAll(store(), FlakyCounter), {
            Before: { count: 2, lastSequenceNumber: committed[2]!.sequenceNumber },
            Flaky: { count: 1, lastSequenceNumber: committed[0]!.sequenceNumber },
            After: { count: 1, lastSequenceNumber: committed[1]!.sequenceNumber },
          }),
        { what: 'the retried projection', timeoutMs: 20_000 },
      );
      const retriedAfter = flakyAttempts[1]!.at - failedAt;
      assert.deepEqual(
        flakyAttempts.map((attempt) => attempt.threw),
        [true, false],
      );
      // The SDK asks for 5 s (retryTimeout of the first failure); allow for timer granularity.
      assert.ok(retriedAfter >= 4_500, `retried ${retriedAfter} ms after the failure, before the head's 5 s`);
      assert.ok(retriedAfter <= 12_000, `retried only ${retriedAfter} ms after the failure`);
      // DishCounter, another projection, never waited for FlakyCounter.
      assert.deepEqual(await readAll(store(), DishCounter), log.dishCounters(tenant));
    });

    test('an event without the key property parks the projection with a logged failure naming event, property and projection; other projections go on', async (t) => {
      const events = head.client.eventStore.forTenant(TenantId.from(tenant));
      const source = EventSourceId.from(newId());
      const first = await events.commit(new OrderPlaced('7', 'Taco'), source);
      // Committed by event type id, without the Table property.
      const keyless = await events.commit({ Dish: 'Burrito' }, source, orderPlacedTypeId);
      const third = await events.commit(new OrderPlaced('8', 'Nachos'), source);
      for (const result of [first, keyless, third]) assert.equal(result.failed, false, result.failure?.reason.value);
      const keylessSequenceNumber = keyless.events.toArray()[0]!.eventLogSequenceNumber.value;

      await eventually(async () =>
        assert.deepEqual(await readAll(store(), TableOrders), { '7': { dishes: ['Taco'] } }),
      );
      const failure = await eventually(
        () => {
          const line = suite.runtime
            .stderr()
            .split('\n')
            .find(
              (l) =>
                l.includes(tableOrdersId) &&
                l.includes('Table') &&
                new RegExp(`\\b${keylessSequenceNumber}\\b`).test(l),
            );
          assert.ok(
            line,
            `no Runtime log line names projection ${tableOrdersId}, property Table and event ${keylessSequenceNumber}`,
          );
          return line;
        },
        { what: 'the logged failure' },
      );
      t.diagnostic(`the Runtime logged: ${failure}`);

      // Parked: the event after it is not projected, also not after the 5 s a head's retry would take.
      await log.commit(head.client, tenant, [dish('Taco'), dish('Taco')]);
      await eventually(async () => assert.deepEqual(await readAll(store(), DishCounter), log.dishCounters(tenant)), {
        what: 'DishCounter going on while TableOrders is parked',
      });
      await sleep(5_500);
      assert.deepEqual(await readAll(store(), TableOrders), { '7': { dishes: ['Taco'] } });

      // Still parked after a restart: the event is neither skipped nor forgotten.
      head.close();
      await suite.runtime.restart();
      head = suite.connect((builder) =>
        builder
          .withEventTypes((eventTypes) => eventTypes.register(OrderPlaced))
          .withProjections((projections) => projections.register(TableOrders).register(DishCounter)),
      );
      await log.commit(head.client, tenant, [dish('Churros')]);
      await eventually(async () => assert.deepEqual(await readAll(store(), DishCounter), log.dishCounters(tenant)), {
        what: 'DishCounter after the restart',
        timeoutMs: 30_000,
      });
      assert.deepEqual(await readAll(store(), TableOrders), { '7': { dishes: ['Taco'] } });

      // A changed definition (keyed by Dish) rebuilds it from the whole log.
      head.close();
      head = suite.connect((builder) =>
        builder
          .withEventTypes((eventTypes) => eventTypes.register(OrderPlaced))
          .withProjections((projections) => projections.register(TableOrdersByDish).register(DishCounter)),
      );
      await eventually(
        async () =>
          assert.deepEqual(await readAll(store(), TableOrdersByDish), {
            Taco: { dishes: ['Taco'] },
            Burrito: { dishes: ['Burrito'] },
            Nachos: { dishes: ['Nachos'] },
          }),
        { what: 'TableOrders rebuilt by Dish', timeoutMs: 20_000 },
      );
    });
  },
  { timeoutMs: 90_000 },
);
