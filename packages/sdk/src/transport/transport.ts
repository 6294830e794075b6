/*
 * The seam between the client and the two ways to reach a Runtime: over gRPC (remote/) or in this process
 * (embedded/). Everything above this file speaks these types only; no protobuf class and no Runtime internals cross
 * it. A transport reports failures as DolittleSdkError with a code from the closed set (errors.ts).
 */
import type {
  AggregateRootId,
  Artifact,
  ConsentId,
  CorrelationId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
  Guid,
  MicroserviceId,
  PartitionId,
  ScopeId,
  StreamId,
  TenantId,
  Version,
} from '@dolittle-ts/fundamentals';

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

/** Who calls: the tenant whose event store and read models are used, and the correlation of this call. */
export interface CallContext {
  readonly tenant: TenantId;
  readonly correlationId: CorrelationId;
}

/** An event as the Runtime stored it. Content is JSON text; the layer above parses and validates it. */
export interface StoredEvent {
  readonly sequenceNumber: EventLogSequenceNumber;
  readonly occurred: Date;
  readonly eventSourceId: EventSourceId;
  readonly executionContext: ExecutionContext;
  readonly type: Artifact;
  readonly public: boolean;
  readonly content: string;
  /** Set on events received through the event horizon. */
  readonly external: { readonly sequenceNumber: EventLogSequenceNumber; readonly received: Date } | undefined;
}

export interface UncommittedEvent {
  readonly eventSourceId: EventSourceId;
  readonly type: Artifact;
  readonly public: boolean;
  readonly content: string;
}

export interface UncommittedAggregateEvents {
  readonly aggregateRootId: AggregateRootId;
  readonly eventSourceId: EventSourceId;
  /** The number of events the aggregate root instance must have now. */
  readonly expectedVersion: number;
  readonly events: readonly { readonly type: Artifact; readonly public: boolean; readonly content: string }[];
}

export interface AggregateEvents {
  /** The number of events the instance has: the expected version of its next commit. */
  readonly version: number;
  readonly events: readonly StoredEvent[];
}

export interface ReadModelState {
  readonly key: string;
  /** JSON text. */
  readonly state: string;
  /** `initial`: nothing stored for the key yet, this is the projection's initial state. */
  readonly type: 'initial' | 'persisted';
}

export interface SubscriptionRequest {
  readonly producerMicroservice: MicroserviceId;
  readonly producerTenant: TenantId;
  readonly stream: StreamId;
  readonly partition: PartitionId;
  readonly scope: ScopeId;
}

// ---- processors: the Runtime calls the head ---------------------------------------------------------------------

export interface RetryState {
  readonly reason: string;
  /** 0 on the first retry. */
  readonly retryCount: number;
}

/** What one request to the head carries besides its payload. */
export interface RequestContext {
  readonly tenant: TenantId;
  readonly retry: RetryState | undefined;
  /** Aborted when the connection ends or the client closes; the head should give up then. */
  readonly signal: AbortSignal;
}

export type ProcessingFailure = {
  readonly kind: 'failed';
  readonly reason: string;
  readonly retry: boolean;
  readonly retryAfterMs: number;
};
export type ProcessingOutcome = { readonly kind: 'succeeded' } | ProcessingFailure;
export type FilterOutcome =
  | { readonly kind: 'included'; readonly partition: PartitionId }
  | { readonly kind: 'excluded' }
  | ProcessingFailure;
export type ProjectionOutcome =
  | { readonly kind: 'replace'; readonly state: string }
  | { readonly kind: 'delete' }
  | ProcessingFailure;

export type KeySelector =
  | { readonly kind: 'event-source' }
  | { readonly kind: 'partition' }
  | { readonly kind: 'property'; readonly property: string };

export interface EventHandlerProcessor {
  readonly kind: 'event-handler';
  readonly id: Guid;
  readonly scope: ScopeId;
  readonly types: readonly Artifact[];
  readonly partitioned: boolean;
  handle(
    event: StoredEvent,
    stream: { readonly partition: PartitionId; readonly scope: ScopeId },
    context: RequestContext,
  ): Promise<ProcessingOutcome>;
}

export interface FilterProcessor {
  readonly kind: 'filter';
  readonly id: Guid;
  /** Ignored for public filters (always the default scope). */
  readonly scope: ScopeId;
  readonly filterKind: 'unpartitioned' | 'partitioned' | 'public';
  filter(event: StoredEvent, context: RequestContext): Promise<FilterOutcome>;
}

export interface ProjectionProcessor {
  readonly kind: 'projection';
  readonly id: Guid;
  readonly scope: ScopeId;
  readonly selectors: readonly { readonly type: Artifact; readonly key: KeySelector }[];
  /** JSON text. */
  readonly initialState: string;
  project(current: ReadModelState, event: StoredEvent, context: RequestContext): Promise<ProjectionOutcome>;
}

/** An event an embedding resolved to (to be committed by the Runtime under the key's event source). */
export interface EmbeddingEvent {
  readonly type: Artifact;
  readonly public: boolean;
  /** JSON text. */
  readonly content: string;
}

