/*
 * The one place that loads Dolittle's generated contracts (CommonJS, google-protobuf) and gives their classes and
 * service definitions typed ESM names. Used only at the edges: the Runtime's grpc/ and the SDK's remote transport.
 */
import artifactPb from '@dolittle/contracts/Artifacts/Artifact_pb.js';
import executionContextPb from '@dolittle/contracts/Execution/ExecutionContext_pb.js';
import failurePb from '@dolittle/contracts/Protobuf/Failure_pb.js';
import uuidPb from '@dolittle/contracts/Protobuf/Uuid_pb.js';
import claimPb from '@dolittle/contracts/Security/Claim_pb.js';
import callContextPb from '@dolittle/contracts/Services/CallContext_pb.js';
import pingPb from '@dolittle/contracts/Services/Ping_pb.js';
import reverseCallContextPb from '@dolittle/contracts/Services/ReverseCallContext_pb.js';
import versionPb from '@dolittle/contracts/Versioning/Version_pb.js';
import embeddingsGrpc from '@dolittle/runtime.contracts/Embeddings/Embeddings_grpc_pb.js';
import embeddingsPb from '@dolittle/runtime.contracts/Embeddings/Embeddings_pb.js';
import embeddingStoreGrpc from '@dolittle/runtime.contracts/Embeddings/Store_grpc_pb.js';
import embeddingStorePb from '@dolittle/runtime.contracts/Embeddings/Store_pb.js';
import eventHorizonConsumerGrpc from '@dolittle/runtime.contracts/EventHorizon/Consumer_grpc_pb.js';
import eventHorizonConsumerPb from '@dolittle/runtime.contracts/EventHorizon/Consumer_pb.js';
import subscriptionsGrpc from '@dolittle/runtime.contracts/EventHorizon/Subscriptions_grpc_pb.js';
import subscriptionsPb from '@dolittle/runtime.contracts/EventHorizon/Subscriptions_pb.js';
import aggregatePb from '@dolittle/runtime.contracts/Events/Aggregate_pb.js';
import committedPb from '@dolittle/runtime.contracts/Events/Committed_pb.js';
import eventStoreGrpc from '@dolittle/runtime.contracts/Events/EventStore_grpc_pb.js';
import eventStorePb from '@dolittle/runtime.contracts/Events/EventStore_pb.js';
import uncommittedPb from '@dolittle/runtime.contracts/Events/Uncommitted_pb.js';
import eventHandlersGrpc from '@dolittle/runtime.contracts/Events.Processing/EventHandlers_grpc_pb.js';
import eventHandlersPb from '@dolittle/runtime.contracts/Events.Processing/EventHandlers_pb.js';
import filtersGrpc from '@dolittle/runtime.contracts/Events.Processing/Filters_grpc_pb.js';
import filtersPb from '@dolittle/runtime.contracts/Events.Processing/Filters_pb.js';
import partitionedFiltersPb from '@dolittle/runtime.contracts/Events.Processing/PartitionedFilters_pb.js';
import processorsPb from '@dolittle/runtime.contracts/Events.Processing/Processors_pb.js';
import projectionsProcessingGrpc from '@dolittle/runtime.contracts/Events.Processing/Projections_grpc_pb.js';
import projectionsProcessingPb from '@dolittle/runtime.contracts/Events.Processing/Projections_pb.js';
import publicFiltersPb from '@dolittle/runtime.contracts/Events.Processing/PublicFilters_pb.js';
import streamEventPb from '@dolittle/runtime.contracts/Events.Processing/StreamEvent_pb.js';
import projectionStatePb from '@dolittle/runtime.contracts/Projections/State_pb.js';
import projectionStoreGrpc from '@dolittle/runtime.contracts/Projections/Store_grpc_pb.js';
import projectionStorePb from '@dolittle/runtime.contracts/Projections/Store_pb.js';
import durationPb from 'google-protobuf/google/protobuf/duration_pb.js';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';

