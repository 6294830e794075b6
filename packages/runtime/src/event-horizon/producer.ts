import { defaultScope, type PartitionId, type StreamId, type StreamPosition } from '@dolittle-ts/fundamentals';
import type { StreamEvent, StreamRef, TenantStore } from '@dolittle-ts/store';
import type { EventWatcher } from '../processing/event-watcher.js';

export interface ProducerStreamOptions {
  readonly store: TenantStore;
  readonly watcher: EventWatcher;
  readonly stream: StreamId;
  readonly partition: PartitionId;
  readonly from: StreamPosition;
  /** Sends one event; resolves when the consumer has stored it, rejects if it refused or went away. */
  readonly send: (event: StreamEvent) => Promise<void>;
  /** Events sent before their acknowledgements come back. */
  readonly window?: number;
  readonly signal: AbortSignal;
  readonly pollFallbackMs?: number;
}

/**
 * Streams one partition of a public stream to a consumer, from a position on, waiting for new public events once
 * caught up. Up to `window` events are in flight at once (the consumer acknowledges each after it is durable);
 * acknowledgements are awaited in order, so a refusal stops the stream at that event. Resolves when the signal
 * aborts; rejects when the consumer refuses an event.
 */
export async function streamPublicPartition(options: ProducerStreamOptions): Promise<void> {
  const { store, watcher, signal } = options;
  const { streams } = store;
  const ref: StreamRef = { scope: defaultScope, stream: options.stream, public: true };
  const source = { kind: 'stream', ...ref } as const;
  const window = Math.max(1, options.window ?? 64);
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  let position = options.from as number;
  const inFlight: Promise<void>[] = [];

  while (!signal.aborted) {
    const end = await streams.nextPosition(ref);
    const events = await streams.read(ref, {
      from: position as StreamPosition,
      limit: 500,
      partition: options.partition,
    });
    if (events.length === 0) {
      await Promise.all(inFlight.splice(0));
      position = Math.max(position, end);
      await watcher.wait(source, end, { timeoutMs: pollFallbackMs, signal });
      continue;
    }
    for (const event of events) {
      if (signal.aborted) break;
      const sent = options.send(event);
      // Awaited below, in order; the handler only keeps an early rejection from being reported as unhandled.
      sent.catch(() => {});
      inFlight.push(sent);
      if (inFlight.length >= window) await inFlight.shift();
      position = event.position + 1;
    }
  }
  await Promise.allSettled(inFlight);
}
