import type { PartitionId, StreamPosition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, FilteredEvent, StreamProcessorState, StreamRef, Streams } from '@dolittle-ts/store';
import { yieldToEventLoop } from './event-watcher.js';
import type { EventFilter, FilterResult, RetryState } from './processing-result.js';
import { failureAfter, untilRetry } from './retry-schedule.js';
import type { StreamProcessorOptions } from './unpartitioned-processor.js';

type Unpartitioned = Extract<StreamProcessorState, { kind: 'unpartitioned' }>;

/** An event the filter included, and the partition it put it in. */
interface Included {
  readonly partition: PartitionId;
  readonly event: CommittedEvent;
}

export interface FilterProcessorOptions extends Omit<StreamProcessorOptions, 'processor'> {
  readonly filter: EventFilter;
  readonly target: StreamRef;
  readonly streams: Streams;
  /**
   * The filter answers the same for an event every time (the Runtime's own type filters), so entries may be handed
   * to the stream's processor while their append is still being written: see `runFilterProcessor`.
   */
  readonly deterministic?: boolean;
}

/**
 * Runs a filter over a scope's event log and appends the included events to the target stream. The entries of a
 * batch and the filter's new position are written in one transaction, so the stream never misses or repeats an
 * event, crash or not. A filter that fails halts at that event (filters are unpartitioned) until it succeeds.
 *
 * The stream's processor is told of new entries through the watcher, which keeps them in memory. A deterministic
 * filter tells it as soon as a live batch is filtered, not after its append is durable, which spares the processor
 * waiting for a second durable write per event (on PostgreSQL a round trip to the server). The events themselves
 * are durable in the log; only their entries in the stream are not yet, and that cannot make the processor skip:
 * - if the append is lost (a crash) or fails, this filter starts again from its saved state (the entries and the
 *   state are written together) and writes the same entries at the same positions, the log being immutable;
 * - the processor's position is saved through the same store writer after the append, so it is never durable
 *   ahead of the stream: after a crash it reprocesses these entries (at-least-once) rather than skipping them;
 * - only one append is in flight and every earlier one is durable, and a batch is handed over early only when the
 *   watcher keeps all of it, so whatever the processor cannot take from memory, the store has.
 */
export async function runFilterProcessor(options: FilterProcessorOptions, initial: Unpartitioned): Promise<void> {
  const { key, source, streams, states, watcher, filter, context, target } = options;
  const signal = context.signal;
  // Large batches while catching up: a stream append costs mostly per transaction (on SQLite the filtered stream's
  // partition index dirties pages all over the file, and the WAL is synced once per transaction), so 5,000 events
  // per transaction cost a third of 500 per event. Live, a batch is whatever arrived since the last one.
  const batchSize = options.batchSize ?? 5000;
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const targetRef = { kind: 'stream', ...target } as const;
  let state = initial;
  let streamEnd = (await streams.nextPosition(target)) as number;

  /** Writes the included events (each with its partition) and the filter's next state in one transaction. */
  const commit = async (included: readonly Included[], next: Unpartitioned) => {
    const entries: FilteredEvent[] = included.map(({ partition, event }) => ({
      partition,
      sequenceNumber: event.sequenceNumber,
    }));
    // The processor reading the stream gets these from the watcher, not by reading back what was just written.
    const notify = () => {
      const written = included.map(({ partition, event }, i) => ({
        position: (streamEnd + i) as StreamPosition,
        partition,
        event,
      }));
      watcher.notify(targetRef, streamEnd + entries.length - 1, written);
    };
    const early = options.deterministic === true && entries.length > 0 && watcher.keepsWhole(entries.length);
    if (early) notify();
    if (entries.length === 0 && next.position === state.position) await states.set(key, next);
    else await streams.append(target, entries, { key, state: next });
    state = next;
    if (entries.length > 0) {
      if (!early) notify();
      streamEnd += entries.length;
    }
  };

  const run = async (
    retry: RetryState | undefined,
    event: Parameters<EventFilter['filter']>[0],
  ): Promise<FilterResult> => filter.filter(event, retry, context);

  // One waiter for every wait for new events of the log.
  const waiter = watcher.waiter(source.ref, signal);
  try {
    while (!signal.aborted) {
      if (state.failure !== undefined) {
        await untilRetry(state.failure, signal);
        if (signal.aborted) return;
        const [event] = await source.read(state.position, 1);
        if (event === undefined) {
          await commit([], { ...state, failure: undefined });
          continue;
        }
        const result = await run({ reason: state.failure.reason, retryCount: state.failure.attempts - 1 }, event.event);
        if (signal.aborted) return;
        if (result.kind === 'failed') {
          await commit([], { ...state, failure: failureAfter(result, state.failure.attempts + 1, now()) });
          continue;
        }
        await commit(result.kind === 'included' ? [{ partition: result.partition, event: event.event }] : [], {
          kind: 'unpartitioned',
          position: (event.position + 1) as StreamPosition,
          failure: undefined,
          lastSuccessfullyProcessed: now(),
        });
        continue;
      }

      await yieldToEventLoop();
      const events = await source.read(state.position, batchSize);
      if (events.length === 0) {
        await waiter.wait(state.position, pollFallbackMs);
        continue;
      }
      const entries: Included[] = [];
      let position = state.position;
      let failure: Unpartitioned['failure'];
      for (const { event, position: at } of events) {
        // The Runtime's own filters (event handlers' type filters) answer at once: no turn of the microtask queue then.
        const answer = filter.filter(event, undefined, context);
        const result = 'then' in answer ? await answer : answer;
        if (signal.aborted) break;
        if (result.kind === 'failed') {
          options.logger.warn(
            { filter: key.processorId, position: at, reason: result.reason },
            'filter failed; it halts at this event',
          );
          failure = failureAfter(result, 1, now());
          break;
        }
        if (result.kind === 'included') entries.push({ partition: result.partition, event });
        position = (at + 1) as StreamPosition;
      }
      if (position !== state.position || failure !== undefined) {
        await commit(entries, {
          kind: 'unpartitioned',
          position,
          failure,
          lastSuccessfullyProcessed: position !== state.position ? now() : state.lastSuccessfullyProcessed,
        });
      }
    }
  } finally {
    waiter.close();
  }
}
