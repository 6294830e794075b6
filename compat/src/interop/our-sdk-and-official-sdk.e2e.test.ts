// Our SDK (`@dolittle-ts/sdk`, ESM, loaded with import()) and the official `@dolittle/sdk@17.0.1` against one
// Runtime process: events committed through either are handled by the other's event handlers, and our projection
// counts what both committed. Same wire, same event type id, same JSON content.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventContext } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { type RuntimeProcess, startRuntimeProcess } from '../harness';
import { createSdkClient, type SdkClient } from '../sdk';
import { developmentTenantId, newId } from '../support/checks';
import { eventually } from '../support/eventually';
import { DishPrepared, dishPreparedTypeId } from '../support/kitchen';

type OurSdk = typeof import('@dolittle-ts/sdk');

interface Seen {
  readonly dish: string;
  readonly chef: string;
  readonly eventSource: string;
  readonly tenant: string;
}

describe('our SDK and the official SDK 17 on one Runtime', { timeout: 90_000 }, () => {
  let runtime: RuntimeProcess;
  let sdk: OurSdk;
  let official: SdkClient;
  let ours: Awaited<ReturnType<OurSdk['DolittleClient']['connect']>>;
  const seenByOfficial: Seen[] = [];
  const seenByOurs: Seen[] = [];
  const officialHandlerId = newId();
  const ourHandlerId = newId();
  const counterId = newId();

  before(async () => {
    runtime = await startRuntimeProcess({ store: 'memory', logLevel: 'warn', metrics: false });
    sdk = await import('@dolittle-ts/sdk');
    official = createSdkClient({
      port: runtime.privatePort,
      configure: (builder) =>
        builder
          .withEventTypes((eventTypes) => eventTypes.register(DishPrepared))
          .withEventHandlers((handlers) =>
            handlers.createEventHandler(officialHandlerId, (b) =>
              b.partitioned().handle(DishPrepared, (event: DishPrepared, context: EventContext) => {
                seenByOfficial.push({
                  dish: event.Dish,
                  chef: event.Chef,
                  eventSource: context.eventSourceId.value.toString(),
                  tenant: context.executionContext.tenantId.value.toString(),
                });
              }),
            ),
          ),
    });
  });

  after(async () => {
    official?.close();
    await ours?.close();
    await runtime?.dispose();
  });

  const ourDishPrepared = () => sdk.defineEventType<{ Dish: string; Chef: string }>({ id: dishPreparedTypeId });

  test('our client registers next to the official one', async () => {
    const Dish = ourDishPrepared();
    ours = await sdk.DolittleClient.connect({
      runtime: runtime.address,
      logger: sdk.silentLogger,
      eventHandlers: [
        sdk.defineEventHandler({
          id: ourHandlerId,
          events: { DishPrepared: Dish },
          handle: {
            DishPrepared: (event, context) => {
              seenByOurs.push({
                dish: event.Dish,
                chef: event.Chef,
                eventSource: context.eventSourceId,
                tenant: context.tenant,
              });
            },
          },
        }),
      ],
      projections: [
        sdk.defineProjection({
          id: counterId,
          events: { DishPrepared: Dish },
          initial: { chefs: [] as string[] },
          on: {
            DishPrepared: {
              key: sdk.fromProperty('Dish'),
              project: (state, event) => ({ chefs: [...state.chefs, event.Chef] }),
            },
          },
        }),
      ],
    });
  });

  test('events the official SDK commits reach our handler and projection, typed', async () => {
    const kitchen = newId();
    const dish = `Official Taco ${newId()}`;
    const result = await official.client.eventStore
      .forTenant(TenantId.development)
      .commit(new DishPrepared(dish, 'Mr. Official'), kitchen);
    assert.equal(result.failed, false, result.failure?.reason.value);
    const seen = await eventually(() => {
      const found = seenByOurs.find((s) => s.dish === dish);
      assert.ok(found, 'our handler has not seen it yet');
      return found;
    });
    assert.deepEqual(seen, { dish, chef: 'Mr. Official', eventSource: kitchen, tenant: developmentTenantId });
    const Counter = sdk.defineProjection({
      id: counterId,
      events: { DishPrepared: ourDishPrepared() },
      initial: { chefs: [] as string[] },
      on: { DishPrepared: { key: sdk.fromProperty('Dish'), project: (state) => state } },
    });
    await eventually(async () => {
      const read = await ours.projections.get(Counter, dish);
      assert.deepEqual(read.state.chefs, ['Mr. Official']);
    });
  });

  test('events our SDK commits reach the official SDK’s handler', async () => {
    const kitchen = newId();
    const dish = `Our Burrito ${newId()}`;
    const committed = await ours.eventStore.commit(ourDishPrepared(), { Dish: dish, Chef: 'Mrs. Ours' }, kitchen);
    assert.equal(committed.eventSourceId, kitchen);
    const seen = await eventually(() => {
      const found = seenByOfficial.find((s) => s.dish === dish);
      assert.ok(found, 'the official handler has not seen it yet');
      return found;
    });
    assert.deepEqual(seen, { dish, chef: 'Mrs. Ours', eventSource: kitchen, tenant: developmentTenantId });
  });

  test('the official SDK reads back what our SDK committed', async () => {
    const kitchen = newId();
    await ours.eventStore.commit(ourDishPrepared(), { Dish: 'Nachos', Chef: 'Mrs. Ours' }, kitchen);
    await ours.eventStore.commit(ourDishPrepared(), { Dish: 'Nachos', Chef: 'Mr. Ours' }, kitchen);
    await eventually(() => {
      const mine = seenByOfficial.filter((s) => s.eventSource === kitchen);
      assert.deepEqual(
        mine.map((s) => s.chef),
        ['Mrs. Ours', 'Mr. Ours'],
      );
    });
  });
});
