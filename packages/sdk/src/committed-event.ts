import type {
  Artifact,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
  PartitionId,
  ScopeId,
  TenantId,
} from '@dolittle-ts/fundamentals';
import type { StoredEvent } from './transport/transport.js';

/** An event as it was committed, with its content parsed (and validated, when its type has a schema). */
export interface CommittedEvent<Content = unknown> {
  readonly content: Content;
  readonly type: Artifact;
  readonly eventSourceId: EventSourceId;
  readonly sequenceNumber: EventLogSequenceNumber;
  readonly occurred: Date;
  readonly public: boolean;
  /** Who committed it: microservice, tenant, correlation, claims. */
  readonly executionContext: ExecutionContext;
  /** Set when it came through the event horizon: its sequence number at the producer and when it arrived. */
  readonly external: { readonly sequenceNumber: EventLogSequenceNumber; readonly received: Date } | undefined;
}

export function committedEventOf<Content>(event: StoredEvent, content: Content): CommittedEvent<Content> {
  return {
    content,
    type: event.type,
    eventSourceId: event.eventSourceId,
    sequenceNumber: event.sequenceNumber,
    occurred: event.occurred,
    public: event.public,
    executionContext: event.executionContext,
    external: event.external,
  };
}

/** What a handler, filter or projection gets besides the content. */
export interface EventContext {
  readonly tenant: TenantId;
  readonly eventSourceId: EventSourceId;
  readonly sequenceNumber: EventLogSequenceNumber;
  readonly occurred: Date;
  readonly eventType: Artifact;
  readonly public: boolean;
  readonly executionContext: ExecutionContext;
  readonly external: CommittedEvent['external'];
  readonly scope: ScopeId;
  /** Set when this event failed before: why, and how many retries came before this one (0 on the first retry). */
  readonly retry: { readonly reason: string; readonly retryCount: number } | undefined;
  /** Aborted when the connection to the Runtime ends or the client closes: stop and let it be retried. */
  readonly signal: AbortSignal;
}

export interface HandlerContext extends EventContext {
  readonly partition: PartitionId;
}
