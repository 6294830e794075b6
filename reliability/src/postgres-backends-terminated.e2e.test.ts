/*
 * PostgreSQL ends the Runtime's sessions (pg_terminate_backend, found through pg_stat_activity) again and again
 * while clients commit. The Runtime process keeps running and recovers by itself: every acknowledged commit is in
 * the log at the sequence numbers it was given, the log is dense, no commit is partial or written twice, the
 * commits that failed were told so with the Runtime's "store unavailable" failure and a reason, and commits
 * succeed again once the sessions are left alone.
 *
 * PostgreSQL only: SQLite has no server sessions to end. Short mode: 20 terminations; RELIABILITY_ROUNDS=N for N.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import { eventStoreClient } from '@dolittle-ts/runtime/testing';
import { aggregateProblems } from './aggregate-checks.js';
import { type CommitAnswer, commitEvents, failureIds } from './commit-answers.js';
import { assertLogIsRight, CommitLedger, describeFindings } from './commit-ledger.js';
import { mixedCommitterEventType, runMixedCommitter } from './mixed-committer.js';
import { type Backend, connectPostgresSessions, databaseOf, type PostgresSessions } from './postgres-sessions.js';
import { readWholeLog, withStoreOpenedDirectly } from './read-directly.js';
import { reliabilityRounds } from './rounds.js';
import { postgresUnderTest, type StoreUnderTest } from './stores.js';

const rounds = reliabilityRounds(20);
const clients = 8;
const commitsAfterwards = 40;

describe('PostgreSQL backends of the Runtime terminated mid-commit', () => {
  let store: StoreUnderTest;
  let runtime: RuntimeProcess;
  let sessions: PostgresSessions;
  let database: string;

  before(async () => {
    store = await postgresUnderTest();
    if (typeof store.runtimeStore !== 'object') throw new Error('expected a PostgreSQL store');
    database = databaseOf(store.runtimeStore.postgres);
    runtime = await startRuntimeProcess({ store: store.runtimeStore, logLevel: 'warn', metrics: false });
    sessions = await connectPostgresSessions(database);
  });
  after(async () => {
    await sessions?.close();
    await runtime?.dispose();
    await store?.dispose();
  });

  it(`recovers by itself from ${rounds} rounds of terminated sessions`, {
    timeout: 60_000 + rounds * 10_000,
  }, async (t) => {
    const pid = runtime.pid;
    const ledger = new CommitLedger();
    const answers: CommitAnswer[] = [];
    const client = eventStoreClient(runtime.privatePort);
    const stop = { stopped: false };
    const killed = { sessions: 0, writers: 0, readers: 0 };
    let instances: Awaited<ReturnType<typeof runMixedCommitter>>[];
    try {
      const running = Array.from({ length: clients }, () =>
        runMixedCommitter({ client, ledger, stop, onAnswer: (answer) => answers.push(answer) }),
      );
      try {
        for (let round = 0; round < rounds; round++) {
          await sleep(100 + Math.random() * 400);
          // The writer reconnects when the next commit comes; each round ends it again once it is back.
          const backends = await backendsWithWriter(sessions);
          killed.sessions += await sessions.terminate(backends.map((b) => b.pid));
          killed.writers += backends.filter((b) => b.applicationName.startsWith('dolittle-ts writer')).length;
          killed.readers += backends.filter((b) => b.applicationName.startsWith('dolittle-ts reader')).length;
        }
        await sleep(200);
      } finally {
        stop.stopped = true;
        instances = await Promise.all(running);
      }

      // Left alone, the Runtime commits again: every one of these must be acknowledged.
      const afterwards = await Promise.all(
        Array.from({ length: commitsAfterwards }, async () => {
          const record = ledger.begin(2);
          record.answer = await commitEvents(
            client,
            record.contents.map((content) => ({
              eventSource: crypto.randomUUID(),
              type: mixedCommitterEventType,
              content,
            })),
          );
          return record.answer;
        }),
      );
      const notAcknowledged = afterwards.filter((a) => a.kind !== 'acknowledged');
      assert.deepEqual(notAcknowledged, [], 'every commit after the terminations is acknowledged');
    } finally {
      client.close();
    }
    assert.ok(runtime.running, 'the Runtime process kept running');
    assert.equal(runtime.pid, pid, 'the Runtime process was not restarted');

    const failed = answers.filter((a) => a.kind === 'failed');
    const unclear = failed.filter((a) => a.failureId !== failureIds.storeUnavailable || a.reason.trim().length < 20);
    const unanswered = answers.filter((a) => a.kind === 'no answer');
    const reasons = [...new Set(failed.map((a) => a.reason.replace(/\S*\d\S*/g, '…').slice(0, 160)))];

    await runtime.stop();
    const { findings, problems } = await withStoreOpenedDirectly(store, runtime.dataDir, async (tenant) => {
      const log = await readWholeLog(tenant);
      return { findings: ledger.check(log), problems: await aggregateProblems(tenant, log, instances) };
    });
    t.diagnostic(
      `rounds=${rounds} sessions terminated=${killed.sessions} (writer ${killed.writers}, readers ${killed.readers}) with ${clients} clients committing (the writer's session in every round); ` +
        `answers: acknowledged=${answers.filter((a) => a.kind === 'acknowledged').length} failed=${failed.length} (not store-unavailable or without a reason: ${unclear.length}) unanswered=${unanswered.length}; ` +
        `${commitsAfterwards} commits afterwards all acknowledged; the Runtime kept running (pid ${pid})`,
    );
    t.diagnostic(`failure reasons seen: ${reasons.join(' | ')}`);
    t.diagnostic(`${describeFindings(findings)}; aggregates checked=${instances.length}`);
    assert.deepEqual(unclear, [], 'a failed commit is answered with the store-unavailable failure and a reason');
    assert.deepEqual(unanswered, [], 'every commit gets an answer (no gRPC error)');
    assert.ok(failed.length > 0, 'some terminations hit commits in flight');
    assertLogIsRight(findings);
    assert.deepEqual(problems, [], 'aggregate versions match their events');
  });
});

async function backendsWithWriter(sessions: PostgresSessions): Promise<Backend[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const backends = await sessions.backends();
    if (backends.some((b) => b.applicationName.startsWith('dolittle-ts writer'))) return backends;
    if (Date.now() > deadline) {
      assert.fail(
        `the Runtime's writer session did not come back within 30 s while clients committed (sessions: ${JSON.stringify(backends)})`,
      );
    }
    await sleep(20);
  }
}
