/*
 * The one place the remote transport loads Dolittle's generated contracts (`@dolittle/runtime.contracts@5.4.0`,
 * CommonJS, google-protobuf). Only wire.ts and the protocol descriptions use these classes.
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
import subscriptionsGrpc from '@dolittle/runtime.contracts/EventHorizon/Subscriptions_grpc_pb.js';
import subscriptionsPb from '@dolittle/runtime.contracts/EventHorizon/Subscriptions_pb.js';
import aggregatePb from '@dolittle/runtime.contracts/Events/Aggregate_pb.js';
import type committedPb from '@dolittle/runtime.contracts/Events/Committed_pb.js';
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
import projectionStatePb from '@dolittle/runtime.contracts/Projections/State_pb.js';
import projectionStoreGrpc from '@dolittle/runtime.contracts/Projections/Store_grpc_pb.js';
import projectionStorePb from '@dolittle/runtime.contracts/Projections/Store_pb.js';
import durationPb from 'google-protobuf/google/protobuf/duration_pb.js';

export const { Artifact } = artifactPb;
export type Artifact = InstanceType<typeof Artifact>;
export const { ExecutionContext } = executionContextPb;
export type ExecutionContext = InstanceType<typeof ExecutionContext>;
export const { Failure } = failurePb;
export type Failure = InstanceType<typeof Failure>;
export const { Uuid } = uuidPb;
export type Uuid = InstanceType<typeof Uuid>;
export const { Claim } = claimPb;
export const { CallRequestContext } = callContextPb;
export type CallRequestContext = InstanceType<typeof CallRequestContext>;
export const { Version } = versionPb;
export const { Ping, Pong } = pingPb;
export const { ReverseCallArgumentsContext, ReverseCallResponseContext } = reverseCallContextPb;
export type ReverseCallArgumentsContext = InstanceType<typeof ReverseCallArgumentsContext>;
export type ReverseCallRequestContext = InstanceType<typeof reverseCallContextPb.ReverseCallRequestContext>;
export const { Duration } = durationPb;
export type Duration = InstanceType<typeof Duration>;

export const { Aggregate } = aggregatePb;
export type CommittedEvent = InstanceType<typeof committedPb.CommittedEvent>;
export type CommittedAggregateEvents = InstanceType<typeof committedPb.CommittedAggregateEvents>;
export const {
  CommitEventsRequest,
  CommitEventsResponse,
  CommitAggregateEventsRequest,
  CommitAggregateEventsResponse,
  FetchForAggregateRequest,
  FetchForAggregateResponse,
} = eventStorePb;
export type CommitEventsResponse = InstanceType<typeof CommitEventsResponse>;
export type CommitAggregateEventsResponse = InstanceType<typeof CommitAggregateEventsResponse>;
export type FetchForAggregateResponse = InstanceType<typeof FetchForAggregateResponse>;
export const { UncommittedEvent, UncommittedAggregateEvents } = uncommittedPb;
export const UncommittedAggregateEvent = uncommittedPb.UncommittedAggregateEvents.UncommittedAggregateEvent;

export const { ProcessorFailure } = processorsPb;
export type ProcessorFailure = InstanceType<typeof ProcessorFailure>;
export type RetryProcessingState = InstanceType<typeof processorsPb.RetryProcessingState>;

export const { EventHandlerClientToRuntimeMessage, EventHandlerRegistrationRequest, EventHandlerResponse } =
  eventHandlersPb;
export type EventHandlerClientToRuntimeMessage = InstanceType<typeof EventHandlerClientToRuntimeMessage>;
export type EventHandlerRuntimeToClientMessage = InstanceType<
  typeof eventHandlersPb.EventHandlerRuntimeToClientMessage
>;
export type HandleEventRequest = InstanceType<typeof eventHandlersPb.HandleEventRequest>;

export const { FilterClientToRuntimeMessage, FilterRegistrationRequest, FilterResponse } = filtersPb;
export type FilterRuntimeToClientMessage = InstanceType<typeof filtersPb.FilterRuntimeToClientMessage>;
export type FilterEventRequest = InstanceType<typeof filtersPb.FilterEventRequest>;
export const {
  PartitionedFilterClientToRuntimeMessage,
  PartitionedFilterRegistrationRequest,
  PartitionedFilterResponse,
} = partitionedFiltersPb;
export const { PublicFilterClientToRuntimeMessage, PublicFilterRegistrationRequest } = publicFiltersPb;

export const {
  ProjectionClientToRuntimeMessage,
  ProjectionRegistrationRequest,
  ProjectionResponse,
  ProjectionEventSelector,
  ProjectionReplaceResponse,
  ProjectionDeleteResponse,
  EventSourceIdKeySelector,
  PartitionIdKeySelector,
  EventPropertyKeySelector,
} = projectionsProcessingPb;
export type ProjectionRuntimeToClientMessage = InstanceType<
  typeof projectionsProcessingPb.ProjectionRuntimeToClientMessage
>;
export type ProjectionRequest = InstanceType<typeof projectionsProcessingPb.ProjectionRequest>;
export const { ProjectionCurrentStateType } = projectionStatePb;
export type ProjectionCurrentState = InstanceType<typeof projectionStatePb.ProjectionCurrentState>;
export const { GetOneRequest, GetAllRequest } = projectionStorePb;
export type GetOneResponse = InstanceType<typeof projectionStorePb.GetOneResponse>;
export type GetAllResponse = InstanceType<typeof projectionStorePb.GetAllResponse>;

export const {
  EmbeddingClientToRuntimeMessage,
  EmbeddingRegistrationRequest,
  EmbeddingResponse,
  EmbeddingCompareResponse,
  EmbeddingDeleteResponse,
  EmbeddingRequest,
  UpdateRequest: EmbeddingsUpdateRequest,
  DeleteRequest: EmbeddingsDeleteRequest,
} = embeddingsPb;
export type EmbeddingClientToRuntimeMessage = InstanceType<typeof EmbeddingClientToRuntimeMessage>;
export type EmbeddingRuntimeToClientMessage = InstanceType<typeof embeddingsPb.EmbeddingRuntimeToClientMessage>;
export type EmbeddingRequest = InstanceType<typeof EmbeddingRequest>;
export type EmbeddingsUpdateResponse = InstanceType<typeof embeddingsPb.UpdateResponse>;
export type EmbeddingsDeleteResponse = InstanceType<typeof embeddingsPb.DeleteResponse>;
export const {
  GetOneRequest: EmbeddingGetOneRequest,
  GetAllRequest: EmbeddingGetAllRequest,
  GetKeysRequest: EmbeddingGetKeysRequest,
} = embeddingStorePb;
export type EmbeddingGetOneResponse = InstanceType<typeof embeddingStorePb.GetOneResponse>;
export type EmbeddingGetAllResponse = InstanceType<typeof embeddingStorePb.GetAllResponse>;
export type EmbeddingGetKeysResponse = InstanceType<typeof embeddingStorePb.GetKeysResponse>;

export const { Subscription } = subscriptionsPb;
export type SubscriptionResponse = InstanceType<typeof subscriptionsPb.SubscriptionResponse>;

/** gRPC method definitions (path, serializers) of the services the SDK calls. */
export const services = {
  eventStore: eventStoreGrpc.EventStoreService,
  eventHandlers: eventHandlersGrpc.EventHandlersService,
  filters: filtersGrpc.FiltersService,
  projections: projectionsProcessingGrpc.ProjectionsService,
  projectionStore: projectionStoreGrpc.ProjectionsService,
  subscriptions: subscriptionsGrpc.SubscriptionsService,
  embeddings: embeddingsGrpc.EmbeddingsService,
  embeddingStore: embeddingStoreGrpc.EmbeddingStoreService,
};
