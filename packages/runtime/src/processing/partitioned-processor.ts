import type { PartitionId, StreamPosition } from '@dolittle-ts/fundamentals';
import type { FailingPartition, StreamEvent, StreamProcessorState } from '@dolittle-ts/store';
import { sleep, yieldToEventLoop } from './event-watcher.js';
import type { RetryState } from './processing-result.js';
import { failureAfter } from './retry-schedule.js';
import type { StreamProcessorOptions } from './unpartitioned-processor.js';

type Partitioned = Extract<StreamProcessorState, { kind: 'partitioned' }>;

export interface PartitionedProcessorOptions extends StreamProcessorOptions {
  /** How many partitions may have an event in flight at once (order inside a partition is always kept). */
  readonly partitionsInFlight?: number;
  /** Most events read ahead of the oldest unfinished one. */
  readonly maxReadAhead?: number;
  /** How often the position is saved while the processor is busy (it is always saved when it goes idle). */
  readonly saveEveryMs?: number;
}

interface Entry {
  readonly event: StreamEvent;
  done: boolean;
}

/**
 * Processes a stream whose events are partitioned. Order is kept inside each partition; up to `partitionsInFlight`
 * partitions are processed at once (1 = Dolittle 6's strictly sequential behaviour).
 *
 * A failure parks only its partition: the partition's later events are skipped by the main loop (they are still in
 * the stream), the other partitions go on. When the partition's retry time comes it is caught up in order from the
 * failed event, first with the retry state, and then it rejoins the main loop. Failures and retry times are saved
 * at once, so a restart keeps them; the position (the oldest event not yet handled) is saved after each batch.
 */
