import type { EventLogSequenceNumber, PartitionId, ScopeId, StreamId, StreamPosition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from './events.js';
import type { StreamProcessorKey, StreamProcessorState } from './stream-processor-states.js';

/**
 * A stream written by a filter: private streams per scope (event handlers, private filters), and public streams
 * (public filters, always in the default scope) that the event horizon serves. The event log itself is not a
 * `StreamRef`: processors read it through `EventStore.read`.
 */
export interface StreamRef {
  readonly scope: ScopeId;
  readonly stream: StreamId;
  readonly public: boolean;
}

export interface StreamEvent {
  /** 0-based, dense position in the stream. */
  readonly position: StreamPosition;
  readonly partition: PartitionId;
  readonly event: CommittedEvent;
}

export interface FilteredEvent {
  readonly partition: PartitionId;
  /** The event's sequence number in the scope's event log. Streams refer to events; they do not copy them. */
  readonly sequenceNumber: EventLogSequenceNumber;
}

export interface StreamReadOptions {
  readonly from: StreamPosition;
  /** Most events to return; the adapter may return fewer. */
  readonly limit: number;
  /** Only events of this partition (positions stay the stream's own). */
  readonly partition?: PartitionId;
}

/**
 * Guarantees every adapter gives (checked by the conformance suite):
 * - positions per stream are dense, 0-based and in append order;
 * - `append` writes the entries AND the filter's new state in one durable transaction, so after a crash a filter
 *   resumes exactly after the last event it wrote: no entry is lost or written twice; with no entries it saves only
 *   the state; an entry that refers to no event of the scope's log is refused with `InvalidArgument` and nothing of
 *   the append is written;
 * - `read` returns the referenced events with the same data `EventStore.read` gives;
 * - private and public streams with the same id are different streams; scopes never see each other's streams.
 */
export interface Streams {
  append(
    stream: StreamRef,
    entries: readonly FilteredEvent[],
    filter: { readonly key: StreamProcessorKey; readonly state: StreamProcessorState },
  ): Promise<void>;
  read(stream: StreamRef, options: StreamReadOptions): Promise<readonly StreamEvent[]>;
  /** The position the next appended event will get (= number of events in the stream). */
  nextPosition(stream: StreamRef): Promise<StreamPosition>;
  /** Removes every event of the stream (a filter whose definition changed is rebuilt from the start). */
  drop(stream: StreamRef): Promise<void>;
}
