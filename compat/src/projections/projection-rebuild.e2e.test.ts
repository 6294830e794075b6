// A changed projection definition under the same projection id (another key selector, another initial state) makes
// the Runtime rebuild the read models from the whole event log (Dolittle 6 §2.6 "ResetIfDefinitionChanged"; the
// tutorial: "If the Projection is changed somehow … it will replay all of it's events"). Beyond Dolittle 6, which
// drops the read models and replays in place, this Runtime rebuilds into a new generation while readers keep seeing
// the old read models, and swaps once the rebuild has caught up: every getAll during a rebuild must return either
// the complete old read models or the complete new ones, never a mixture or a partial set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { TenantId } from '@dolittle/sdk.execution';
import { on, type ProjectionContext, projection } from '@dolittle/sdk.projections';
import type { SdkClient } from '../sdk';
import { developmentTenantId } from '../support/checks';
import { eventually } from '../support/eventually';
import { DishPrepared } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';
import { dish, type KitchenEvent, KitchenLog, type OneState, plain, readAll, readOne } from './kitchen-log';
import { DishCounter, dishCounterId } from './kitchen-projections';

/** The DishCounter projection id, keyed by chef instead of dish. */
@projection(dishCounterId)
class ChefCounter {
  chef = '';
  dishesPrepared = 0;
  lastSequenceNumber = -1;
  fromInitialState = 0;

  @on(DishPrepared, (_) => _.keyFromProperty('Chef'))
  onDishPrepared(event: DishPrepared, context: ProjectionContext): void {
    this.chef = event.Chef;
    this.dishesPrepared++;
    this.lastSequenceNumber = context.eventContext.sequenceNumber;
    if (context.wasCreatedFromInitialState) this.fromInitialState++;
  }
}

/** ChefCounter with another initial state (every chef starts at 10). */
@projection(dishCounterId)
class ChefCounterFromTen {
  chef = '';
  dishesPrepared = 10;
  lastSequenceNumber = -1;
  fromInitialState = 0;

  @on(DishPrepared, (_) => _.keyFromProperty('Chef'))
  onDishPrepared(event: DishPrepared, context: ProjectionContext): void {
    this.chef = event.Chef;
    this.dishesPrepared++;
    this.lastSequenceNumber = context.eventContext.sequenceNumber;
    if (context.wasCreatedFromInitialState) this.fromInitialState++;
  }
}

const menu = ['Bean Blaster Taco', 'Avocado Artillery Tortilla', 'Chili Canon Wrap', 'Nacho Nebula'];
const chefs = ['Mr. Taco', 'Mrs. Tex Mex', 'Señor Burrito', 'Chef Ramsey', 'Mme. Étoile'];

function dishes(count: number, offset: number): KitchenEvent[] {
  return Array.from({ length: count }, (_, n) =>
    dish(menu[(n + offset) % menu.length]!, chefs[(n * 7) % chefs.length]!),
  );
}

type Models = Record<string, Record<string, unknown>>;
type Constructor<T> = new () => T;

/** Read models as `get`/`getAll(type)` return them: each state assigned onto a new instance of `type`. */
function seenThrough(type: Constructor<unknown>, models: Models): Models {
  return Object.fromEntries(Object.entries(models).map(([key, state]) => [key, { ...plain(new type()), ...state }]));
}