export async function runPartitionedProcessor(
  options: PartitionedProcessorOptions,
  initial: Partitioned,
): Promise<void> {
  const { key, source, states, watcher, processor, context, logger } = options;
  const outer = context.signal;
  const batchSize = options.batchSize ?? 100;
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  const maxInFlight = Math.max(1, options.partitionsInFlight ?? 8);
  const maxReadAhead = Math.max(batchSize, options.maxReadAhead ?? batchSize * 10);
  const now = options.now ?? (() => new Date());

  // Stops the workers when the head goes away or a worker meets an error (not a processing failure).
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  outer.addEventListener('abort', onOuterAbort, { once: true });
  if (outer.aborted) stop.abort();
  const signal = stop.signal;
  const workerContext = { ...context, signal };
  let fatal: unknown;

  const failing = new Map<PartitionId, FailingPartition>(initial.failingPartitions);
  let lastSuccess = initial.lastSuccessfullyProcessed;
  let readPosition = initial.position as number;
  const window: Entry[] = [];
  const queues = new Map<PartitionId, Entry[]>();
  const running = new Map<PartitionId, Promise<void>>();
  const waiting: PartitionId[] = [];
  /** Partitions being caught up; the main loop queues their new events instead of skipping them. */
  const recovering = new Set<PartitionId>();

  // Resolved (and replaced) whenever a worker finishes an event, so the main loop can move on.
  let pulse = resolvable();
  const wake = () => {
    pulse.resolve();
    pulse = resolvable();
  };

  const watermark = (): number => {
    while (window.length > 0 && (window[0] as Entry).done) window.shift();
    return window.length > 0 ? (window[0] as Entry).event.position : readPosition;
  };
  let savedPosition = initial.position as number;
  let savedFailures = 0;
  let failureChanges = 0;
  let saving: Promise<void> = Promise.resolve();
  let lastSavedAt = Date.now();
  const saveEveryMs = options.saveEveryMs ?? 100;
  const save = (): Promise<void> => {
    saving = saving.then(async () => {
      const position = watermark();
      const changes = failureChanges;
      if (position === savedPosition && changes === savedFailures) return;
      await states.set(key, {
        kind: 'partitioned',
        position: position as StreamPosition,
        failingPartitions: new Map(failing),
        lastSuccessfullyProcessed: lastSuccess,
      });
      savedPosition = position;
      savedFailures = changes;
    });
    return saving;
  };

  const markFailed = (partition: PartitionId, event: StreamEvent, failure: FailingPartition) => {
    failing.set(partition, failure);
    failureChanges++;
    for (const entry of queues.get(partition) ?? []) entry.done = true;
    queues.delete(partition);
    recovering.delete(partition);
    wake();
    logger.warn(
      {
        processor: key.processorId,
        partition,
        position: event.position,
        reason: failure.reason,
        attempts: failure.attempts,
      },
      'processing failed; the partition waits for its retry',
    );
  };

  const process = async (entry: Entry, retry: RetryState | undefined) => {
    const result = await processor.process(entry.event, retry, workerContext);
    if (signal.aborted) throw new Error('stopped');
    return result;
  };

  const drainQueue = async (partition: PartitionId) => {
    const queue = queues.get(partition);
    while (queue !== undefined && queue.length > 0 && !signal.aborted) {
      const entry = queue[0] as Entry;
      const result = await process(entry, undefined);
      if (result.kind === 'failed') {
        markFailed(partition, entry.event, { position: entry.event.position, ...failureAfter(result, 1, now()) });
        entry.done = true;
        await save();
        return;
      }
      queue.shift();
      entry.done = true;
      lastSuccess = now();
      wake();
    }
    if (queue !== undefined && queue.length === 0) queues.delete(partition);
  };

  const recover = async (partition: PartitionId, failure: FailingPartition) => {
    const boundary = readPosition;
    recovering.add(partition);
    let from = failure.position as number;
    let first = true;
    while (!signal.aborted) {
      const events = (await source.read(from as StreamPosition, batchSize, partition)).filter(
        (e) => e.position < boundary,
      );
      if (events.length === 0) break;
      for (const event of events) {
        const retry = first ? { reason: failure.reason, retryCount: failure.attempts - 1 } : undefined;
        const result = await process({ event, done: false }, retry);
        if (result.kind === 'failed') {
          const attempts = event.position === failure.position ? failure.attempts + 1 : 1;
          markFailed(partition, event, { position: event.position, ...failureAfter(result, attempts, now()) });
          await save();
          return;
        }
        first = false;
        from = event.position + 1;
        lastSuccess = now();
      }
    }
    if (signal.aborted) return;
    failing.delete(partition);
    failureChanges++;
    recovering.delete(partition);
    logger.info({ processor: key.processorId, partition }, 'partition recovered');
    await save();
    await drainQueue(partition);
  };

  const startWorker = (partition: PartitionId, work: () => Promise<void>) => {
    const worker = work()
      .catch((error: unknown) => {
        if (!signal.aborted) fatal = error;
        stop.abort();
      })
      .finally(() => {
        running.delete(partition);
        if (!signal.aborted) {
          // Events of this partition may have been queued after its worker emptied the queue: run them too.
          if ((queues.get(partition)?.length ?? 0) > 0 && !failing.has(partition)) waiting.push(partition);
          while (running.size < maxInFlight && waiting.length > 0) {
            const next = waiting.shift() as PartitionId;
            if (!running.has(next)) startWorker(next, () => drainQueue(next));
          }
        }
        wake();
      });
    running.set(partition, worker);
  };

  const schedule = (partition: PartitionId) => {
    if (running.has(partition) || waiting.includes(partition)) return;
    if (running.size < maxInFlight) startWorker(partition, () => drainQueue(partition));
    else waiting.push(partition);
  };

  /**
   * Starts the catch-up of every failing partition whose retry time has come, within the partitions-in-flight limit
   * (one that finds no free slot waits for a worker to finish, which wakes the main loop). A partition is caught up
   * only once the main loop has read past its failed event, so the failed event is always the first one retried.
   * Returns the milliseconds until the next retry time, if any.
   */
  const startDueRecoveries = (): number => {
    let next = Number.POSITIVE_INFINITY;
    const at = Date.now();
    for (const [partition, failure] of failing) {
      if (recovering.has(partition) || running.has(partition) || failure.retryAt === undefined) continue;
      if (failure.position >= readPosition) continue;
      const due = failure.retryAt.getTime();
      if (due > at) next = Math.min(next, due - at);
      else if (running.size < maxInFlight) startWorker(partition, () => recover(partition, failure));
    }
    return next;
  };

  try {
    while (!signal.aborted) {
      const untilRetry = startDueRecoveries();
      if (window.length - countDone(window) >= maxReadAhead) {
        await raceCleanly(signal, (waiting) => [pulse.promise, sleep(untilRetry, waiting)]);
        continue;
      }
      await yieldToEventLoop();
      const events = await source.read(readPosition as StreamPosition, batchSize);
      if (signal.aborted) break;
      if (events.length === 0) {
        await save();
        // A partition may have failed while this turn awaited: look at the retry times again before sleeping.
        const untilNextRetry = startDueRecoveries();
        await raceCleanly(signal, (waiting) => [
          watcher.wait(source.ref, readPosition, {
            timeoutMs: Math.min(pollFallbackMs, untilNextRetry),
            signal: waiting,
          }),
          running.size > 0 ? pulse.promise : new Promise<void>(() => {}),
        ]);
        continue;
      }
      for (const event of events) {
        readPosition = event.position + 1;
        if (failing.has(event.partition) && !recovering.has(event.partition)) continue;
        const entry: Entry = { event, done: false };
        window.push(entry);
        const queue = queues.get(event.partition);
        if (queue === undefined) queues.set(event.partition, [entry]);
        else queue.push(entry);
        schedule(event.partition);
      }
      // The position is saved at most every `saveEveryMs` while busy (a failure is saved at once, and so is the
      // position whenever the processor goes idle): a crash redelivers at most that much, never skips.
      if (Date.now() - lastSavedAt >= saveEveryMs) {
        lastSavedAt = Date.now();
        await save();
      }
    }
  } finally {
    outer.removeEventListener('abort', onOuterAbort);
    stop.abort();
    await Promise.allSettled(running.values());
    // Keep what was handled; failures were saved when they happened.
    await save().catch(() => {});
  }
  if (fatal !== undefined) throw fatal;
}

function countDone(window: readonly Entry[]): number {
  let done = 0;
  for (const entry of window) if (entry.done) done++;
  return done;
}

function resolvable(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Waits for the first of several waits, then ends the others, so no timer or abort listener outlives the wait (a
 * processor that waits thousands of times must not pile them up).
 */
/** The reason a finished wait's losers are aborted with (constructing a DOMException per wait is not free). */
const waitOver = new Error('the wait is over');

async function raceCleanly(signal: AbortSignal, waits: (waiting: AbortSignal) => Promise<void>[]): Promise<void> {
  const waiting = new AbortController();
  const stop = () => waiting.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) waiting.abort(waitOver);
  try {
    await Promise.race(waits(waiting.signal));
  } finally {
    waiting.abort(waitOver);
    signal.removeEventListener('abort', stop);
  }
}
