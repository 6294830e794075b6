// A projection's read models and position survive restarts of the Runtime on the same store, and no event is ever
// applied twice to a read model: the Runtime stores the read model changes and the position atomically, so a stop
// (SIGTERM) or a crash (SIGKILL) in the middle of catching up, or a new head registering the unchanged definition,
// never double counts. DishCounter records the sequence number of the last event it applied, so a re-applied
// event shows up as a count one too high.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TenantId } from '@dolittle/sdk.execution';
import type { SdkClient } from '../sdk';
import { developmentTenantId } from '../support/checks';
import { eventually } from '../support/eventually';
import { describeOnEveryStore } from '../support/runtime-suite';
import { dish, type KitchenEvent, KitchenLog, readAll } from './kitchen-log';
import { DishCounter, dishCounterId } from './kitchen-projections';

const menu = ['Bean Blaster Taco', 'Avocado Artillery Tortilla', 'Chili Canon Wrap', 'Nacho Nebula', 'Salsa Supernova'];
const chefs = ['Mr. Taco', 'Mrs. Tex Mex', 'Señor Burrito'];

function dishes(count: number, offset: number): KitchenEvent[] {
  return Array.from({ length: count }, (_, n) => dish(menu[(n + offset) % menu.length]!, chefs[n % chefs.length]!));
}

describeOnEveryStore(
  'projections across Runtime restarts: exactly-once read models',
  (suite) => {
    const tenant = developmentTenantId;
    const log = new KitchenLog();
    let head: SdkClient;
    const connectHead = () => suite.connect((builder) => builder.withProjections((p) => p.register(DishCounter)));
    const store = () => head.client.projections.forTenant(TenantId.from(tenant));
    const counted = (what: string) =>
      eventually(async () => assert.deepEqual(await readAll(store(), DishCounter), log.dishCounters(tenant)), {
        what,
        timeoutMs: 30_000,
      });
    /** Waits until the projection has applied more than `applied` events (polling fast); returns how many. */
    const progressBeyond = async (applied: number) =>
      eventually(
        async () => {
          const counters = await readAll(store(), DishCounter);
          const total = Object.values(counters).reduce((sum, c) => sum + (c.numberOfTimesPrepared as number), 0);
          assert.ok(total > applied, `the projection has applied ${total} events`);
          return total;
        },
        { what: 'the projection to make progress', intervalMs: 2 },
      );

    before(() => {
      head = connectHead();
    });

    test('the counts are right before any restart', async () => {
      await log.commitDishes(head.client, tenant, dishes(100, 0), 25);
      await counted('100 dishes');
    });

    test('a new head registering the unchanged definition applies no event again', async (t) => {
      head.close();
      head = connectHead();
      await log.commitDishes(head.client, tenant, dishes(7, 3));
      await counted('7 more dishes through a new head');
      t.diagnostic(
        `counts: ${JSON.stringify(Object.values(log.dishCounters(tenant)).map((c) => c.numberOfTimesPrepared))}`,
      );
    });

    test('a second head registering the same projection takes over when the first goes away; nothing is applied twice', async () => {
      // Refused while the first head is connected: the SDK retries every second.
      const second = connectHead();
      await log.commitDishes(head.client, tenant, dishes(5, 0));
      await counted('5 dishes while two heads are connected');
      head.close();
      head = second;
      await log.commitDishes(head.client, tenant, dishes(6, 2));
      await counted('6 dishes after the first head went away');
    });

    test('SIGTERM while the projection catches up, then a start on the same store: exact counts; the connected client re-registers by itself', async (t) => {
      const before = log.of(tenant).length;
      await log.commitDishes(head.client, tenant, dishes(400, 1), 50);
      const applied = await progressBeyond(before);
      t.diagnostic(`stopping with ${applied} of ${log.of(tenant).length} events applied`);
      await suite.runtime.restart();
      await counted('after SIGTERM and a start (same client)');
      await log.commitDishes(head.client, tenant, dishes(11, 2));
      await counted('11 more after the restart');
    });

    test('SIGKILL while the projection catches up, then a start on the same store: exact counts', async (t) => {
      const before = log.of(tenant).length;
      await log.commitDishes(head.client, tenant, dishes(400, 4), 50);
      const applied = await progressBeyond(before);
      await suite.runtime.kill();
      t.diagnostic(`killed with at least ${applied} of ${log.of(tenant).length} events applied`);
      head.close();
      await suite.runtime.restart();
      head = connectHead();
      await counted('after SIGKILL and a start');
      await log.commitDishes(head.client, tenant, dishes(13, 0));
      await counted('13 more after the crash');
    });

    test('after a restart the read models are readable before any head registers, and processing resumes where it stopped', async () => {
      head.close();
      await suite.runtime.restart();
      // A client without the projection registered reads it by id (the type only shapes the states).
      const reader = suite.connect();
      const readers = reader.client.projections.forTenant(TenantId.from(tenant));
      const all = await eventually(
        async () => {
          const states = await readers.getAll(DishCounter, dishCounterId);
          return Object.fromEntries(
            [...states.values()].map((s) => [s.key.value, JSON.parse(JSON.stringify(s.state))]),
          );
        },
        { timeoutMs: 30_000, what: 'getAll(DishCounter, id) after the restart' },
      );
      assert.deepEqual(all, log.dishCounters(tenant));
      // Events committed while no head is connected are projected once one registers.
      await log.commitDishes(reader.client, tenant, dishes(9, 1));
      head = connectHead();
      await counted('9 dishes committed while no head was connected');
      reader.close();
    });
  },
  { timeoutMs: 120_000 },
);
