import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  asPartitionId,
  asStreamId,
  createGuid,
  defaultScope,
  type EventSourceId,
  type Guid,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import type { StreamProcessorState } from '@dolittle-ts/store';
import {
  buildExecutionContext,
  eventsCommit,
  newArtifact,
  newEventSourceId,
  newProcessorKey,
  newTenantId,
} from '@dolittle-ts/store/conformance';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import { pino } from 'pino';
import { Committer } from '../events/committer.js';
import { prepareEventHandler, runEventHandler } from './event-handler.js';
import { EventWatcher, notifyCommitted } from './event-watcher.js';
import { type PartitionedProcessorOptions, runPartitionedProcessor } from './partitioned-processor.js';
import type { EventProcessor, ProcessingResult, RetryState } from './processing-result.js';
import { createStreamSource } from './stream-source.js';

/*
 * Counterexamples the property tests (partitioned-processor.property.int.test.ts) found, shrunk and made
 * deterministic: each one failed on the engine as it was, every time.
 */

type Partitioned = Extract<StreamProcessorState, { kind: 'partitioned' }>;

const logger = pino({ level: 'silent' });
const partitionOf = (source: EventSourceId) => asPartitionId(source as string as Guid);
const succeeded: ProcessingResult = { kind: 'succeeded' };
const failOnce = (reason: string): ProcessingResult => ({ kind: 'failed', reason, retry: true, retryAfterMs: 0 });
const fresh = (): Partitioned => ({
  kind: 'partitioned',
  position: 0 as StreamPosition,
  failingPartitions: new Map(),
  lastSuccessfullyProcessed: undefined,
});

/** A promise the head resolves once it has seen what a test waits for; false if that took longer than `ms`. */
function signalled(ms: number): { readonly done: () => void; readonly within: Promise<boolean> } {
  let done = () => {};
  const reached = new Promise<true>((resolve) => {
    done = () => resolve(true);
  });
  const timeout = new AbortController();
  const within = Promise.race([reached, delay(ms, false, { signal: timeout.signal }).catch(() => false)]).finally(() =>
    timeout.abort(),
  );
  return { done, within };
}

/** Runs a partitioned processor over a stream that holds one event per given event source, in that order. */
async function runOver(
  sources: readonly EventSourceId[],
  processor: EventProcessor,
  initial: Partitioned,
  options: Partial<Pick<PartitionedProcessorOptions, 'partitionsInFlight' | 'batchSize' | 'maxReadAhead'>> = {},
): Promise<{ readonly stop: () => Promise<void> }> {
  const tenant = newTenantId();
  const store = await createSqliteStoreProvider({ memory: true }).open(tenant);
  const { streams, processorStates } = store;
  const type = newArtifact();
  const events = sources.map((eventSourceId, n) => ({ eventSourceId, type, public: false, content: `{"n":${n}}` }));
  const [outcome] = await store.events.commit([eventsCommit(events)], { occurred: new Date() });
  assert.ok(outcome?.ok);
  const ref = { scope: defaultScope, stream: asStreamId(createGuid()), public: false };
  await streams.append(
    ref,
    outcome.events.map((e) => ({ partition: partitionOf(e.eventSourceId), sequenceNumber: e.sequenceNumber })),
    {
      key: newProcessorKey(),
      state: {
        kind: 'unpartitioned',
        position: sources.length as StreamPosition,
        failure: undefined,
        lastSuccessfullyProcessed: undefined,
      },
    },
  );
  const controller = new AbortController();
  const run = runPartitionedProcessor(
    {
      key: newProcessorKey(),
      source: createStreamSource(store, { kind: 'stream', ...ref }),
      states: processorStates,
      watcher: new EventWatcher(),
      processor,
      context: { tenant, scope: defaultScope, partitioned: true, signal: controller.signal },
      logger,
      ...options,
    },
    initial,
  );
  return {
    stop: async () => {
      controller.abort();
      await run;
      await store.close();
    },
  };
}

