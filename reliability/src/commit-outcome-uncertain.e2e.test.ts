/*
 * The Runtime's connection to PostgreSQL goes through a proxy that, once per round, lets a commit through and cuts
 * the connection before PostgreSQL's reply: the transaction is committed (or not) on the server, and the Runtime
 * cannot know which. It must answer the clients of that batch with a failure (never a success it cannot vouch
 * for), find out the truth before it writes its next batch, and carry on: no sequence number given twice, every
 * acknowledged commit in the log where it was acknowledged, an unacknowledged commit that landed there once.
 *
 * Half the rounds cut an explicit COMMIT (batches with aggregate commits run in BEGIN … COMMIT), half the implicit
 * commit of a lone INSERT (batches of plain commits), each kind with a workload that makes it happen.
 *
 * PostgreSQL only. Short mode: 20 cuts; RELIABILITY_ROUNDS=N for N.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RuntimeProcess, startRuntimeProcess, testPostgresUrl } from '@dolittle-ts/compat/harness';
import { eventStoreClient } from '@dolittle-ts/runtime/testing';
import { aggregateProblems } from './aggregate-checks.js';
import { type CommitAnswer, commitEvents, failureIds } from './commit-answers.js';
import {
  type CommitCuttingProxy,
  type CommitPoint,
  type Cut,
  startCommitCuttingProxy,
} from './commit-cutting-proxy.js';
import { assertLogIsRight, CommitLedger, describeFindings } from './commit-ledger.js';
import { type AggregateInstance, mixedCommitterEventType, runMixedCommitter } from './mixed-committer.js';
import { readWholeLog, withStoreOpenedDirectly } from './read-directly.js';
import { reliabilityRounds } from './rounds.js';
import { postgresUnderTest, type StoreUnderTest } from './stores.js';

const rounds = reliabilityRounds(20);
const clients = 8;
const waitMs = 20_000;

describe('connection to PostgreSQL cut right after the commit was sent', () => {
  let store: StoreUnderTest;
  let proxy: CommitCuttingProxy;
  let runtime: RuntimeProcess;

  before(async () => {
    store = await postgresUnderTest();
    if (typeof store.runtimeStore !== 'object') throw new Error('expected a PostgreSQL store');
    const server = new URL(testPostgresUrl());
    proxy = await startCommitCuttingProxy({ host: server.hostname, port: Number(server.port || 5432) });
    runtime = await startRuntimeProcess({
      store: { postgres: proxy.through(store.runtimeStore.postgres) },
      logLevel: 'warn',
      metrics: false,
    });
  });
  after(async () => {
    await runtime?.dispose();
    await proxy?.close();
    await store?.dispose();
  });

  it(`resolves ${rounds} uncertain commits and never gives a sequence number twice`, {
    timeout: 60_000 + rounds * 2 * waitMs,
  }, async (t) => {
    const pid = runtime.pid;
    const ledger = new CommitLedger();
    const answers: CommitAnswer[] = [];
    const cuts: Cut[] = [];
    const instances: AggregateInstance[] = [];
    const client = eventStoreClient(runtime.privatePort);
    try {
      const phases: { kind: CommitPoint; rounds: number; aggregateEvery: number }[] = [
        { kind: 'COMMIT', rounds: Math.ceil(rounds / 2), aggregateEvery: 3 },
        { kind: 'implicit', rounds: Math.floor(rounds / 2), aggregateEvery: 0 },
      ];
      for (const phase of phases) {
        const stop = { stopped: false };
        const running = Array.from({ length: clients }, () =>
          runMixedCommitter({
            client,
            ledger,
            stop,
            aggregateEvery: phase.aggregateEvery,
            onAnswer: (answer) => answers.push(answer),
          }),
        );
        try {
          for (let round = 0; round < phase.rounds; round++) {
            await sleep(Math.random() * 200);
            cuts.push(await within(proxy.cutNext(phase.kind), `a ${phase.kind} commit to cut`, () => proxy.disarm()));
            const seen = answers.length;
            await waitFor(
              () => answers.slice(seen).some((a) => a.kind === 'acknowledged'),
              () =>
                `no commit was acknowledged after cut ${cuts.length} (the Runtime did not recover); the last answer: ${JSON.stringify(answers.at(-1))}`,
            );
          }
        } finally {
          stop.stopped = true;
          instances.push(...(await Promise.all(running)));
        }
      }

      const afterwards = await Promise.all(
        Array.from({ length: 20 }, async () => {
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
      assert.deepEqual(
        afterwards.filter((a) => a.kind !== 'acknowledged'),
        [],
        'every commit after the cuts is acknowledged',
      );
      answers.push(...afterwards);
    } finally {
      client.close();
    }
    assert.ok(runtime.running, 'the Runtime process kept running');
    assert.equal(runtime.pid, pid, 'the Runtime process was not restarted');

    const failed = answers.filter((a) => a.kind === 'failed');
    const unanswered = answers.filter((a) => a.kind === 'no answer');
    const given = answers.flatMap((a) => (a.kind === 'acknowledged' ? a.sequenceNumbers : []));
    const givenTwice = given.length - new Set(given).size;

    await runtime.stop();
    const { findings, problems } = await withStoreOpenedDirectly(store, runtime.dataDir, async (tenant) => {
      const log = await readWholeLog(tenant);
      return { findings: ledger.check(log), problems: await aggregateProblems(tenant, log, instances) };
    });
    const byMessage = new Map<string, number>();
    for (const cut of cuts) byMessage.set(cut.message, (byMessage.get(cut.message) ?? 0) + 1);
    t.diagnostic(
      `rounds=${rounds} connections cut right after the commit was sent: ${[...byMessage].map(([m, n]) => `${m}×${n}`).join(', ')} ` +
        `(over ${proxy.connections} proxied connections); ${clients} clients; answers: acknowledged=${answers.filter((a) => a.kind === 'acknowledged').length} ` +
        `failed=${failed.length} (other than store-unavailable: ${failed.filter((a) => a.failureId !== failureIds.storeUnavailable).length}) unanswered=${unanswered.length}; sequence numbers acknowledged twice=${givenTwice}; ` +
        `the Runtime kept running (pid ${pid}) and acknowledged 20 commits afterwards`,
    );
    t.diagnostic(`${describeFindings(findings)}; aggregates checked=${instances.length}`);
    t.diagnostic(`failure reason, e.g.: ${failed[0]?.reason ?? '(none)'}`);
    assert.equal(cuts.length, rounds, 'every round cut a commit');
    assert.deepEqual(
      failed.filter((a) => a.failureId !== failureIds.storeUnavailable),
      [],
      'a cut batch is answered with the store-unavailable failure',
    );
    assert.deepEqual(unanswered, [], 'every commit gets an answer (no gRPC error)');
    assert.equal(givenTwice, 0, 'no sequence number was acknowledged twice');
    assertLogIsRight(findings);
    assert.deepEqual(problems, [], 'aggregate versions match their events');
    assert.ok(
      findings.unacknowledgedLanded > 0,
      'some cut commits landed although their clients were told they failed (the uncertain case happened)',
    );
  });
});

async function within<T>(promise: Promise<T>, what: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`no ${what} within ${waitMs / 1000} s`));
    }, waitMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(condition: () => boolean, failure: () => string): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${failure()} (waited ${waitMs / 1000} s)`);
    await sleep(10);
  }
}
