import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AggregateRootVersion,
  asAggregateRootId,
  asArtifactId,
  asCorrelationId,
  asEventSourceId,
  asTenantId,
  createGuid,
  DolittleError,
  defaultScope,
  developmentMicroservice,
  type EventLogSequenceNumber,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { Commit, CommittedEvent, StoreProvider, TenantStore } from '@dolittle-ts/store';
import { createPostgresStoreProvider, openPostgresTenantStore } from './index.js';
import {
  dropSchemas,
  startCuttingProxy,
  terminateBackend,
  testConnectionString,
  uniquePrefix,
  writerPids,
} from './postgres-for-tests.js';
import { eventStatements } from './statements.js';

/*
 * The writer connection is killed from outside (pg_terminate_backend) between and during commits. Whatever
 * happens, acknowledged events are in the log at the numbers given, the log stays dense, nothing is written
 * twice, and commits work again afterwards.
 */

const prefix = uniquePrefix('rc');
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

const type = { id: asArtifactId(createGuid()), generation: 1 };
let counter = 0;
function batchOf(tenantId: TenantId, commits: number, eventsPerCommit: number): Commit[] {
  return Array.from({ length: commits }, () => ({
    kind: 'events' as const,
    executionContext: {
      microserviceId: developmentMicroservice,
      tenantId,
      version: { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' },
      correlationId: asCorrelationId(createGuid()),
      claims: [],
      environment: 'Test',
    },
    events: Array.from({ length: eventsPerCommit }, () => ({
      eventSourceId: asEventSourceId(createGuid()),
      type,
      public: false,
      content: `{"unique":${counter++}}`,
    })),
  }));
}
const occurred = new Date();

/** Half plain commits, half commits to fresh aggregate root instances, so both commit paths get cut. */
function mixedBatch(tenantId: TenantId): Commit[] {
  const aggregates = batchOf(tenantId, 5, 10).map(
    (commit): Commit => ({
      kind: 'aggregate',
      executionContext: commit.executionContext,
      aggregateRootId: asAggregateRootId(createGuid()),
      eventSourceId: asEventSourceId(createGuid()),
      expectedVersion: 0 as AggregateRootVersion,
      events: commit.events.map(({ type, public: isPublic, content }) => ({ type, public: isPublic, content })),
    }),
  );
  return [...batchOf(tenantId, 5, 10), ...aggregates];
}

async function onlyWriterPid(schema: string): Promise<number> {
  const pids = await writerPids(schema);
  assert.equal(pids.length, 1, `one writer session for ${schema}, found ${pids.length}`);
  return pids[0] as number;
}

async function killWriter(schema: string): Promise<number> {
  const pid = await onlyWriterPid(schema);
  await terminateBackend(pid);
  return pid;
}

/** The whole log, checked dense: event i has sequence number i. */
async function wholeLog(store: TenantStore): Promise<CommittedEvent[]> {
  const next = await store.events.nextSequenceNumber(defaultScope);
  const log: CommittedEvent[] = [];
  while (log.length < next) {
    const page = await store.events.read(defaultScope, { from: log.length as EventLogSequenceNumber, limit: 1000 });
    assert.ok(page.length > 0);
    log.push(...page);
  }
  assert.deepEqual(
    log.map((e) => e.sequenceNumber),
    Array.from({ length: next }, (_, i) => i),
  );
  return log;
}

describe('postgres writer connection lost', () => {
  test('between commits: the next commit reconnects and continues the numbering', async () => {
    const tenantId = asTenantId(createGuid());
    const store = await provider().open(tenantId);
    await store.events.commit(batchOf(tenantId, 2, 3), { occurred });
    const killed = await killWriter(schemaOf(tenantId));
    await sleep(100);

    const [outcome] = await store.events.commit(batchOf(tenantId, 1, 2), { occurred });
    assert.deepEqual(outcome?.ok && outcome.events.map((e) => e.sequenceNumber), [6, 7]);
    assert.notEqual(await onlyWriterPid(schemaOf(tenantId)), killed);
    assert.equal((await wholeLog(store)).length, 8);
    await store.close();
  });

  test('during commits: rejected batches are StoreUnavailable, acknowledged ones are in the log, nothing twice', async (t) => {
    const tenantId = asTenantId(createGuid());
    const schema = schemaOf(tenantId);
    const store = await provider().open(tenantId);
    const acknowledged: CommittedEvent[] = [];
    const attempted = new Set<string>();
    let rejected = 0;
    let stop = false;

    const committing = (async () => {
      while (!stop) {
        const batch = mixedBatch(tenantId);
        for (const commit of batch) for (const e of commit.events) attempted.add(e.content);
        try {
          const outcomes = await store.events.commit(batch, { occurred });
          for (const o of outcomes) if (o.ok) acknowledged.push(...o.events);
        } catch (error) {
          assert.ok(error instanceof DolittleError, String(error));
          assert.equal(error.code, 'StoreUnavailable', error.message);
          rejected++;
        }
      }
    })();
    for (let kill = 0; kill < 5; kill++) {
      await sleep(40 + kill * 15);
      await killWriter(schema).catch(() => {}); // between a kill and the reconnect there may be no writer session
    }
    await sleep(50);
    stop = true;
    await committing;

    const [last] = await store.events.commit(batchOf(tenantId, 1, 1), { occurred });
    assert.ok(last?.ok, 'commits work again after the kills');
    acknowledged.push(...last.events);
    attempted.add(last.events[0]?.content ?? '');

    const log = await wholeLog(store);
    const contents = log.map((e) => e.content);
    assert.equal(new Set(contents).size, contents.length, 'no event was written twice');
    for (const content of contents) assert.ok(attempted.has(content));
    for (const event of acknowledged) assert.deepEqual(log[event.sequenceNumber], event);
    assert.ok(rejected > 0, 'at least one kill hit a batch in flight');
    t.diagnostic(`${rejected} batches rejected, ${acknowledged.length} events acknowledged, ${log.length} in the log`);
    assert.ok(acknowledged.length > 100);
    for (const event of log.filter((e) => e.aggregate !== undefined).slice(0, 200)) {
      const { version, events } = await store.events.fetchForAggregate(event.aggregate!.rootId, event.eventSourceId);
      assert.equal(version, 10);
      assert.deepEqual(events, log.slice(event.sequenceNumber - event.aggregate!.version).slice(0, 10));
    }
    await store.close();
  });

  test('if another writer takes the lock while the connection is lost, writing stops with StoreLocked', async () => {
    const tenantId = asTenantId(createGuid());
    const schema = schemaOf(tenantId);
    const store = await provider().open(tenantId);
    await store.events.commit(batchOf(tenantId, 1, 1), { occurred });
    await killWriter(schema);
    let other: TenantStore | undefined;
    for (let attempt = 0; other === undefined; attempt++) {
      try {
        other = await provider().open(tenantId);
      } catch (error) {
        if (attempt > 50) throw error;
        await sleep(20); // the killed session may hold the lock for a moment
      }
    }
    await assert.rejects(store.events.commit(batchOf(tenantId, 1, 1), { occurred }), (error: DolittleError) => {
      assert.equal(error.code, 'StoreLocked');
      assert.match(error.message, new RegExp(schema));
      return true;
    });
    await assert.rejects(store.events.commit(batchOf(tenantId, 1, 1), { occurred }), { code: 'StoreLocked' });
    const [outcome] = await other.events.commit(batchOf(tenantId, 1, 1), { occurred });
    assert.deepEqual(outcome?.ok && outcome.events.map((e) => e.sequenceNumber), [1]);
    await other.close();
    await store.close();
  });

  test('a batch that committed but was never acknowledged is not written again, and numbering goes on after it', async () => {
    const tenantId = asTenantId(createGuid());
    const schema = schemaOf(tenantId);
    const proxy = await startCuttingProxy();
    let store: TenantStore | undefined;
    try {
      store = await openPostgresTenantStore(tenantId, { connectionString: proxy.connectionString, schema });
      await store.events.commit(batchOf(tenantId, 1, 2), { occurred });
      // The append statement's name travels in every Bind; the server gets the whole batch, the reply is lost.
      proxy.cutAfter(eventStatements(schema as never).append.name);
      const lost = batchOf(tenantId, 1, 1);
      await assert.rejects(store.events.commit(lost, { occurred }), { code: 'StoreUnavailable' });
      const [after] = await store.events.commit(batchOf(tenantId, 1, 1), { occurred });
      assert.deepEqual(after?.ok && after.events.map((e) => e.sequenceNumber), [3]);
      const log = await wholeLog(store);
      assert.equal(log[2]?.content, lost[0]?.events[0]?.content, 'the unacknowledged batch is in the log once');
      assert.equal(log.length, 4);
    } finally {
      await store?.close();
      await proxy.close();
    }
  });
});
