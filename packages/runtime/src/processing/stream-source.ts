import {
  type EventLogSequenceNumber,
  type PartitionId,
  type StreamPosition,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import type { StreamEvent, TenantStore } from '@dolittle-ts/store';
import { type EventWatcher, KnownEnd, logEntries, type SourceRef } from './event-watcher.js';

/** Reads a processor's source stream in batches: the scope's event log, or a filtered stream. */
export interface StreamSource {
  readonly ref: SourceRef;
  read(from: StreamPosition, limit: number, partition?: PartitionId): Promise<readonly StreamEvent[]>;
}

/**
 * The source `ref` of `store`. With the tenant's `watcher`, a read of the whole source (no partition) is answered
 * without a query when it can be: from the newest events the watcher keeps (`recent`), or empty from where the source
 * was last seen to end with nothing notified since (`KnownEnd`).
 */
export function createStreamSource(store: TenantStore, ref: SourceRef, watcher?: EventWatcher): StreamSource {
  const source = readerOf(store, ref);
  if (watcher === undefined) return source;
  const known = new KnownEnd(watcher, ref);
  return {
    ref,
    async read(from, limit, partition) {
      if (partition !== undefined) return source.read(from, limit, partition);
      const events =
        watcher.recent(ref, from, limit) ?? (known.nothingFrom(from) ? [] : await source.read(from, limit));
      const last = events[events.length - 1];
      known.read(from, limit, events.length, last === undefined ? from : last.position + 1);
      return events;
    },
  };
}

function readerOf(store: TenantStore, ref: SourceRef): StreamSource {
  if (ref.kind === 'event-log') {
    return {
      ref,
      async read(from, limit, partition) {
        // The event log is unpartitioned: every event is in the unspecified partition.
        if (partition !== undefined && partition !== unspecifiedPartition) return [];
        return logEntries(
          await store.events.read(ref.scope, { from: from as number as EventLogSequenceNumber, limit }),
        );
      },
    };
  }
  const streams = store.streams;
  return {
    ref,
    read: (from, limit, partition) =>
      streams.read(ref, partition === undefined ? { from, limit } : { from, limit, partition }),
  };
}
