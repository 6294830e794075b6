import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { asTenantId, createGuid, DolittleError, type TenantId } from '@dolittle-ts/fundamentals';
import type { StoreProvider, TenantStore } from '@dolittle-ts/store';
import {
  eventsCommit,
  filtered,
  filterKeyOf,
  newReadModelSet,
  privateStream,
  processingPorts,
  projectionPorts,
  projectionProcessorKey,
  readStream,
  replaceReadModel,
  seedEventLog,
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
 * Streams, processor states and read models are written on the writer connection, like event batches: fenced by
 * the writer lock, ordered with the commits, and with the same handling of uncertain outcomes.
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
    const writes = [
      () => streams.append(stream, filtered([0]), { key: filterKeyOf(stream), state: unpartitionedState(1) }),
      () => processorStates.set(filterKeyOf(stream), unpartitionedState(1)),
      () =>
        projections.apply(set, [replaceReadModel('a', '{}')], {
          key: filterKeyOf(stream),
          state: unpartitionedState(1),
        }),
    ];
    for (const write of writes) await assert.rejects(write(), { code: 'StoreLocked' });
    const fenced = processingPorts(other);
    assert.equal(await fenced.streams.nextPosition(stream), 0);
    assert.equal(await fenced.processorStates.get(filterKeyOf(stream)), undefined);
    assert.deepEqual(await projectionPorts(other).projections.getAll(set), new Map());
    await other.close();
    await store.close();
  });

  test('values PostgreSQL cannot store as given are refused with InvalidArgument before anything is written', async () => {
    const store = await provider().open(asTenantId(createGuid()));
    const { definitions } = processingPorts(store);
    const { projections, processorStates } = projectionPorts(store);
    const embeddings = store.embeddings;
    assert.ok(embeddings !== undefined);
    const set = newReadModelSet();
    const key = projectionProcessorKey(set);
    const refusals = [
      () => projections.apply(set, [replaceReadModel('nul \u0000 key', '{}')], { key, state: unpartitionedState(1) }),
      () => projections.apply(set, [replaceReadModel('a', '"\ud800"')], { key, state: unpartitionedState(1) }),
      () => definitions.set('filter', set.scope, 'id', '{"nul":"\u0000"}'),
      () => embeddings.set('embedding', 'key', { state: '{}', version: 1 as never, removed: 'yes' as never }),
      () => processorStates.set({ ...key, scope: 'not a guid' as never }, unpartitionedState(1)),
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
