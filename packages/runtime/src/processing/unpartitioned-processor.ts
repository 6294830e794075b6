import type { StreamPosition } from '@dolittle-ts/fundamentals';
import type { StreamProcessorKey, StreamProcessorState, StreamProcessorStates } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import { type EventWatcher, yieldToEventLoop } from './event-watcher.js';
import type { EventProcessor, ProcessingContext } from './processing-result.js';
import { failureAfter, untilRetry } from './retry-schedule.js';
import type { StreamSource } from './stream-source.js';

export interface StreamProcessorOptions {
  readonly key: StreamProcessorKey;
  readonly source: StreamSource;
  readonly states: StreamProcessorStates;
  readonly watcher: EventWatcher;
  readonly processor: EventProcessor;
  readonly context: ProcessingContext;
  readonly logger: Logger;
  /** Events read per batch. */
  readonly batchSize?: number;
  /** How long to wait for a notification before looking again anyway (the polling fallback). */
  readonly pollFallbackMs?: number;
  readonly now?: () => Date;
}

type Unpartitioned = Extract<StreamProcessorState, { kind: 'unpartitioned' }>;

/**
 * Processes a stream strictly in order, one event at a time. A failing event halts the whole stream: it is retried
 * when its retry time comes (never, if the head said not to retry) and nothing after it is processed until it
 * succeeds. At-least-once: the position is saved after the events are handled, at the end of each batch.
 */
export async function runUnpartitionedProcessor(
  options: StreamProcessorOptions,
  initial: Unpartitioned,
): Promise<void> {
  const { key, source, states, watcher, processor, context } = options;
  const signal = context.signal;
  const batchSize = options.batchSize ?? 100;
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  let state: Unpartitioned = initial;

  const save = async (next: Unpartitioned) => {
    state = next;
    await states.set(key, state);
  };

  // One waiter for every wait for new events of the source.
  const waiter = watcher.waiter(source.ref, signal);
  try {
    while (!signal.aborted) {
      if (state.failure !== undefined) {
        // Parked for good (retry = false): wait until the head goes away; reprocessing resets the state.
        await untilRetry(state.failure, signal);
        if (signal.aborted) return;
        const [event] = await source.read(state.position, 1);
        if (event === undefined) {
          await save({ ...state, failure: undefined });
          continue;
        }
        const result = await processor.process(
          event,
          { reason: state.failure.reason, retryCount: state.failure.attempts - 1 },
          context,
        );
        if (signal.aborted) return;
        if (result.kind === 'succeeded') {
          await save({
            kind: 'unpartitioned',
            position: (event.position + 1) as StreamPosition,
            failure: undefined,
            lastSuccessfullyProcessed: now(),
          });
        } else {
          await save({ ...state, failure: failureAfter(result, state.failure.attempts + 1, now()) });
        }
        continue;
      }

      await yieldToEventLoop();
      const events = await source.read(state.position, batchSize);
      if (events.length === 0) {
        await waiter.wait(state.position, pollFallbackMs);
        continue;
      }
      let position = state.position;
      let lastSuccess = state.lastSuccessfullyProcessed;
      for (const event of events) {
        const result = await processor.process(event, undefined, context);
        if (signal.aborted) {
          // The head is gone: keep what was handled (at-least-once), without recording a failure.
          if (position !== state.position) await save({ ...state, position, lastSuccessfullyProcessed: lastSuccess });
          return;
        }
        if (result.kind === 'failed') {
          options.logger.warn(
            { processor: key.processorId, position: event.position, reason: result.reason },
            'processing failed; the stream halts at this event',
          );
          await save({
            kind: 'unpartitioned',
            position,
            failure: failureAfter(result, 1, now()),
            lastSuccessfullyProcessed: lastSuccess,
          });
          break;
        }
        position = (event.position + 1) as StreamPosition;
        lastSuccess = now();
      }
      if (state.failure === undefined && position !== state.position) {
        await save({ kind: 'unpartitioned', position, failure: undefined, lastSuccessfullyProcessed: lastSuccess });
      }
    }
  } finally {
    waiter.close();
  }
}
