import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asTenantId, createGuid, DolittleError, defaultScope, type TenantId } from '@dolittle-ts/fundamentals';
import type { StoreProvider, TenantStore } from '@dolittle-ts/store';
import {
  committedEvents,
  eventsCommit,
  expectedExternalEvents,
  filtered,
  filterKeyOf,
  newConsentId,
  newReadModelSet,
  newSubscriptionKey,
  privateStream,
  processingPorts,
  projectionPorts,
  projectionProcessorKey,
  readAll,
  readStream,
  receivedEvent,
  receivedEvents,
  replaceReadModel,
  seedEventLog,
  streamPosition,
  subscriptionPorts,
  unpartitionedState,
} from '@dolittle-ts/store/conformance';
import { safeIdentifier } from './identifiers.js';
import { createPostgresStoreProvider, openPostgresTenantStore } from './index.js';
import {
  dropSchemas,
  startCuttingProxy,
  terminateBackend,
  testConnectionString,
  uniquePrefix,
  writerPids,
} from './postgres-for-tests.js';
import { statementsOf } from './statements.js';

/*
 * Streams, processor states, read models and received events are written on the writer connection, like event
 * batches: fenced by the writer lock, ordered with the commits, and with the same handling of uncertain outcomes.
 */

const prefix = uniquePrefix('pw');
const schemaOf = (tenantId: TenantId) => `${prefix}${tenantId.replaceAll('-', '')}`;
const providers: StoreProvider[] = [];
function provider(): StoreProvider {
  const p = createPostgresStoreProvider({ connectionString: testConnectionString, schemaOf });
  providers.push(p);
  return p;
}
after(async () => {
  for (const p of providers) await p.close();
  await dropSchemas(prefix);
});

/** The name a statement travels under in every Bind: cutting the connection after it loses that write's answer. */
const statementName = (tenantId: TenantId, name: string) =>
  statementsOf(safeIdentifier('schema', schemaOf(tenantId))).statement(name, '').name;

async function killWriter(tenantId: TenantId): Promise<void> {
  const pids = await writerPids(schemaOf(tenantId));
  assert.equal(pids.length, 1, `one writer session for ${schemaOf(tenantId)}`);
  await terminateBackend(pids[0] as number);
}

async function throughProxy(
  work: (store: TenantStore, tenantId: TenantId, cutAfter: (marker: string) => void) => Promise<void>,
): Promise<void> {
  const tenantId = asTenantId(createGuid());
  const proxy = await startCuttingProxy();
  let store: TenantStore | undefined;
  try {
    store = await openPostgresTenantStore(tenantId, {
      connectionString: proxy.connectionString,
      schema: schemaOf(tenantId),
    });
    await work(store, tenantId, proxy.cutAfter);
  } finally {
    await store?.close();
    await proxy.close();
  }
}

