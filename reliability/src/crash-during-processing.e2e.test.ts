/*
 * Kill -9 the Runtime while a partitioned event handler is processing and clients keep committing, restart it and
 * reconnect the handler, over and over. At the end every committed event of the handled types has reached the
 * handler at least once, in order inside its partition (event source), none skipped, nothing else delivered.
 * Redelivery after a crash is allowed and counted. The log itself is judged as in the crash-during-commits check.
 *
 * Short mode: 5 rounds per store; RELIABILITY_ROUNDS=N for N rounds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RuntimeProcess, startRuntimeProcess } from '@dolittle-ts/compat/harness';
import {
  connectEventHandlerHead,
  type EventStoreClient,
  eventStoreClient,
  type HandledEvent,
} from '@dolittle-ts/runtime/testing';
import type { CommittedEvent } from '@dolittle-ts/store';
import { commitEvents } from './commit-answers.js';
import { assertLogIsRight, CommitLedger, describeFindings } from './commit-ledger.js';
import { readWholeLog, withStoreOpenedDirectly } from './read-directly.js';
import { reliabilityRounds } from './rounds.js';
import { type StoreUnderTest, storesUnderTest } from './stores.js';

const rounds = reliabilityRounds(5);
const committers = 4;
const handledTypes = ['7b1e0c5e-8a54-4f0e-9d1b-3f6a2c9e4d01', '7b1e0c5e-8a54-4f0e-9d1b-3f6a2c9e4d02'];
const otherType = '7b1e0c5e-8a54-4f0e-9d1b-3f6a2c9e4d03';
const catchUpTimeoutMs = 120_000;

interface Delivery extends HandledEvent {
  /** Which Runtime process (round) delivered it. */
  readonly session: number;
}

for (const create of storesUnderTest) {
  describe(`kill -9 during event handler processing (${create.name.replace('UnderTest', '')})`, () => {
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

    it(`handles every event, in order per partition, over ${rounds} crashes`, {
      timeout: 60_000 + rounds * 30_000,
    }, async (t) => {
      const handlerId = crypto.randomUUID();
      const partitions = Array.from({ length: 6 }, () => crypto.randomUUID());
      const ledger = new CommitLedger();
      const deliveries: Delivery[] = [];
      const perRound: string[] = [];
      /** Sequence numbers of acknowledged events of the handled types, in the order they were acknowledged. */
      const acknowledgedHandled: number[] = [];
      const awaitingAtKill: number[] = [];

      for (let round = 0; round <= rounds; round++) {
        if (round > 0) runtime = await restartAfterCrash(runtime);
        const head = connectEventHandlerHead({
          port: runtime.privatePort,
          eventHandlerId: handlerId,
          types: handledTypes,
          partitioned: true,
          handle: async (event) => {
            deliveries.push({ ...event, session: round });
            // Slow enough that processing lags behind the commits, so the kill lands mid-processing.
            await sleep(Math.random() * 4);
            return undefined;
          },
        });
        const client = eventStoreClient(runtime.privatePort);
        try {
          assert.equal(await head.registered, undefined, 'the event handler registers');
          if (round === rounds) {
            // The last Runtime is not killed: one more event per partition, then wait until all have been handled.
            const sentinels = await commitSentinels(client, ledger, partitions);
            await waitUntilHandled(deliveries, sentinels, round);
            break;
          }
          const before = deliveries.length;
          const stop = { stopped: false };
          const running = Array.from({ length: committers }, () =>
            commitUntilStopped(client, ledger, partitions, stop, acknowledgedHandled),
          );
          await sleep(300 + Math.random() * 900);
          await runtime.kill();
          const delivered = new Set(deliveries.map((d) => d.sequenceNumber));
          awaitingAtKill.push(acknowledgedHandled.filter((n) => !delivered.has(n)).length);
          stop.stopped = true;
          await Promise.all(running);
          perRound.push(`${deliveries.length - before}`);
        } finally {
          head.close();
          client.close();
        }
      }
      await runtime.stop();

      const log = await withStoreOpenedDirectly(store, runtime.dataDir, readWholeLog);
      const findings = ledger.check(log);
      assertLogIsRight(findings);
      const judged = judgeDeliveries(log, deliveries);
      t.diagnostic(
        `rounds=${rounds} (kill -9 each) deliveries per killed round=${perRound.join(',')}, acknowledged events not yet handled at each kill=${awaitingAtKill.join(',')}; ` +
          `commits acknowledged=${ledger.count('acknowledged')} failed or unanswered at a kill=${ledger.count('failed') + ledger.count('no answer')}; ` +
          describeFindings(findings),
      );
      t.diagnostic(
        `handler: events of the handled types in the log=${judged.expected} (in ${partitions.length} partitions) deliveries=${deliveries.length} ` +
          `handled at least once=${judged.handled} skipped=${judged.skipped} out of order=${judged.outOfOrder} ` +
          `not in the log or wrong=${judged.wrong} redeliveries=${judged.redeliveries}`,
      );
      assert.deepEqual(judged.problems, [], 'the handler saw every event once or more, in order per partition');
      assert.ok(judged.expected > rounds, 'the workload committed events of the handled types');
    });
  });
}

async function restartAfterCrash(runtime: RuntimeProcess): Promise<RuntimeProcess> {
  // The killed process's PostgreSQL session may take a moment to end and release the writer lock.
  for (let attempt = 0; ; attempt++) {
    try {
      return await runtime.restart({ samePorts: false });
    } catch (error) {
      if (attempt >= 20 || !/lock|held|another/i.test(String(error))) throw error;
      await sleep(100);
    }
  }
}

