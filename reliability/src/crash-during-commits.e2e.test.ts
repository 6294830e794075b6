/*
 * Kill -9 the Runtime at random moments while many clients commit, restart it, and check what is durably there:
 * every acknowledged event present and byte-identical at the sequence number it was acknowledged with, no partial
 * commit, dense sequence numbers, aggregate versions equal to their event counts. Unacknowledged commits may or may
 * not be there, but only whole.
 *
 * RELIABILITY_ROUNDS (default 50) sets the rounds per store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import {
  type AggregateRootId,
  defaultScope,
  developmentTenant,
  type EventLogSequenceNumber,
  type EventSourceId,
} from '@dolittle-ts/fundamentals';
import { eventStoreClient } from '@dolittle-ts/runtime/testing';
import type { CommittedEvent } from '@dolittle-ts/store';
import { type StoreUnderTest, storesUnderTest } from './stores.js';
import { aggregateCommit, commitEvents, type Workload } from './workload.js';

const rounds = Number(process.env.RELIABILITY_ROUNDS ?? 50);
const workers = 12;

interface CommitRecord {
  readonly id: string;
  readonly contents: readonly string[];
  /** Set once the Runtime acknowledged the commit. */
  acknowledged: readonly EventLogSequenceNumber[] | undefined;
  readonly aggregate: { readonly root: AggregateRootId; readonly eventSource: EventSourceId } | undefined;
}

for (const create of storesUnderTest) {
  describe(`kill -9 during concurrent commits (${create.name.replace('UnderTest', '')})`, () => {
    let store: StoreUnderTest;
    let runtime: RuntimeProcess;

    before(async () => {
      store = await create();
      runtime = await startRuntimeProcess({ store: store.runtimeStore, logLevel: 'warn', metrics: false });
    });
    after(async () => {
      await runtime?.dispose();
      await store?.dispose();
    });

    it(`keeps every acknowledged event over ${rounds} crashes`, { timeout: rounds * 20_000 }, async (t) => {
      const commits = new Map<string, CommitRecord>();
      const totals = { acknowledged: 0, failedInFlight: 0, events: 0, maxBatchBeforeKill: 0 };

      for (let round = 0; round < rounds; round++) {
        if (round > 0) runtime = await restartAfterCrash(runtime);
        const client = eventStoreClient(runtime.privatePort);
        const workload: Workload = { client, stopped: false };
        const running = Array.from({ length: workers }, (_, w) => runWorker(workload, w, round, commits, totals));
        await new Promise((resolve) => setTimeout(resolve, 40 + Math.random() * 300));
        await runtime.kill();
        workload.stopped = true;
        await Promise.all(running);
        client.close();

        const provider = store.openDirectly(runtime.dataDir);
        try {
          const tenant = await provider.open(developmentTenant);
          try {
            const events = await readAll(tenant.events.read.bind(tenant.events));
            totals.events = events.length;
            await verify(events, commits, tenant.events);
          } finally {
            await tenant.close();
          }
        } finally {
          await provider.close();
        }
      }
      t.diagnostic(
        `rounds=${rounds} acknowledged commits=${totals.acknowledged} unacknowledged (in flight at the kill)=${totals.failedInFlight} events in the log=${totals.events}: none lost, none partial, dense`,
      );
      assert.ok(totals.acknowledged > rounds, 'the workload committed something in most rounds');
    });
  });
}