export const { Artifact } = artifactPb;
export type Artifact = InstanceType<typeof Artifact>;
export const { ExecutionContext } = executionContextPb;
export type ExecutionContext = InstanceType<typeof ExecutionContext>;
export const { Failure } = failurePb;
export type Failure = InstanceType<typeof Failure>;
export const { Uuid } = uuidPb;
export type Uuid = InstanceType<typeof Uuid>;
export const { Claim } = claimPb;
export type Claim = InstanceType<typeof Claim>;
export const { CallRequestContext } = callContextPb;
export type CallRequestContext = InstanceType<typeof CallRequestContext>;
export const { Version } = versionPb;
export type Version = InstanceType<typeof Version>;
export const { Aggregate } = aggregatePb;
export type Aggregate = InstanceType<typeof Aggregate>;
export const { CommittedEvent, CommittedAggregateEvents } = committedPb;
export type CommittedEvent = InstanceType<typeof CommittedEvent>;
export type CommittedAggregateEvents = InstanceType<typeof CommittedAggregateEvents>;
export const CommittedAggregateEvent = committedPb.CommittedAggregateEvents.CommittedAggregateEvent;
export type CommittedAggregateEvent = InstanceType<typeof CommittedAggregateEvent>;
export const {
  CommitEventsRequest,
  CommitEventsResponse,
  CommitAggregateEventsRequest,
  CommitAggregateEventsResponse,
  FetchForAggregateRequest,
  FetchForAggregateResponse,
} = eventStorePb;
export type CommitEventsRequest = InstanceType<typeof CommitEventsRequest>;
export type CommitEventsResponse = InstanceType<typeof CommitEventsResponse>;
export type CommitAggregateEventsRequest = InstanceType<typeof CommitAggregateEventsRequest>;
export type CommitAggregateEventsResponse = InstanceType<typeof CommitAggregateEventsResponse>;
export type FetchForAggregateRequest = InstanceType<typeof FetchForAggregateRequest>;
export type FetchForAggregateResponse = InstanceType<typeof FetchForAggregateResponse>;
export const { UncommittedEvent, UncommittedAggregateEvents } = uncommittedPb;
export type UncommittedEvent = InstanceType<typeof UncommittedEvent>;
export type UncommittedAggregateEvents = InstanceType<typeof UncommittedAggregateEvents>;
export const { Timestamp } = timestampPb;
export type Timestamp = InstanceType<typeof Timestamp>;

export const eventStoreService = eventStoreGrpc.EventStoreService;

// Reverse calls (grpc/reverse-calls/): the call contexts, pings, and the EventHandlers service.
export const { Duration } = durationPb;
export type Duration = InstanceType<typeof Duration>;
export const { Ping, Pong } = pingPb;
export type Ping = InstanceType<typeof Ping>;
export type Pong = InstanceType<typeof Pong>;
export const { ReverseCallArgumentsContext, ReverseCallRequestContext, ReverseCallResponseContext } =
  reverseCallContextPb;
export type ReverseCallArgumentsContext = InstanceType<typeof ReverseCallArgumentsContext>;
export type ReverseCallRequestContext = InstanceType<typeof ReverseCallRequestContext>;
export type ReverseCallResponseContext = InstanceType<typeof ReverseCallResponseContext>;
export const { ProcessorFailure, RetryProcessingState } = processorsPb;
export type ProcessorFailure = InstanceType<typeof ProcessorFailure>;
export type RetryProcessingState = InstanceType<typeof RetryProcessingState>;
export const { StreamEvent } = streamEventPb;
export type StreamEvent = InstanceType<typeof StreamEvent>;
export const {
  EventHandlerClientToRuntimeMessage,
  EventHandlerRuntimeToClientMessage,
  EventHandlerRegistrationRequest,
  EventHandlerRegistrationResponse,
  HandleEventRequest,
  EventHandlerResponse,
} = eventHandlersPb;
export type EventHandlerClientToRuntimeMessage = InstanceType<typeof EventHandlerClientToRuntimeMessage>;
export type EventHandlerRuntimeToClientMessage = InstanceType<typeof EventHandlerRuntimeToClientMessage>;
export type EventHandlerRegistrationRequest = InstanceType<typeof EventHandlerRegistrationRequest>;
export type EventHandlerRegistrationResponse = InstanceType<typeof EventHandlerRegistrationResponse>;
export type HandleEventRequest = InstanceType<typeof HandleEventRequest>;
export type EventHandlerResponse = InstanceType<typeof EventHandlerResponse>;
export const eventHandlersService = eventHandlersGrpc.EventHandlersService;

// Filters (private, partitioned, public).

