import type {
  AggregateRootId,
  AggregateRootVersion,
  Artifact,
  ConsentId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
  ScopeId,
} from '@dolittle-ts/fundamentals';

/** An event as a client asks to commit it. `content` is a JSON document, kept verbatim. */
export interface UncommittedEvent {
  readonly eventSourceId: EventSourceId;
  readonly type: Artifact;
  readonly public: boolean;
  readonly content: string;
}

export interface UncommittedAggregateEvent {
  readonly type: Artifact;
  readonly public: boolean;
  readonly content: string;
}

/** Set on events written by an aggregate root: the version this event gave it (0-based). */
export interface AggregateMetadata {
  readonly rootId: AggregateRootId;
  readonly version: AggregateRootVersion;
}

/** Set on events received through the event horizon and written into a scoped event log. */
export interface ExternalMetadata {
  readonly sequenceNumber: EventLogSequenceNumber;
  readonly received: Date;
  readonly consentId: ConsentId;
}

export interface CommittedEvent {
  readonly sequenceNumber: EventLogSequenceNumber;
  readonly occurred: Date;
  readonly eventSourceId: EventSourceId;
  readonly executionContext: ExecutionContext;
  readonly type: Artifact;
  readonly public: boolean;
  readonly content: string;
  readonly aggregate: AggregateMetadata | undefined;
  readonly external: ExternalMetadata | undefined;
}

/** One client commit. A batch holds many; each succeeds or fails on its own. Always to the default scope. */
export type Commit =
  | {
      readonly kind: 'events';
      readonly executionContext: ExecutionContext;
      readonly events: readonly UncommittedEvent[];
    }
  | {
      readonly kind: 'aggregate';
      readonly executionContext: ExecutionContext;
      readonly aggregateRootId: AggregateRootId;
      readonly eventSourceId: EventSourceId;
      /** The number of events the aggregate root instance must already have. */
      readonly expectedVersion: AggregateRootVersion;
      readonly events: readonly UncommittedAggregateEvent[];
    };

export type CommitOutcome =
  | { readonly ok: true; readonly events: readonly CommittedEvent[] }
  | {
      readonly ok: false;
      readonly failure:
        | { readonly kind: 'NoEventsToCommit' }
        | {
            readonly kind: 'AggregateRootConcurrencyConflict';
            readonly expected: AggregateRootVersion;
            readonly actual: AggregateRootVersion;
          };
    };

export interface CommitBatchOptions {
  /** The time stamped on every event of the batch. */
  readonly occurred: Date;
}

export interface ReadOptions {
  /** First sequence number to return. */
  readonly from: EventLogSequenceNumber;
  /** Most events to return; the adapter may return fewer. */
  readonly limit: number;
}

export interface AggregateEvents {
  /** The number of events the aggregate root instance has (its expected version for the next commit). */
  readonly version: AggregateRootVersion;
  /** Its events in version order. */
  readonly events: readonly CommittedEvent[];
}

/**
 * A tenant's event store: its event log (one per scope) and the versions of its aggregate roots.
 *
 * Guarantees every adapter gives (checked by the conformance suite):
 * - sequence numbers per (tenant, scope) are dense, 0-based and in commit order;
 * - `commit` writes the whole batch in one durable transaction, and resolves only after it is on disk;
 *   inside the batch each commit succeeds or fails on its own (a failed commit writes nothing), in array order;
 * - if `commit` rejects, nothing of the batch was written (or, if the outcome is uncertain, the adapter has
 *   resolved the truth before it accepts another batch);
 * - content, execution context, type, public flag and occurred time round-trip exactly.
 */
export interface EventStore {
  commit(batch: readonly Commit[], options: CommitBatchOptions): Promise<readonly CommitOutcome[]>;
  /** Events of the scope's event log from `from` on, in order, at most `limit`. */
  read(scope: ScopeId, options: ReadOptions): Promise<readonly CommittedEvent[]>;
  /** The sequence number the next event of this scope's log will get (= number of events in it). */
  nextSequenceNumber(scope: ScopeId): Promise<EventLogSequenceNumber>;
  fetchForAggregate(aggregateRootId: AggregateRootId, eventSourceId: EventSourceId): Promise<AggregateEvents>;
  aggregateVersion(aggregateRootId: AggregateRootId, eventSourceId: EventSourceId): Promise<AggregateRootVersion>;
}
