import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ArtifactId, createGuid, defaultScope } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, TenantStore } from '@dolittle-ts/store';
import { eventsCommit, newArtifact, newEventSourceId, newTenantId } from '@dolittle-ts/store/conformance';
import { createPostgresStoreProvider } from '@dolittle-ts/store-postgres';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import pg from 'pg';
import { pino } from 'pino';
import { EventWatcher } from '../processing/event-watcher.js';
import type { ProcessingContext, RetryState } from '../processing/processing-result.js';
import type { ProjectionDefinition } from './projection-definition.js';
import {
  type ProjectionCurrentState,
  type ProjectionHead,
  type ProjectionOutcome,
  runProjection,
} from './projection-processor.js';
import { projectionProcessorKey, readModelSet } from './projection-registry.js';

/*
 * The projection processor over real stores, with small batches so a run spans many of them (each batch's read
 * models are read in one go while the previous batch may still be being written: on PostgreSQL it really is). The head counts the events
 * of each key and keeps the last sequence number in the read model, so an event applied twice, lost, or projected
 * over a stale read model shows in the counts or trips the head's own check.
 */

const logger = pino({ level: 'silent' });
const keys = 23;
const events = 1_000;

interface Setup {
  readonly store: TenantStore;
  readonly definition: ProjectionDefinition;
  readonly dispose: () => Promise<void>;
}

const serverUrl = process.env.DOLITTLE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

