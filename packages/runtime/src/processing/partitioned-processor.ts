import type { PartitionId, StreamPosition } from '@dolittle-ts/fundamentals';
import type { FailingPartition, StreamEvent, StreamProcessorState } from '@dolittle-ts/store';
import { yieldToEventLoop } from './event-watcher.js';
import type { RetryState } from './processing-result.js';
import { failureAfter } from './retry-schedule.js';
import type { StreamProcessorOptions } from './unpartitioned-processor.js';

type Partitioned = Extract<StreamProcessorState, { kind: 'partitioned' }>;

export interface PartitionedProcessorOptions extends StreamProcessorOptions {
  /** How many partitions may have an event in flight at once (order inside a partition is always kept). */
  readonly partitionsInFlight?: number;
  /** Most events read ahead of the oldest unfinished one. */
  readonly maxReadAhead?: number;
  /**
   * How often the position is saved: at most this often while busy, and within this time of going idle (so a trickle
   * of live events costs one durable write per interval, not one each). Always saved when the processor stops.
   */
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
 * at once, so a restart keeps them; the position (the oldest event not yet handled) is saved every `saveEveryMs`
 * (100 ms) at most, and when the processor stops. A crash redelivers what was handled since (at-least-once).
 */
export async function runPartitionedProcessor(
  options: PartitionedProcessorOptions,
  initial: Partitioned,
): Promise<void> {
  const { key, source, states, watcher, processor, context, logger } = options;
  const outer = context.signal;
  // Reads of 500: a read costs mostly per statement (on PostgreSQL a round trip through the pool), and 1,000 events
  // read ahead (two reads) keep every partition in flight busy while bounding what one processor holds in memory.
  const batchSize = options.batchSize ?? 500;
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  const maxInFlight = Math.max(1, options.partitionsInFlight ?? 8);
  const maxReadAhead = Math.max(batchSize, options.maxReadAhead ?? batchSize * 2);
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
  /** Entries of the window not done yet. */
  let unfinished = 0;
  const queues = new Map<PartitionId, Entry[]>();
  /** Partitions a worker is on; each worker takes the next waiting partition when it is done with one. */
  const running = new Set<PartitionId>();
  const workers = new Set<Promise<void>>();
  /** Partitions with queued events and no worker, in the order they became ready. */
  const waiting = new WaitingPartitions();
  /** Partitions being caught up; the main loop queues their new events instead of skipping them. */
  const recovering = new Set<PartitionId>();

  // The main loop's one wait: for new events of the source, a retry time, or stopping; `wake` ends it whenever a
  // worker finishes an event or a partition fails, so the loop can move on.
  const waiter = watcher.waiter(source.ref, signal);
  const wake = () => waiter.wake();
  const finished = (entry: Entry) => {
    if (entry.done) return;
    entry.done = true;
    unfinished--;
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
  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): Promise<void> => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    lastSavedAt = Date.now();
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

  /**
   * Saves the position when the processor goes idle: at once if nothing was saved for `saveEveryMs`, else when that
   * time is up, so a trickle of live events does not cost a durable write each. Until then a crash redelivers them.
   */
  const saveInBackground = () => {
    save().catch((error: unknown) => {
      if (!signal.aborted) fatal = error;
      stop.abort();
    });
  };
  const saveSoon = () => {
    if (saveTimer !== undefined) return;
    const wait = lastSavedAt + saveEveryMs - Date.now();
    saveTimer = setTimeout(
      () => {
        saveTimer = undefined;
        saveInBackground();
      },
      Math.max(0, wait),
    );
  };

  const markFailed = (partition: PartitionId, event: StreamEvent, failure: FailingPartition) => {
    failing.set(partition, failure);
    failureChanges++;
    for (const entry of queues.get(partition) ?? []) finished(entry);
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

  const process = async (event: StreamEvent, retry: RetryState | undefined) => {
    const result = await processor.process(event, retry, workerContext);
    if (signal.aborted) throw new Error('stopped');
    return result;
  };

  const drainQueue = async (partition: PartitionId) => {
    const queue = queues.get(partition);
    while (queue !== undefined && queue.length > 0 && !signal.aborted) {
      const entry = queue[0] as Entry;
      const result = await processor.process(entry.event, undefined, workerContext);
      if (signal.aborted) throw new Error('stopped');
      if (result.kind === 'failed') {
        markFailed(partition, entry.event, { position: entry.event.position, ...failureAfter(result, 1, now()) });
        finished(entry);
        await save();
        return;
      }
      queue.shift();
      finished(entry);
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
        const result = await process(event, retry);
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

  /**
   * A worker: does `work` for `partition`, then goes on with the next waiting partition while there is one, so a
   * catch-up over many partitions does not start a worker per partition.
   */
  const startWorker = (partition: PartitionId, work: () => Promise<void>) => {
    running.add(partition);
    const worker = (async () => {
      let current: PartitionId | undefined = partition;
      let next = work;
      while (current !== undefined) {
        try {
          await next();
        } catch (error) {
          if (!signal.aborted) fatal = error;
          stop.abort();
        }
        running.delete(current);
        if (signal.aborted) break;
        // Events of this partition may have been queued after the worker emptied its queue: run them too.
        if ((queues.get(current)?.length ?? 0) > 0 && !failing.has(current)) waiting.add(current);
        const following = waiting.take(running);
        current = following;
        if (following !== undefined) {
          running.add(following);
          next = () => drainQueue(following);
        }
        wake();
      }
      wake();
    })();
    workers.add(worker);
    // The worker never rejects: its errors end up in `fatal`.
    void worker.then(() => workers.delete(worker));
  };

  const schedule = (partition: PartitionId) => {
    if (running.has(partition) || waiting.has(partition)) return;
    if (running.size < maxInFlight) startWorker(partition, () => drainQueue(partition));
    else waiting.add(partition);
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
      if (unfinished >= maxReadAhead) {
        // Only a worker finishing an event (or stopping) can make room; a retry time may come first. New events
        // cannot: the wait is for no position.
        await waiter.wait(Number.POSITIVE_INFINITY, untilRetry);
        continue;
      }
      await yieldToEventLoop();
      const events = await source.read(readPosition as StreamPosition, batchSize);
      if (signal.aborted) break;
      if (events.length === 0) {
        saveSoon();
        // A partition may have failed while this turn awaited: look at the retry times again before sleeping.
        const untilNextRetry = startDueRecoveries();
        await waiter.wait(readPosition, Math.min(pollFallbackMs, untilNextRetry));
        continue;
      }
      for (const event of events) {
        readPosition = event.position + 1;
        if (failing.has(event.partition) && !recovering.has(event.partition)) continue;
        const entry: Entry = { event, done: false };
        window.push(entry);
        unfinished++;
        const queue = queues.get(event.partition);
        if (queue === undefined) queues.set(event.partition, [entry]);
        else queue.push(entry);
        schedule(event.partition);
      }
      // The position is saved at most every `saveEveryMs` while busy (a failure is saved at once, and so is the
      // position whenever the processor goes idle): a crash redelivers at most that much, never skips.
      // The save runs beside the reading (saves are chained, each writes the watermark of its own moment), so events
      // arriving meanwhile are not held up behind a durable write.
      if (Date.now() - lastSavedAt >= saveEveryMs) saveInBackground();
    }
  } finally {
    outer.removeEventListener('abort', onOuterAbort);
    stop.abort();
    waiter.close();
    clearTimeout(saveTimer);
    await Promise.allSettled(workers);
    // Keep what was handled; failures were saved when they happened.
    await save().catch(() => {});
  }
  if (fatal !== undefined) throw fatal;
}

/** A first-in first-out queue of partitions, each at most once, that takes and tests in constant time. */
class WaitingPartitions {
  readonly #members = new Set<PartitionId>();
  #order: PartitionId[] = [];
  #head = 0;

  has(partition: PartitionId): boolean {
    return this.#members.has(partition);
  }

  add(partition: PartitionId): void {
    if (this.#members.has(partition)) return;
    this.#members.add(partition);
    this.#order.push(partition);
  }

  /** The partition that has waited longest and is not in `busy`; the busy ones met on the way leave the queue. */
  take(busy: ReadonlySet<PartitionId>): PartitionId | undefined {
    while (this.#head < this.#order.length) {
      const partition = this.#order[this.#head++] as PartitionId;
      this.#members.delete(partition);
      if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
        this.#order = this.#order.slice(this.#head);
        this.#head = 0;
      }
      if (!busy.has(partition)) return partition;
    }
    return undefined;
  }
}