export type EmbeddingEventsOutcome =
  | { readonly kind: 'events'; readonly events: readonly EmbeddingEvent[] }
  | { readonly kind: 'failed'; readonly reason: string };
export type EmbeddingProjectOutcome =
  | { readonly kind: 'replace'; readonly state: string }
  | { readonly kind: 'delete' }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * An embedding (spec §2.7): the Runtime asks the head which events take a key's read model to a desired state
 * (`compare`), which delete it (`delete`), and what each event makes of the read model (`project`). `current.type`
 * is `initial` when the key has no read model (never had one, or it was deleted): `current.state` is then the
 * initial state.
 */
export interface EmbeddingProcessor {
  readonly kind: 'embedding';
  readonly id: Guid;
  readonly types: readonly Artifact[];
  /** JSON text. */
  readonly initialState: string;
  compare(current: ReadModelState, desired: string, context: RequestContext): Promise<EmbeddingEventsOutcome>;
  delete(current: ReadModelState, context: RequestContext): Promise<EmbeddingEventsOutcome>;
  project(
    current: ReadModelState,
    event: EmbeddingEvent & { readonly eventSourceId: EventSourceId },
    context: RequestContext,
  ): Promise<EmbeddingProjectOutcome>;
}

export type Processor = EventHandlerProcessor | FilterProcessor | ProjectionProcessor | EmbeddingProcessor;

/** A registered processor. `ended` never rejects: it resolves with why the registration ended. */
export interface ProcessorConnection {
  readonly ended: Promise<ProcessorEnd>;
}

export interface ProcessorEnd {
  /** `closed`: the signal given to `register` aborted. Anything else: the connection was lost. */
  readonly reason: 'closed' | 'lost';
  readonly description: string;
  readonly error?: unknown;
}

/** The head's identity as it goes into every execution context. */
export interface HeadIdentity {
  readonly microserviceId: MicroserviceId;
  readonly version: Version;
  readonly environment: string;
}

export interface Transport {
  readonly kind: 'remote' | 'embedded';
  /** Human-readable: `localhost:50053`, `embedded (memory)`. */
  readonly description: string;

  commit(context: CallContext, events: readonly UncommittedEvent[], options?: CallOptions): Promise<StoredEvent[]>;
  /** Rejects with AggregateRootConcurrencyConflict when the instance is not at `expectedVersion`. */
  commitForAggregate(
    context: CallContext,
    commit: UncommittedAggregateEvents,
    options?: CallOptions,
  ): Promise<StoredEvent[]>;
  fetchForAggregate(
    context: CallContext,
    aggregateRootId: AggregateRootId,
    eventSourceId: EventSourceId,
    options?: CallOptions,
  ): Promise<AggregateEvents>;

  getProjection(
    context: CallContext,
    scope: ScopeId,
    projectionId: Guid,
    key: string,
    options?: CallOptions,
  ): Promise<ReadModelState>;
  getAllProjections(
    context: CallContext,
    scope: ScopeId,
    projectionId: Guid,
    options?: CallOptions,
  ): Promise<ReadModelState[]>;

  /**
   * Runs an embedding's update: the Runtime asks the registered head for the events that lead from the key's read
   * model to `desired` (JSON text), commits them and stores the read model, which it answers. Rejects with
   * NoEmbeddingRegisteredForTenant (no head registered the embedding) or FailedToUpdateEmbedding.
   */
  updateEmbedding(
    context: CallContext,
    embeddingId: Guid,
    key: string,
    desired: string,
    options?: CallOptions,
  ): Promise<ReadModelState>;
  /** Rejects with NoEmbeddingRegisteredForTenant or FailedToDeleteEmbedding. */
  deleteEmbedding(context: CallContext, embeddingId: Guid, key: string, options?: CallOptions): Promise<void>;
  /** The key's read model, or the initial state; NoEmbeddingRegisteredForTenant if never registered with the tenant. */
  getEmbedding(context: CallContext, embeddingId: Guid, key: string, options?: CallOptions): Promise<ReadModelState>;
  /** Every read model that exists (deleted ones are not listed). */
  getAllEmbeddings(context: CallContext, embeddingId: Guid, options?: CallOptions): Promise<ReadModelState[]>;
  getEmbeddingKeys(context: CallContext, embeddingId: Guid, options?: CallOptions): Promise<string[]>;

  /** Asks the Runtime to subscribe the context's tenant to a producer's public stream. */
  subscribe(context: CallContext, subscription: SubscriptionRequest, options?: CallOptions): Promise<ConsentId>;

  /**
   * Registers a processor once. Resolves when the Runtime accepted it; rejects with RegistrationFailed when the
   * Runtime refused it, Unavailable when it could not be reached, Aborted when `signal` aborted first. Reconnecting
   * is the caller's job (processor-supervisor.ts), so both transports behave the same.
   */
  register(processor: Processor, options: { readonly signal: AbortSignal }): Promise<ProcessorConnection>;

  /** Ends every connection and releases every resource (channels, timers, an owned in-process Runtime). */
  close(): Promise<void>;
}