async function withServer(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh store: SQLite in memory, or a PostgreSQL database of its own (dropped by `dispose`). */
async function openStore(kind: 'sqlite' | 'postgres') {
  if (kind === 'sqlite') {
    const store = await createSqliteStoreProvider({ memory: true }).open(newTenantId());
    return { store, dispose: () => store.close() };
  }
  const database = `projection_processor_${createGuid().replaceAll('-', '').slice(0, 12)}`;
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  await withServer((client) => client.query(`CREATE DATABASE "${database}"`));
  const provider = createPostgresStoreProvider({ connectionString: url.toString() });
  const store = await provider.open(newTenantId());
  return {
    store,
    dispose: async () => {
      await store.close();
      await provider.close();
      await withServer((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    },
  };
}

async function setup(kind: 'sqlite' | 'postgres'): Promise<Setup> {
  const { store, dispose } = await openStore(kind);
  const type = newArtifact();
  const uncommitted = Array.from({ length: events }, (_, n) => ({
    eventSourceId: newEventSourceId(),
    type,
    public: false,
    content: JSON.stringify({ key: `k${(n * 7) % keys}`, n }),
  }));
  for (let from = 0; from < events; from += 100) {
    const [outcome] = await store.events.commit([eventsCommit(uncommitted.slice(from, from + 100))], {
      occurred: new Date(),
    });
    assert.ok(outcome?.ok);
  }
  const definition: ProjectionDefinition = {
    scope: defaultScope,
    id: createGuid(),
    selectors: [{ type: type.id as ArtifactId, key: { kind: 'property', property: 'key' } }],
    initialState: '{"count":0,"last":-1}',
  };
  return { store, definition, dispose };
}

/** How many events each key has in the log. */
function expectedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 0; n < events; n++) counts.set(`k${(n * 7) % keys}`, (counts.get(`k${(n * 7) % keys}`) ?? 0) + 1);
  return counts;
}

type Step = (event: CommittedEvent, retry: RetryState | undefined) => ProjectionOutcome | 'throw' | undefined;

/** Counts events per key; `step` may answer instead (a failure) or throw (the head went away). */
function countingHead(step: Step = () => undefined): ProjectionHead & { readonly problems: string[] } {
  const problems: string[] = [];
  return {
    problems,
    async project(
      current: ProjectionCurrentState,
      event: CommittedEvent,
      retry: RetryState | undefined,
      _: ProcessingContext,
    ) {
      // Answer in a varying order, as a remote head would.
      if (event.sequenceNumber % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      const answer = step(event, retry);
      if (answer === 'throw') throw new Error(`the head went away at event ${event.sequenceNumber}`);
      if (answer !== undefined) return answer;
      const model = JSON.parse(current.state) as { count: number; last: number };
      if (model.last >= event.sequenceNumber) {
        problems.push(`event ${event.sequenceNumber} projected over a read model already at ${model.last}`);
      }
      if ((current.type === 'initial') !== (model.count === 0)) {
        problems.push(`event ${event.sequenceNumber}: a ${current.type} state with count ${model.count}`);
      }
      return { kind: 'replace', state: JSON.stringify({ count: model.count + 1, last: event.sequenceNumber }) };
    },
  };
}

/** Runs the projection until it has caught up (or `run` rejects), then stops it. */
async function runUntilCaughtUp({ store, definition }: Setup, head: ProjectionHead): Promise<void> {
  const controller = new AbortController();
  let caughtUp = () => {};
  const reached = new Promise<void>((resolve) => {
    caughtUp = resolve;
  });
  const run = runProjection({
    store,
    definition,
    generation: 0,
    head,
    watcher: new EventWatcher(),
    context: { tenant: store.tenantId, scope: definition.scope, partitioned: false, signal: controller.signal },
    logger,
    onCaughtUp: async () => caughtUp(),
    keysInFlight: 4,
    batchSize: 50,
  });
  try {
    await Promise.race([reached, run]);
  } finally {
    controller.abort();
    await run;
  }
}

async function assertCounted({ store, definition }: Setup): Promise<void> {
  const all = await store.projections.getAll(readModelSet(definition.scope, definition.id, 0));
  const counts = new Map([...all].map(([key, state]) => [key, (JSON.parse(state) as { count: number }).count]));
  assert.deepEqual(counts, expectedCounts());
  const position = await store.processorStates.get(projectionProcessorKey(definition.scope, definition.id, 0));
  assert.equal(position?.kind, 'unpartitioned');
  assert.equal(position.position, events);
  assert.equal(position.failure, undefined);
}

for (const kind of ['sqlite', 'postgres'] as const)
  describe(`projection processor over ${kind}`, () => {
    it('projects every event exactly once, over the current read model, across many batches', async (t) => {
      const setup1 = await setup(kind);
      t.after(() => setup1.dispose());
      const head = countingHead();
      await runUntilCaughtUp(setup1, head);
      assert.deepEqual(head.problems, []);
      await assertCounted(setup1);
    });

    it('retries a failed event from where it failed, counting nothing twice', async (t) => {
      const setup1 = await setup(kind);
      t.after(() => setup1.dispose());
      const retries: { sequenceNumber: number; retry: RetryState | undefined }[] = [];
      let failed = false;
      const head = countingHead((event, retry) => {
        if (retry !== undefined) retries.push({ sequenceNumber: event.sequenceNumber, retry });
        if (event.sequenceNumber === 537 && !failed) {
          failed = true;
          return { kind: 'failed', reason: 'not yet', retry: true, retryAfterMs: 0 };
        }
        return undefined;
      });
      await runUntilCaughtUp(setup1, head);
      assert.deepEqual(head.problems, []);
      assert.deepEqual(retries, [{ sequenceNumber: 537, retry: { reason: 'not yet', retryCount: 0 } }]);
      await assertCounted(setup1);
    });

    it('stops when the head goes away, keeping only whole events: run again, every event counts once', async (t) => {
      const setup1 = await setup(kind);
      t.after(() => setup1.dispose());
      const first = countingHead((event) => (event.sequenceNumber === 611 ? 'throw' : undefined));
      await assert.rejects(runUntilCaughtUp(setup1, first), /the head went away at event 611/);
      const stopped = await setup1.store.processorStates.get(
        projectionProcessorKey(setup1.definition.scope, setup1.definition.id, 0),
      );
      assert.ok(stopped !== undefined && stopped.position <= 611, `stopped at ${stopped?.position}`);

      const second = countingHead();
      await runUntilCaughtUp(setup1, second);
      assert.deepEqual([...first.problems, ...second.problems], []);
      await assertCounted(setup1);
    });
  });