async function restartAfterCrash(runtime: RuntimeProcess): Promise<RuntimeProcess> {
  // The killed process's database session may take a moment to end (PostgreSQL releases the writer lock then).
  for (let attempt = 0; ; attempt++) {
    try {
      return await runtime.restart({ samePorts: false });
    } catch (error) {
      if (attempt >= 20 || !/lock|held|another/i.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function runWorker(
  workload: Workload,
  worker: number,
  round: number,
  commits: Map<string, CommitRecord>,
  totals: { acknowledged: number; failedInFlight: number },
): Promise<void> {
  // Each worker owns one aggregate per round, so its versions are known without conflicts.
  const aggregate = {
    root: '0a9a0000-0000-4000-8000-000000000001' as AggregateRootId,
    eventSource: crypto.randomUUID() as EventSourceId,
  };
  let version = 0;
  for (let n = 0; !workload.stopped; n++) {
    const id = `${round}-${worker}-${n}-${crypto.randomUUID()}`;
    const size = 1 + Math.floor(Math.random() * 4);
    const contents = Array.from({ length: size }, (_, i) =>
      JSON.stringify({ commit: id, i, of: size, text: `round ${round} ✓ "quoted" \\ 😀`, at: Date.now() }),
    );
    const onAggregate = n % 3 === 2;
    const record: CommitRecord = {
      id,
      contents,
      acknowledged: undefined,
      aggregate: onAggregate ? aggregate : undefined,
    };
    commits.set(id, record);
    try {
      const numbers = onAggregate
        ? await aggregateCommit(workload, aggregate.root, aggregate.eventSource, version, contents)
        : await commitEvents(workload, contents);
      if (onAggregate) version += size;
      record.acknowledged = numbers;
      totals.acknowledged++;
    } catch {
      totals.failedInFlight++;
      return;
    }
  }
}

async function readAll(
  read: (
    scope: typeof defaultScope,
    options: { from: EventLogSequenceNumber; limit: number },
  ) => Promise<readonly CommittedEvent[]>,
): Promise<CommittedEvent[]> {
  const all: CommittedEvent[] = [];
  for (;;) {
    const page = await read(defaultScope, { from: all.length as EventLogSequenceNumber, limit: 5000 });
    all.push(...page);
    if (page.length === 0) return all;
  }
}

async function verify(
  events: readonly CommittedEvent[],
  commits: ReadonlyMap<string, CommitRecord>,
  store: {
    aggregateVersion(root: AggregateRootId, es: EventSourceId): Promise<number>;
    fetchForAggregate(
      root: AggregateRootId,
      es: EventSourceId,
    ): Promise<{ version: number; events: readonly CommittedEvent[] }>;
  },
): Promise<void> {
  const byCommit = new Map<string, CommittedEvent[]>();
  events.forEach((event, index) => {
    assert.equal(event.sequenceNumber, index, `sequence numbers are dense and 0-based (at ${index})`);
    const id = (JSON.parse(event.content) as { commit: string }).commit;
    const list = byCommit.get(id) ?? [];
    list.push(event);
    byCommit.set(id, list);
  });
  for (const [id, stored] of byCommit) {
    const record = commits.get(id);
    assert.ok(record, `event of unknown commit ${id} in the log`);
    assert.equal(stored.length, record.contents.length, `commit ${id} is whole (no partial commit)`);
    stored.forEach((event, i) => {
      assert.equal(event.content, record.contents[i], `commit ${id} event ${i} is byte-identical`);
      if (i > 0)
        assert.equal(event.sequenceNumber, (stored[i - 1]?.sequenceNumber ?? 0) + 1, `commit ${id} is contiguous`);
    });
  }
  const aggregates = new Map<string, { root: AggregateRootId; es: EventSourceId; count: number }>();
  for (const record of commits.values()) {
    const stored = byCommit.get(record.id);
    if (record.acknowledged !== undefined) {
      assert.ok(stored, `acknowledged commit ${record.id} is in the log`);
      assert.deepEqual(
        stored.map((e) => e.sequenceNumber),
        record.acknowledged,
        `acknowledged commit ${record.id} kept its sequence numbers`,
      );
    }
    if (record.aggregate !== undefined) {
      const key = `${record.aggregate.root}/${record.aggregate.eventSource}`;
      const entry = aggregates.get(key) ?? { root: record.aggregate.root, es: record.aggregate.eventSource, count: 0 };
      entry.count += stored?.length ?? 0;
      aggregates.set(key, entry);
    }
  }
  for (const { root, es, count } of aggregates.values()) {
    assert.equal(await store.aggregateVersion(root, es), count, `aggregate ${es}: version equals its event count`);
    const fetched = await store.fetchForAggregate(root, es);
    assert.deepEqual(
      fetched.events.map((e) => e.aggregate?.version),
      Array.from({ length: count }, (_, i) => i),
    );
  }
}
