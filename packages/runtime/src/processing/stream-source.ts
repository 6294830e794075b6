import {
  type EventLogSequenceNumber,
  type PartitionId,
  type StreamPosition,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import type { StreamEvent, TenantStore } from '@dolittle-ts/store';
import type { SourceRef } from './event-watcher.js';

/** Reads a processor's source stream in batches: the scope's event log, or a filtered stream. */
export interface StreamSource {
  readonly ref: SourceRef;
  read(from: StreamPosition, limit: number, partition?: PartitionId): Promise<readonly StreamEvent[]>;
}

export function createStreamSource(store: TenantStore, ref: SourceRef): StreamSource {
  if (ref.kind === 'event-log') {
    return {
      ref,
      async read(from, limit, partition) {
        // The event log is unpartitioned: every event is in the unspecified partition.
        if (partition !== undefined && partition !== unspecifiedPartition) return [];
        const events = await store.events.read(ref.scope, { from: from as number as EventLogSequenceNumber, limit });
        return events.map((event) => ({
          position: event.sequenceNumber as number as StreamPosition,
          partition: unspecifiedPartition,
          event,
        }));
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