describe('postgres processing writes', () => {
  test('an append queued behind a commit sees that commit: writes are ordered on the writer', async () => {
    const store = await provider().open(asTenantId(createGuid()));
    const { streams } = processingPorts(store);
    const stream = privateStream();
    const committing = store.events.commit([eventsCommit(3)], { occurred: new Date() });
    const appending = streams.append(stream, filtered([0, 1, 2]), {
      key: filterKeyOf(stream),
      state: unpartitionedState(3),
    });
    await Promise.all([committing, appending]);
    assert.equal(await streams.nextPosition(stream), 3);
    await store.close();
  });

  test('an append whose answer is lost is StoreUnavailable; the next one reconnects, and the stream stays dense', async () => {
    await throughProxy(async (store, tenantId, cutAfter) => {
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 10);
      const stream = privateStream();
      const key = filterKeyOf(stream);
      await streams.append(stream, filtered([0, 1]), { key, state: unpartitionedState(2) });

      cutAfter(statementName(tenantId, 'stream-append'));
      await assert.rejects(streams.append(stream, filtered([4, 5]), { key, state: unpartitionedState(6) }), {
        code: 'StoreUnavailable',
      });
      await streams.append(stream, filtered([8]), { key, state: unpartitionedState(9) });

      // The lost append reached the server, which committed it: it is there once, and the next one follows it.
      const read = await readStream(streams, stream);
      assert.deepEqual(
        read.map((e) => [e.position, e.event.sequenceNumber]),
        [
          [0, 0],
          [1, 1],
          [2, 4],
          [3, 5],
          [4, 8],
        ],
      );
      assert.deepEqual(await processorStates.get(key), unpartitionedState(9));
    });
  });

  test('an apply whose answer is lost is StoreUnavailable; the next one reconnects and applies on top of it', async () => {
    await throughProxy(async (store, tenantId, cutAfter) => {
      const { projections, processorStates } = projectionPorts(store);
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await projections.apply(set, [replaceReadModel('a', '{"v":1}')], { key, state: unpartitionedState(1) });

      cutAfter(statementName(tenantId, 'projection-apply'));
      await assert.rejects(
        projections.apply(set, [replaceReadModel('a', '{"v":2}'), replaceReadModel('b', '{"v":2}')], {
          key,
          state: unpartitionedState(2),
        }),
        { code: 'StoreUnavailable' },
      );
      await projections.apply(set, [replaceReadModel('c', '{"v":3}')], { key, state: unpartitionedState(3) });
      assert.deepEqual(
        await projections.getAll(set),
        new Map([
          ['a', '{"v":2}'],
          ['b', '{"v":2}'],
          ['c', '{"v":3}'],
        ]),
      );
      assert.deepEqual(await processorStates.get(key), unpartitionedState(3));
    });
  });

  test('receives and commits into the default scope, queued together, number one dense log in queue order', async () => {
    const store = await provider().open(asTenantId(createGuid()));
    const { subscriptions } = subscriptionPorts(store);
    const key = newSubscriptionKey({ scope: defaultScope });
    const options = { consentId: newConsentId(), received: new Date() };
    const occurred = { occurred: new Date() };
    const [first, received, second, receivedAgain, third] = await Promise.all([
      store.events.commit([eventsCommit(2)], occurred),
      subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1, 2]), options),
      store.events.commit([eventsCommit(1)], occurred),
      subscriptions.receive(key, streamPosition(3), receivedEvents([3]), options),
      store.events.commit([eventsCommit(2)], occurred),
    ]);
    const log = [
      ...committedEvents(first?.[0]),
      ...received,
      ...committedEvents(second?.[0]),
      ...receivedAgain,
      ...committedEvents(third?.[0]),
    ];
    assert.deepEqual(
      log.map((e) => e.sequenceNumber),
      Array.from({ length: 9 }, (_, i) => i),
    );
    assert.deepEqual(await readAll(store.events), log);
    await store.close();
  });

  for (const into of ['a scope', 'the default scope'] as const) {
    test(`a receive into ${into} whose answer is lost is StoreUnavailable; the position tells whether it was stored, and the log goes on dense`, async () => {
      await throughProxy(async (store, tenantId, cutAfter) => {
        const { subscriptions } = subscriptionPorts(store);
        const key = newSubscriptionKey(into === 'a scope' ? {} : { scope: defaultScope });
        const options = { consentId: newConsentId(), received: new Date('2024-05-06T07:08:09.010Z') };
        await seedEventLog(store.events, 2);
        const before = await readAll(store.events, key.scope);
        const first = await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1]), options);

        cutAfter(statementName(tenantId, 'subscription-receive'));
        const lost = receivedEvents([2, 3, 4]);
        await assert.rejects(subscriptions.receive(key, streamPosition(2), lost, options), (error) => {
          assert.ok(error instanceof DolittleError);
          assert.equal(error.code, 'StoreUnavailable', error.message);
          assert.match(error.message, /may or may not have been written/);
          return true;
        });

        // Either the server committed the receive or it did not; the position says which, and the events are in the
        // log exactly when it moved. The subscription goes on from there, and the log stays dense.
        const position = await subscriptions.position(key);
        assert.ok(position === 2 || position === 5, `position ${position}`);
        const stored = position === 5 ? expectedExternalEvents(lost, before.length + first.length, options) : [];
        const next = await subscriptions.receive(key, position, receivedEvents([position]), options);
        const commit = committedEvents((await store.events.commit([eventsCommit(1)], { occurred: new Date() }))[0]);
        if (into === 'the default scope') {
          assert.deepEqual(await readAll(store.events), [...before, ...first, ...stored, ...next, ...commit]);
        } else {
          assert.deepEqual(await readAll(store.events, key.scope), [...first, ...stored, ...next]);
          assert.equal(commit[0]?.sequenceNumber, 2);
        }
      });
    });
  }

  test('a write after the writer connection was killed reconnects first', async () => {
    const tenantId = asTenantId(createGuid());
    const store = await provider().open(tenantId);
    const { processorStates, definitions } = processingPorts(store);
    const key = { ...filterKeyOf(privateStream()) };
    await processorStates.set(key, unpartitionedState(1));
    await killWriter(tenantId);
    await sleep(100);
    await processorStates.set(key, unpartitionedState(2));
    await definitions.set('filter', key.scope, key.processorId, '{"after":"the kill"}');
    assert.deepEqual(await processorStates.get(key), unpartitionedState(2));
    assert.equal(await definitions.get('filter', key.scope, key.processorId), '{"after":"the kill"}');
    await store.close();
  });

  test('once another writer took the lock, every write stops with StoreLocked and writes nothing', async () => {
    const tenantId = asTenantId(createGuid());
    const store = await provider().open(tenantId);
    await seedEventLog(store.events, 2);
    const { streams, processorStates } = processingPorts(store);
    const { projections } = projectionPorts(store);
    const stream = privateStream();
    await killWriter(tenantId);
    let other: TenantStore | undefined;
    for (let attempt = 0; other === undefined; attempt++) {
      try {
        other = await provider().open(tenantId);
      } catch (error) {
        if (attempt > 50) throw error;
        await sleep(20); // the killed session may hold the lock for a moment
      }
    }
    const set = newReadModelSet();
    const subscription = newSubscriptionKey();
    const writes = [
      () => streams.append(stream, filtered([0]), { key: filterKeyOf(stream), state: unpartitionedState(1) }),
      () => processorStates.set(filterKeyOf(stream), unpartitionedState(1)),
      () =>
        projections.apply(set, [replaceReadModel('a', '{}')], {
          key: filterKeyOf(stream),
          state: unpartitionedState(1),
        }),
      () =>
        subscriptionPorts(store).subscriptions.receive(subscription, streamPosition(0), receivedEvents([0]), {
          consentId: newConsentId(),
          received: new Date(),
        }),
    ];
    for (const write of writes) await assert.rejects(write(), { code: 'StoreLocked' });
    const fenced = processingPorts(other);
    assert.equal(await fenced.streams.nextPosition(stream), 0);
    assert.equal(await fenced.processorStates.get(filterKeyOf(stream)), undefined);
    assert.deepEqual(await projectionPorts(other).projections.getAll(set), new Map());
    assert.equal(await subscriptionPorts(other).subscriptions.position(subscription), 0);
    assert.equal(await other.events.nextSequenceNumber(subscription.scope), 0);
    await other.close();
    await store.close();
  });

  test('values PostgreSQL cannot store as given are refused with InvalidArgument before anything is written', async () => {
    const store = await provider().open(asTenantId(createGuid()));
    const { definitions } = processingPorts(store);
    const { projections, processorStates } = projectionPorts(store);
    const embeddings = store.embeddings;
    assert.ok(embeddings !== undefined);
    const { subscriptions } = subscriptionPorts(store);
    const subscription = newSubscriptionKey();
    const received = { consentId: newConsentId(), received: new Date() };
    const set = newReadModelSet();
    const key = projectionProcessorKey(set);
    const refusals = [
      () => projections.apply(set, [replaceReadModel('a', '"\ud800"')], { key, state: unpartitionedState(1) }),
      () => definitions.set('filter', set.scope, 'id', '{"nul":"\u0000"}'),
      () => embeddings.set('embedding', 'key', { state: '{}', version: 1 as never, removed: 'yes' as never }),
      () => processorStates.set({ ...key, scope: 'not a guid' as never }, unpartitionedState(1)),
      () =>
        subscriptions.receive(subscription, streamPosition(0), [receivedEvent(0, { content: '"\u0000"' })], received),
      () =>
        subscriptions.receive(subscription, streamPosition(0), [receivedEvent(0, { content: '"\ud800"' })], received),
      () =>
        subscriptions.receive({ ...subscription, partition: 'not a guid' as never }, streamPosition(0), [], received),
      () =>
        subscriptions.receive(
          subscription,
          streamPosition(0),
          [receivedEvent(0, { eventSourceId: 'not a guid' as never })],
          received,
        ),
    ];
    for (const refused of refusals) {
      await assert.rejects(refused(), (error) => {
        assert.ok(error instanceof DolittleError, String(error));
        assert.equal(error.code, 'InvalidArgument', error.message);
        return true;
      });
    }
    assert.deepEqual(await projections.getAll(set), new Map());
    assert.equal(await processorStates.get(key), undefined);
    assert.equal(await subscriptions.position(subscription), 0);
    assert.equal(await store.events.nextSequenceNumber(subscription.scope), 0);
    // The writer goes on.
    await projections.apply(set, [replaceReadModel('a', '{}')], { key, state: unpartitionedState(1) });
    assert.equal(await projections.get(set, 'a'), '{}');
    await store.close();
  });

  test('a closed store refuses writes with StoreUnavailable', async () => {
    const store = await provider().open(asTenantId(createGuid()));
    const { processorStates } = processingPorts(store);
    await store.close();
    await assert.rejects(processorStates.set(filterKeyOf(privateStream()), unpartitionedState(1)), {
      code: 'StoreUnavailable',
    });
  });
});