describeOnEveryStore(
  'projections: a changed definition rebuilds the read models from the whole log',
  (suite) => {
    const tenant = developmentTenantId;
    const log = new KitchenLog();
    let head: SdkClient | undefined;

    const connectHead = (type: Constructor<unknown>) => {
      head?.close();
      head = suite.connect((builder) => builder.withProjections((p) => p.register(type)));
      return head;
    };
    const store = () => head!.client.projections.forTenant(TenantId.from(tenant));

    const chefCounters = (initial: number): Models => {
      const counters: Models = {};
      for (const entry of log.of(tenant)) {
        if (entry.kind !== 'dish') continue;
        const previous = counters[entry.chef];
        counters[entry.chef] = {
          chef: entry.chef,
          dishesPrepared: ((previous?.dishesPrepared as number | undefined) ?? initial) + 1,
          lastSequenceNumber: entry.sequenceNumber,
          fromInitialState: 1,
        };
      }
      return counters;
    };

    /**
     * Polls getAll (and get of one key of each generation) until the new read models are there; every answer on the
     * way must be the complete old set or the complete new set. Returns how many old answers were seen.
     */
    const watchSwap = async <T>(
      type: Constructor<T>,
      oldModels: Models,
      newModels: Models,
      keys: { old: string; new: string },
    ) => {
      // The SDK builds every state as `Object.assign(new type(), state)`: old states come with the new class's fields.
      oldModels = seenThrough(type, oldModels);
      const deadline = Date.now() + 30_000;
      let oldAnswers = 0;
      let lastError: unknown;
      for (;;) {
        let all: Models;
        let oldKey: OneState;
        let newKey: OneState;
        try {
          all = await readAll(store(), type);
          oldKey = await readOne(store(), type, keys.old);
          newKey = await readOne(store(), type, keys.new);
        } catch (error) {
          // E.g. the SDK's association not there yet; keep polling until the deadline.
          lastError = error;
          if (Date.now() > deadline) throw error;
          await sleep(20);
          continue;
        }
        const isNew = isDeepStrictEqual(all, newModels);
        if (!isNew) {
          assert.deepEqual(
            all,
            oldModels,
            'getAll during a rebuild returned neither the complete old read models nor the complete new ones',
          );
          oldAnswers++;
        }
        const oldKeyState = oldKey.type === 'persisted' ? oldKey.state : undefined;
        const newKeyState = newKey.type === 'persisted' ? newKey.state : undefined;
        assert.ok(
          isDeepStrictEqual(oldKeyState, oldModels[keys.old]) || isDeepStrictEqual(oldKeyState, newModels[keys.old]),
          `get('${keys.old}') during a rebuild: ${JSON.stringify(oldKey)}`,
        );
        assert.ok(
          isDeepStrictEqual(newKeyState, oldModels[keys.new]) || isDeepStrictEqual(newKeyState, newModels[keys.new]),
          `get('${keys.new}') during a rebuild: ${JSON.stringify(newKey)}`,
        );
        if (isNew) return oldAnswers;
        if (Date.now() > deadline) {
          assert.fail(`the rebuild did not finish within 30 s (${oldAnswers} old answers; last error ${lastError})`);
        }
        await sleep(5);
      }
    };

    const exactly = (type: Constructor<unknown>, models: () => Models, what: string) =>
      eventually(async () => assert.deepEqual(await readAll(store(), type), models()), { what, timeoutMs: 30_000 });

    test('the first definition counts by dish', async () => {
      connectHead(DishCounter);
      await log.commitDishes(head!.client, tenant, dishes(800, 0), 100);
      await exactly(DishCounter, () => log.dishCounters(tenant), 'DishCounter by dish');
    });

    test('a changed key selector (Dish → Chef) rebuilds from the whole log; readers see the old read models until the new ones are complete', async (t) => {
      const byDish = log.dishCounters(tenant);
      connectHead(ChefCounter);
      const oldAnswers = await watchSwap(ChefCounter, byDish, chefCounters(0), { old: menu[0]!, new: chefs[0]! });
      t.diagnostic(`${oldAnswers} answers from the old generation while rebuilding`);
      assert.deepEqual(await readOne(store(), ChefCounter, menu[0]!), {
        type: 'initial',
        key: menu[0],
        state: { chef: '', dishesPrepared: 0, lastSequenceNumber: -1, fromInitialState: 0 },
      });
    });

    test('a changed initial state rebuilds again: every chef counts on from the new initial state', async (t) => {
      connectHead(ChefCounterFromTen);
      const oldAnswers = await watchSwap(ChefCounterFromTen, chefCounters(0), chefCounters(10), {
        old: chefs[1]!,
        new: chefs[2]!,
      });
      t.diagnostic(`${oldAnswers} answers from the old generation while rebuilding`);
      assert.equal((await readOne(store(), ChefCounterFromTen, 'Nobody')).state.dishesPrepared, 10);
    });

    test('registering the unchanged definition again neither rebuilds nor applies an event twice', async () => {
      connectHead(ChefCounterFromTen);
      await log.commitDishes(head!.client, tenant, dishes(9, 1));
      await exactly(ChefCounterFromTen, () => chefCounters(10), 'ChefCounterFromTen after 9 more dishes');
    });

    test('events committed while a rebuild runs end up in the rebuilt read models', async () => {
      connectHead(DishCounter);
      for (let n = 0; n < 10; n++) {
        await log.commitDishes(head!.client, tenant, dishes(10, n));
        await sleep(10);
      }
      await exactly(DishCounter, () => log.dishCounters(tenant), 'DishCounter rebuilt while 100 more dishes came in');
    });

    test('a rebuild abandoned by going back to the active definition leaves the read models as they are', async (t) => {
      const byDish = log.dishCounters(tenant);
      const byChef = seenThrough(DishCounter, chefCounters(0));
      // Start rebuilding by chef, and go back to the active definition (by dish) while it runs (rebuilding the
      // ~900 events takes about a second here; if it finished first, going back is one more rebuild, by dish).
      connectHead(ChefCounter);
      await sleep(150);
      connectHead(DishCounter);
      let answers = 0;
      let chefAnswers = 0;
      const until = Date.now() + 2_000;
      while (Date.now() < until) {
        let all: Models;
        try {
          all = await readAll(store(), DishCounter);
        } catch {
          await sleep(20);
          continue;
        }
        answers++;
        if (isDeepStrictEqual(all, byChef)) chefAnswers++;
        else assert.deepEqual(all, byDish, 'neither the read models by dish nor the complete ones by chef');
        await sleep(5);
      }
      await exactly(DishCounter, () => byDish, 'back to the read models by dish');
      t.diagnostic(
        `${answers} answers, ${chefAnswers} by chef (more than 0: the rebuild finished before it was abandoned)`,
      );
      await log.commitDishes(head!.client, tenant, dishes(5, 2));
      await exactly(DishCounter, () => log.dishCounters(tenant), 'DishCounter after 5 more dishes');
    });
  },
  { timeoutMs: 150_000 },
);