export const {
  FilterClientToRuntimeMessage,
  FilterRuntimeToClientMessage,
  FilterRegistrationRequest,
  FilterRegistrationResponse,
  FilterEventRequest,
  FilterResponse,
} = filtersPb;
export type FilterClientToRuntimeMessage = InstanceType<typeof FilterClientToRuntimeMessage>;
export type FilterRuntimeToClientMessage = InstanceType<typeof FilterRuntimeToClientMessage>;
export type FilterRegistrationRequest = InstanceType<typeof FilterRegistrationRequest>;
export type FilterRegistrationResponse = InstanceType<typeof FilterRegistrationResponse>;
export type FilterEventRequest = InstanceType<typeof FilterEventRequest>;
export type FilterResponse = InstanceType<typeof FilterResponse>;
export const {
  PartitionedFilterClientToRuntimeMessage,
  PartitionedFilterRegistrationRequest,
  PartitionedFilterResponse,
} = partitionedFiltersPb;
export type PartitionedFilterClientToRuntimeMessage = InstanceType<typeof PartitionedFilterClientToRuntimeMessage>;
export type PartitionedFilterRegistrationRequest = InstanceType<typeof PartitionedFilterRegistrationRequest>;
export type PartitionedFilterResponse = InstanceType<typeof PartitionedFilterResponse>;
export const { PublicFilterClientToRuntimeMessage, PublicFilterRegistrationRequest } = publicFiltersPb;
export type PublicFilterClientToRuntimeMessage = InstanceType<typeof PublicFilterClientToRuntimeMessage>;
export type PublicFilterRegistrationRequest = InstanceType<typeof PublicFilterRegistrationRequest>;
export const filtersService = filtersGrpc.FiltersService;

// Projections: the processing reverse call and the read-model store.
export const {
  ProjectionClientToRuntimeMessage,
  ProjectionRuntimeToClientMessage,
  ProjectionRegistrationRequest,
  ProjectionRegistrationResponse,
  ProjectionRequest,
  ProjectionResponse,
  ProjectionEventSelector,
  ProjectionReplaceResponse,
  ProjectionDeleteResponse,
  EventSourceIdKeySelector,
  PartitionIdKeySelector,
  EventPropertyKeySelector,
} = projectionsProcessingPb;
export type ProjectionClientToRuntimeMessage = InstanceType<typeof ProjectionClientToRuntimeMessage>;
export type ProjectionRuntimeToClientMessage = InstanceType<typeof ProjectionRuntimeToClientMessage>;
export type ProjectionRegistrationRequest = InstanceType<typeof ProjectionRegistrationRequest>;
export type ProjectionRegistrationResponse = InstanceType<typeof ProjectionRegistrationResponse>;
export type ProjectionRequest = InstanceType<typeof ProjectionRequest>;
export type ProjectionResponse = InstanceType<typeof ProjectionResponse>;
export type ProjectionEventSelector = InstanceType<typeof ProjectionEventSelector>;
export const { ProjectionCurrentState, ProjectionCurrentStateType } = projectionStatePb;
export type ProjectionCurrentState = InstanceType<typeof ProjectionCurrentState>;
export const { GetOneRequest, GetOneResponse, GetAllRequest, GetAllResponse } = projectionStorePb;
export type GetOneRequest = InstanceType<typeof GetOneRequest>;
export type GetOneResponse = InstanceType<typeof GetOneResponse>;
export type GetAllRequest = InstanceType<typeof GetAllRequest>;
export type GetAllResponse = InstanceType<typeof GetAllResponse>;
export const projectionsService = projectionsProcessingGrpc.ProjectionsService;
export const projectionStoreService = projectionStoreGrpc.ProjectionsService;

// The event horizon: Consumer (runtime to runtime, public port) and Subscriptions (head to its own runtime).
export const {
  EventHorizonEvent,
  ConsumerSubscriptionRequest,
  ConsumerResponse,
  ConsumerRequest,
  EventHorizonConsumerToProducerMessage,
  EventHorizonProducerToConsumerMessage,
} = eventHorizonConsumerPb;
export type EventHorizonEvent = InstanceType<typeof EventHorizonEvent>;
export type ConsumerSubscriptionRequest = InstanceType<typeof ConsumerSubscriptionRequest>;
export type ConsumerResponse = InstanceType<typeof ConsumerResponse>;
export type ConsumerRequest = InstanceType<typeof ConsumerRequest>;
export type EventHorizonConsumerToProducerMessage = InstanceType<typeof EventHorizonConsumerToProducerMessage>;
export type EventHorizonProducerToConsumerMessage = InstanceType<typeof EventHorizonProducerToConsumerMessage>;
export const { Subscription, SubscriptionResponse } = subscriptionsPb;
export type Subscription = InstanceType<typeof Subscription>;
export type SubscriptionResponse = InstanceType<typeof SubscriptionResponse>;
export const eventHorizonConsumerService = eventHorizonConsumerGrpc.ConsumerService;
export const subscriptionsService = subscriptionsGrpc.SubscriptionsService;