describe('partitioned processor: counterexamples found by the property tests', () => {
  // The partition failed while the main loop was between looking for due retries and waiting; it then slept until
  // the next commit or the 60 s polling fallback.
  it('retries a failed partition at its retry time, without waiting for another commit', async () => {
    const tenant = newTenantId();
    const store = await createSqliteStoreProvider({ memory: true }).open(tenant);
    const watcher = new EventWatcher();
    const committer = new Committer({
      tenantId: tenant,
      store: store.events,
      onCommitted: (last, events) => notifyCommitted(watcher, last, events),
    });
    const type = newArtifact();
    const definition = { scope: defaultScope, id: createGuid(), types: [type.id], partitioned: true };
    await prepareEventHandler(store, definition);
    const calls: (RetryState | undefined)[] = [];
    const retried = signalled(2_000);
    const controller = new AbortController();
    const run = runEventHandler({
      store,
      definition,
      watcher,
      logger,
      partitionsInFlight: 8,
      context: { tenant, scope: defaultScope, partitioned: true, signal: controller.signal },
      processor: {
        async process(_event, retry) {
          calls.push(retry);
          if (calls.length === 1) return failOnce('once');
          retried.done();
          return succeeded;
        },
      },
    });
    const event = { eventSourceId: newEventSourceId(), type, public: false, content: '{}' };
    await committer.commit(eventsCommit([event], buildExecutionContext({ tenantId: tenant })));
    const inTime = await retried.within;
    controller.abort();
    await run;
    await committer.drain();
    await store.close();
    assert.ok(inTime, 'the failed event was retried');
    assert.deepEqual(calls, [undefined, { reason: 'once', retryCount: 0 }]);
  });

  // The restart resumed before the failed event; the catch-up found nothing below its boundary, dropped the failure,
  // and the main loop then sent the event as new (retry state and attempts lost).
  it('retries a failed partition with its retry state after a restart that resumes before the failed event', async () => {
    const [q, p] = [newEventSourceId(), newEventSourceId()];
    const failedAt = new Date(Date.now() - 10);
    // Saved while Q@0 was still in the head and P@1 had failed once; P's retry is due.
    const failure = {
      position: 1 as StreamPosition,
      reason: 'boom',
      attempts: 1,
      retryAt: failedAt,
      lastFailed: failedAt,
    };
    const initial: Partitioned = { ...fresh(), failingPartitions: new Map([[partitionOf(p), failure]]) };
    const calls = new Map<number, RetryState | undefined>();
    const both = signalled(2_000);
    const { stop } = await runOver(
      [q, p],
      {
        async process(event, retry) {
          calls.set(event.position, retry);
          if (calls.size === 2) both.done();
          return succeeded;
        },
      },
      initial,
    );
    const inTime = await both.within;
    await stop();
    assert.ok(inTime, 'both events were handled');
    assert.deepEqual(calls.get(1), { reason: 'boom', retryCount: 0 });
  });

  // The catch-up of a failed partition started without looking at partitionsInFlight.
  it('keeps at most partitionsInFlight partitions in the head, catch-ups included', async () => {
    const [p, q] = [newEventSourceId(), newEventSourceId()];
    let inHead = 0;
    let most = 0;
    let failed = false;
    const handled = new Set<number>();
    const all = signalled(2_000);
    const { stop } = await runOver(
      [p, q, q],
      {
        async process(event) {
          most = Math.max(most, ++inHead);
          try {
            if (event.position === 0 && !failed) {
              failed = true;
              return failOnce('once');
            }
            if (event.position === 2) await delay(50);
            handled.add(event.position);
            if (handled.size === 3) all.done();
            return succeeded;
          } finally {
            inHead--;
          }
        },
      },
      fresh(),
      { partitionsInFlight: 1 },
    );
    const inTime = await all.within;
    await stop();
    assert.ok(inTime, 'every event was handled');
    assert.equal(most, 1);
  });

  // Events read while the partition's worker was between emptying its queue and its `finally` went into a new queue
  // that no worker took; with the read-ahead full, the main loop then stopped for good.
  it('handles every event of a partition that arrives while its worker is finishing', async () => {
    const p = newEventSourceId();
    const handled: number[] = [];
    const all = signalled(2_000);
    const { stop } = await runOver(
      Array.from({ length: 10 }, () => p),
      {
        async process(event) {
          handled.push(event.position);
          if (handled.length === 10) all.done();
          return succeeded;
        },
      },
      fresh(),
      { batchSize: 2, maxReadAhead: 2 },
    );
    await all.within;
    await stop();
    assert.deepEqual(handled, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  // Every wait raced a sleep or a watcher wait against a wake-up and never ended the loser: with thousands of waits
  // (one per handled event under read-ahead), thousands of timers and abort listeners stayed until the processor stopped.
  it('leaves no timers behind for the events it handled', async () => {
    const sources = [newEventSourceId(), newEventSourceId()];
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    let handled = 0;
    const { stop } = await runOver(
      Array.from({ length: 2_000 }, (_, i) => sources[i % 2] as EventSourceId),
      {
        async process() {
          await new Promise((resolve) => setImmediate(resolve));
          handled++;
          return succeeded;
        },
      },
      fresh(),
      { batchSize: 10, maxReadAhead: 10 },
    );
    while (handled < 2_000) await delay(10);
    await delay(50);
    const idle = timers() - before;
    await stop();
    assert.ok(idle < 10, `${idle} timers are pending while the processor idles`);
  });
});
