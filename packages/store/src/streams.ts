import type { PartitionId, ScopeId, StreamId, StreamPosition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from './events.js';

/*
 * Ports the processing issues build on. They are defined now so adapters take the right shape; the adapters
 * implement them as those issues land (each then gets its conformance tests).
 */

export interface StreamEvent {
  readonly position: StreamPosition;
  readonly partition: PartitionId;
  readonly event: CommittedEvent;
}

/** Streams written by filters (private and public), per tenant and scope. Positions are dense and 0-based. */
export interface Streams {
  /** Appends events to the stream; the positions continue from the stream's end. */
  write(
    scope: ScopeId,
    stream: StreamId,
    events: readonly { readonly partition: PartitionId; readonly event: CommittedEvent }[],
    options: { readonly public: boolean },
  ): Promise<void>;
  read(
    scope: ScopeId,
    stream: StreamId,
    options: { readonly from: StreamPosition; readonly limit: number; readonly partition?: PartitionId },
  ): Promise<readonly StreamEvent[]>;
  nextPosition(scope: ScopeId, stream: StreamId): Promise<StreamPosition>;
  /** Drops every event of the stream (a filter reset). */
  drop(scope: ScopeId, stream: StreamId): Promise<void>;
}