// Embeddings: the processing reverse call with Update/Delete, and the embedding store. The store's request and
// response classes share their names with the projection store's, so they are exported with an `Embedding` prefix.
export const {
  EmbeddingClientToRuntimeMessage,
  EmbeddingRuntimeToClientMessage,
  EmbeddingRegistrationRequest,
  EmbeddingRegistrationResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  EmbeddingCompareRequest,
  EmbeddingCompareResponse,
  EmbeddingDeleteRequest,
  EmbeddingDeleteResponse,
  EmbeddingProjectRequest,
  UpdateRequest,
  UpdateResponse,
  DeleteRequest,
  DeleteResponse,
} = embeddingsPb;
export type EmbeddingClientToRuntimeMessage = InstanceType<typeof EmbeddingClientToRuntimeMessage>;
export type EmbeddingRuntimeToClientMessage = InstanceType<typeof EmbeddingRuntimeToClientMessage>;
export type EmbeddingRegistrationRequest = InstanceType<typeof EmbeddingRegistrationRequest>;
export type EmbeddingRegistrationResponse = InstanceType<typeof EmbeddingRegistrationResponse>;
export type EmbeddingRequest = InstanceType<typeof EmbeddingRequest>;
export type EmbeddingResponse = InstanceType<typeof EmbeddingResponse>;
export type EmbeddingCompareRequest = InstanceType<typeof EmbeddingCompareRequest>;
export type EmbeddingCompareResponse = InstanceType<typeof EmbeddingCompareResponse>;
export type EmbeddingDeleteRequest = InstanceType<typeof EmbeddingDeleteRequest>;
export type EmbeddingDeleteResponse = InstanceType<typeof EmbeddingDeleteResponse>;
export type EmbeddingProjectRequest = InstanceType<typeof EmbeddingProjectRequest>;
export type UpdateRequest = InstanceType<typeof UpdateRequest>;
export type UpdateResponse = InstanceType<typeof UpdateResponse>;
export type DeleteRequest = InstanceType<typeof DeleteRequest>;
export type DeleteResponse = InstanceType<typeof DeleteResponse>;
export const {
  GetOneRequest: EmbeddingGetOneRequest,
  GetOneResponse: EmbeddingGetOneResponse,
  GetKeysRequest: EmbeddingGetKeysRequest,
  GetKeysResponse: EmbeddingGetKeysResponse,
  GetAllRequest: EmbeddingGetAllRequest,
  GetAllResponse: EmbeddingGetAllResponse,
} = embeddingStorePb;
export type EmbeddingGetOneRequest = InstanceType<typeof EmbeddingGetOneRequest>;
export type EmbeddingGetOneResponse = InstanceType<typeof EmbeddingGetOneResponse>;
export type EmbeddingGetKeysRequest = InstanceType<typeof EmbeddingGetKeysRequest>;
export type EmbeddingGetKeysResponse = InstanceType<typeof EmbeddingGetKeysResponse>;
export type EmbeddingGetAllRequest = InstanceType<typeof EmbeddingGetAllRequest>;
export type EmbeddingGetAllResponse = InstanceType<typeof EmbeddingGetAllResponse>;
export const embeddingsService = embeddingsGrpc.EmbeddingsService;
export const embeddingStoreService = embeddingStoreGrpc.EmbeddingStoreService;

// Names the SDK's remote transport uses.
export const UncommittedAggregateEvent = uncommittedPb.UncommittedAggregateEvents.UncommittedAggregateEvent;
export type UncommittedAggregateEvent = InstanceType<typeof UncommittedAggregateEvent>;
export {
  DeleteRequest as EmbeddingsDeleteRequest,
  DeleteResponse as EmbeddingsDeleteResponse,
  UpdateRequest as EmbeddingsUpdateRequest,
  UpdateResponse as EmbeddingsUpdateResponse,
};