/** Commits 1–3 events at a time, to random partitions, mostly of the handled types, until told to stop. */
async function commitUntilStopped(
  client: EventStoreClient,
  ledger: CommitLedger,
  partitions: readonly string[],
  stop: { stopped: boolean },
  acknowledgedHandled: number[],
): Promise<void> {
  const handled = new Set(handledTypes);
  while (!stop.stopped) {
    const size = 1 + Math.floor(Math.random() * 3);
    const events = Array.from({ length: size }, () => ({
      eventSource: partitions[Math.floor(Math.random() * partitions.length)] as string,
      type: Math.random() < 0.2 ? otherType : (handledTypes[Math.floor(Math.random() * 2)] as string),
    }));
    const record = ledger.begin(size);
    const answer = await commitEvents(
      client,
      events.map((e, i) => ({ ...e, content: record.contents[i] as string })),
    );
    record.answer = answer;
    // After a kill every call fails at once; a failure while the Runtime runs is a finding for the log check.
    if (answer.kind !== 'acknowledged') return;
    answer.sequenceNumbers.forEach((n, i) => {
      if (handled.has(events[i]?.type as string)) acknowledgedHandled.push(n);
    });
  }
}

async function commitSentinels(
  client: EventStoreClient,
  ledger: CommitLedger,
  partitions: readonly string[],
): Promise<number[]> {
  const sequenceNumbers: number[] = [];
  for (const partition of partitions) {
    const record = ledger.begin(1, () => ({ sentinel: true }));
    const answer = await commitEvents(client, [
      { eventSource: partition, type: handledTypes[0] as string, content: record.contents[0] as string },
    ]);
    record.answer = answer;
    assert.equal(answer.kind, 'acknowledged', `the sentinel commit after the last restart: ${JSON.stringify(answer)}`);
    if (answer.kind === 'acknowledged') sequenceNumbers.push(...answer.sequenceNumbers);
  }
  return sequenceNumbers;
}

async function waitUntilHandled(deliveries: readonly Delivery[], sequenceNumbers: readonly number[], session: number) {
  const started = Date.now();
  for (;;) {
    const handled = new Set(deliveries.filter((d) => d.session === session).map((d) => d.sequenceNumber));
    const missing = sequenceNumbers.filter((n) => !handled.has(n));
    if (missing.length === 0) return;
    if (Date.now() - started > catchUpTimeoutMs) {
      assert.fail(
        `the handler had not caught up ${catchUpTimeoutMs / 1000} s after the last restart: events ${missing.join(',')} not handled`,
      );
    }
    await sleep(50);
  }
}

/**
 * Replays the deliveries in the order the Runtime sent them against each partition's events in the log. Within
 * one Runtime process a partition must go forward one event at a time; after a restart it may start again at an
 * earlier event (redelivery) but never beyond the next one not yet handled (a skip).
 */
function judgeDeliveries(log: readonly CommittedEvent[], deliveries: readonly Delivery[]) {
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 10) problems.push(text);
  };
  const handled = new Set<string>(handledTypes);
  /** Per partition, the sequence numbers of its events of the handled types, in log order. */
  const expected = new Map<string, number[]>();
  const indexOf = new Map<number, number>();
  for (const event of log) {
    if (!handled.has(event.type.id)) continue;
    const list = expected.get(event.eventSourceId) ?? [];
    indexOf.set(event.sequenceNumber, list.length);
    list.push(event.sequenceNumber);
    expected.set(event.eventSourceId, list);
  }
  const handledOnce = new Set<number>();
  let wrong = 0;
  let outOfOrder = 0;
  let redeliveries = 0;
  const highest = new Map<string, number>();
  const lastInSession = new Map<string, { session: number; index: number }>();
  for (const delivery of deliveries) {
    const event = log[delivery.sequenceNumber];
    const index = indexOf.get(delivery.sequenceNumber);
    if (
      event === undefined ||
      index === undefined ||
      event.content !== delivery.content ||
      (event.eventSourceId as string) !== (delivery.eventSourceId as string) ||
      (delivery.partition as string) !== (delivery.eventSourceId as string) ||
      (event.type.id as string) !== (delivery.typeId as string)
    ) {
      wrong++;
      problem(
        `delivered event ${delivery.sequenceNumber} (${delivery.content}) does not match a handled event in the log`,
      );
      continue;
    }
    handledOnce.add(delivery.sequenceNumber);
    const partition = delivery.partition as string;
    const top = highest.get(partition) ?? -1;
    if (index <= top) redeliveries++;
    else if (index > top + 1) {
      outOfOrder++;
      problem(
        `partition ${partition}: event ${delivery.sequenceNumber} delivered while the one before it was never handled`,
      );
    }
    const last = lastInSession.get(partition);
    if (last !== undefined && last.session === delivery.session && index !== last.index + 1) {
      outOfOrder++;
      problem(`partition ${partition}: within one Runtime, event #${index} came after #${last.index}`);
    }
    lastInSession.set(partition, { session: delivery.session, index });
    highest.set(partition, Math.max(top, index));
  }
  let expectedCount = 0;
  let skipped = 0;
  for (const [partition, list] of expected) {
    expectedCount += list.length;
    const never = list.filter((sequenceNumber) => !handledOnce.has(sequenceNumber));
    skipped += never.length;
    if (never.length > 0) {
      problem(
        `partition ${partition}: ${never.length} of its ${list.length} events were never handled (${never.slice(0, 5).join(',')}…)`,
      );
    }
  }
  return {
    expected: expectedCount,
    handled: handledOnce.size,
    skipped,
    outOfOrder,
    wrong,
    redeliveries,
    problems,
  };
}
