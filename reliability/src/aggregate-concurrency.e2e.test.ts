/*
 * 64 clients commit to ONE aggregate root instance at once, all at the version it has, round after round. Exactly
 * one wins each round; the other 63 get the concurrency conflict failure and write nothing. Alongside, each round
 * sends commits with no events and commits at a stale version: they are refused and never lower the version. The
 * instance's version and events are exactly the winners', in order, through the Runtime and in the store.
 *
 * Short mode: as many rounds as fit in 25 s per store (at least 50; about 600 on an idle 2-core machine), so a busy
 * machine does not stretch `npm test`. RELIABILITY_ROUNDS=N runs exactly 20 × N rounds (a contention round is much
 * shorter than a crash round). No assertion depends on the time taken.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import { type EventStoreClient, eventStoreClient } from '@dolittle-ts/runtime/testing';
import { aggregateProblems } from './aggregate-checks.js';
import { type CommitAnswer, commitAggregateEvents, failureIds, fetchAggregate } from './commit-answers.js';
import { assertLogIsRight, CommitLedger, type CommitRecord, describeFindings } from './commit-ledger.js';
import { readWholeLog, withStoreOpenedDirectly } from './read-directly.js';
import { longRunRounds } from './rounds.js';
import { type StoreUnderTest, storesUnderTest } from './stores.js';

/** Exactly this many rounds in a long run; in short mode at least `shortModeRounds`, then until `shortModeMs`. */
const rounds = longRunRounds({ perLongRound: 20 });
const shortModeRounds = 50;
const shortModeMs = 25_000;
const contenders = 64;
const zeroEventCommits = 4;
const staleCommits = 4;
const eventType = '9e4a6b2c-1d3f-4a5b-8c7d-0e1f2a3b4c5d';

for (const create of storesUnderTest) {
  describe(`${contenders} clients on one aggregate at the same version (${create.name.replace('UnderTest', '')})`, () => {
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

    const title = rounds !== undefined ? `over ${rounds} rounds` : `for ${shortModeMs / 1000} s of rounds`;
    it(`has exactly one winner per version ${title}`, { timeout: 120_000 + (rounds ?? 0) * 2_000 }, async (t) => {
      const instance = { aggregateRoot: crypto.randomUUID(), eventSource: crypto.randomUUID() };
      const ledger = new CommitLedger();
      const clients = Array.from({ length: contenders }, () => eventStoreClient(runtime.privatePort));
      const winners: CommitRecord[] = [];
      const tally = { lost: 0, zeroEvents: new Map<string, number>(), stale: 0 };
      let version = 0;
      const started = Date.now();
      try {
        const more = (round: number) =>
          rounds !== undefined ? round < rounds : round < shortModeRounds || Date.now() - started < shortModeMs;
        for (let round = 0; more(round); round++) {
          const commit = (client: EventStoreClient, expectedVersion: number, size: number) => {
            const record = ledger.begin(size, () => ({ round }));
            return commitAggregateEvents(client, {
              ...instance,
              expectedVersion,
              type: eventType,
              contents: record.contents,
            }).then((answer) => {
              record.answer = answer;
              return { record, answer };
            });
          };
          const contending = clients.map((client) => commit(client, version, 1 + Math.floor(Math.random() * 3)));
          const zero = Array.from({ length: zeroEventCommits }, (_, i) =>
            commit(clients[i] as EventStoreClient, Math.floor(Math.random() * (version + 1)), 0),
          );
          const stale = Array.from({ length: version > 0 ? staleCommits : 0 }, (_, i) =>
            commit(clients[i] as EventStoreClient, Math.floor(Math.random() * version), 1),
          );
          const [outcomes, zeroOutcomes, staleOutcomes] = await Promise.all([
            Promise.all(contending),
            Promise.all(zero),
            Promise.all(stale),
          ]);

          const won = outcomes.filter((o) => o.answer.kind === 'acknowledged');
          assert.equal(won.length, 1, `round ${round} (version ${version}): exactly one winner, got ${won.length}`);
          const losers = outcomes.filter((o) => o.answer.kind !== 'acknowledged');
          for (const { answer } of losers) {
            assert.ok(
              isConflict(answer),
              `round ${round}: a loser gets the concurrency conflict: ${JSON.stringify(answer)}`,
            );
          }
          tally.lost += losers.length;
          for (const { answer } of zeroOutcomes) {
            const kind = answer.kind === 'failed' ? nameOf(answer.failureId) : answer.kind;
            tally.zeroEvents.set(kind, (tally.zeroEvents.get(kind) ?? 0) + 1);
            assert.ok(
              answer.kind === 'failed' || (answer.kind === 'acknowledged' && answer.sequenceNumbers.length === 0),
              `round ${round}: a commit of no events writes nothing: ${JSON.stringify(answer)}`,
            );
          }
          for (const { answer } of staleOutcomes) {
            assert.ok(
              isConflict(answer),
              `round ${round}: a stale commit gets the concurrency conflict: ${JSON.stringify(answer)}`,
            );
          }
          tally.stale += staleOutcomes.length;

          const winner = (won[0] as { record: CommitRecord }).record;
          winners.push(winner);
          version += winner.contents.length;
          const fetched = await fetchAggregate(
            clients[0] as EventStoreClient,
            instance.aggregateRoot,
            instance.eventSource,
          );
          assert.equal(fetched.events.length, version, `round ${round}: the version is the winners' event count`);
          assert.deepEqual(
            fetched.events.slice(-winner.contents.length).map((e) => e.content),
            winner.contents,
            `round ${round}: the newest events are the winner's`,
          );
        }
      } finally {
        for (const client of clients) client.close();
      }
      const seconds = (Date.now() - started) / 1000;

      await runtime.stop();
      const { findings, problems, contents } = await withStoreOpenedDirectly(store, runtime.dataDir, async (tenant) => {
        const log = await readWholeLog(tenant);
        return {
          findings: ledger.check(log),
          problems: await aggregateProblems(tenant, log, [instance]),
          contents: log.map((e) => e.content),
        };
      });
      t.diagnostic(
        `rounds=${winners.length} in ${seconds.toFixed(1)} s: ${contenders} contenders per round at the same version → winners=${winners.length} (one per round) ` +
          `conflicts=${tally.lost}; zero-event commits: ${[...tally.zeroEvents].map(([k, n]) => `${k}×${n}`).join(', ')}; ` +
          `stale-version commits refused=${tally.stale}; final version=${version}`,
      );
      t.diagnostic(describeFindings(findings));
      assertLogIsRight(findings);
      assert.deepEqual(problems, [], 'the version in the store matches the events');
      assert.deepEqual(
        contents,
        winners.flatMap((w) => w.contents),
        "the aggregate's events are the winners', in the order they won",
      );
    });
  });
}

function isConflict(answer: CommitAnswer): boolean {
  return answer.kind === 'failed' && answer.failureId === failureIds.aggregateRootConcurrencyConflict;
}

function nameOf(failureId: string): string {
  for (const [name, id] of Object.entries(failureIds)) if (id === failureId) return name;
  return failureId;
}
