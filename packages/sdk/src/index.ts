export {
  type AggregateCommand,
  type AggregateContext,
  type AggregateDefinition,
  type AggregateInstance,
  type AggregateOptions,
  Aggregates,
  defineAggregate,
  type LoadedAggregate,
  type Performed,
  type PerformOptions,
} from './aggregates.js';
export {
  type ConnectOptions,
  DolittleClient,
  type EmbeddedOptions,
  type EmbeddedRuntime,
  type EmbeddedStore,
  type MicroserviceAddress,
  type RuntimeTarget,
  TenantClient,
} from './client.js';
export type { CommittedEvent, EventContext, HandlerContext } from './committed-event.js';
export { EmbeddingStore } from './embedding-store.js';
export {
  defineEmbedding,
  type EmbeddingContext,
  type EmbeddingDefinition,
  type EmbeddingEventOf,
  type EmbeddingHandlers,
  type EmbeddingOptions,
  type EmbeddingProjectContext,
  type EmbeddingProjectResult,
  type EmbeddingStateOf,
  type ResolvedEvents,
} from './embeddings.js';
export {
  AggregateRootConcurrencyConflict,
  DolittleSdkError,
  type DolittleSdkErrorCode,
  type EmbeddingFailureData,
  FailedToDeleteEmbedding,
  FailedToUpdateEmbedding,
  InvalidArgument,
  InvalidEventContent,
  NoEmbeddingRegisteredForTenant,
  type ProcessorKind,
  RegistrationFailed,
  type SchemaIssue,
} from './errors.js';
export {
  defineEventHandler,
  type EventHandlerDefinition,
  type EventHandlerFunctions,
  type EventHandlerOptions,
} from './event-handlers.js';
export {
  type AggregateRootEvents,
  type CommitOptions,
  type CommittedAggregateEvents,
  EventStore,
} from './event-store.js';
export {
  type ContentOf,
  defineEventType,
  type EventType,
  type EventTypeMap,
  type EventTypeOptions,
  type NewEvent,
  type ValidateOn,
} from './event-types.js';
export {
  defineFilter,
  definePublicFilter,
  type FilterDefinition,
  type FilterFunction,
  type FilterOptions,
  type FilterResult,
  isEvent,
} from './filters.js';
export * from './ids.js';
export { consoleLogger, type Logger, silentLogger } from './logger.js';
export type { ReconnectOptions } from './processing/processor-supervisor.js';
export {
  defaultRetryPolicy,
  type FailedAttempt,
  type RetryDecision,
  type RetryPolicy,
  retryAfter,
} from './processing/retry-policy.js';
export { ProjectionStore, type ReadModel } from './projection-store.js';
export {
  defineProjection,
  fromEventSource,
  fromPartition,
  fromProperty,
  type KeySelectorFor,
  type ProjectionContext,
  type ProjectionDefinition,
  type ProjectionHandlers,
  type ProjectionOptions,
  type ProjectResult,
  type StateOf,
} from './projections.js';
export type { StandardSchemaV1 } from './schema.js';
export { defineSubscription, type SubscriptionDefinition, type SubscriptionOptions } from './subscriptions.js';
export type { CallOptions } from './transport/transport.js';
