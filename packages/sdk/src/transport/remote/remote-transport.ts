/*
 * The Transport over gRPC to a Runtime (ours, or a Dolittle Runtime 6.x): unary calls for the event store, the
 * projection store, embeddings (update, delete, the embedding store) and event-horizon subscriptions, and one
 * reverse call per registered processor. One channel (one HTTP/2 connection) carries everything; closing the
 * transport closes it, so the process can exit.
 */
import {
  type AggregateRootId,
  type ConsentId,
  createGuid,
  type EventSourceId,
  type Guid,
  guidFromBytes,
  type ScopeId,
} from '@dolittle-ts/fundamentals';
import { Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import {
  AggregateRootConcurrencyConflict,
  abortedError,
  conflictFailureId,
  DolittleSdkError,
  embeddingError,
  errorFromFailure,
} from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  AggregateEvents,
  CallContext,
  HeadIdentity,
  Processor,
  ProcessorConnection,
  ReadModelState,
  StoredEvent,
  SubscriptionRequest,
  Transport,
  UncommittedAggregateEvents,
  UncommittedEvent,
} from '../transport.js';
import {
  Aggregate,
  CommitAggregateEventsRequest,
  type CommitAggregateEventsResponse,
  CommitEventsRequest,
  type CommitEventsResponse,
  EmbeddingGetAllRequest,
  type EmbeddingGetAllResponse,
  EmbeddingGetKeysRequest,
  type EmbeddingGetKeysResponse,
  EmbeddingGetOneRequest,
  type EmbeddingGetOneResponse,
  EmbeddingsDeleteRequest,
  type EmbeddingsDeleteResponse,
  EmbeddingsUpdateRequest,
  type EmbeddingsUpdateResponse,
  FetchForAggregateRequest,
  type FetchForAggregateResponse,
  GetAllRequest,
  type GetAllResponse,
  GetOneRequest,
  type GetOneResponse,
  Subscription,
  type SubscriptionResponse,
  services,
  UncommittedAggregateEvent,
  UncommittedAggregateEvents as UncommittedAggregateEventsPb,
  UncommittedEvent as UncommittedEventPb,
} from './contracts.js';
import { embeddingProtocol, eventHandlerProtocol, filterProtocol, projectionProtocol } from './protocols.js';
import { openReverseCall } from './reverse-call-client.js';
import {
  artifactToPb,
  callRequestContext,
  failureOf,
  readModelOf,
  storedAggregateEventsOf,
  storedEventOf,
  uuidOf,
} from './wire.js';

export interface RemoteTransportOptions {
  /** `host:port` of the Runtime's private endpoint. */
  readonly address: string;
  readonly identity: HeadIdentity;
  /** The ping interval asked of the Runtime on every reverse call; 1 s (as SDK 17) by default. */
  readonly pingIntervalMs?: number;
  readonly logger: Logger;
}

interface UnaryMethod<Req, Res> {
  readonly path: string;
  readonly requestSerialize: (message: Req) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => Res;
}

function unaryMethod<Req, Res>(definition: unknown): UnaryMethod<Req, Res> {
  return definition as UnaryMethod<Req, Res>;
}

const methods = {
  commit: unaryMethod<InstanceType<typeof CommitEventsRequest>, CommitEventsResponse>(services.eventStore.commit),
  commitForAggregate: unaryMethod<InstanceType<typeof CommitAggregateEventsRequest>, CommitAggregateEventsResponse>(
    services.eventStore.commitForAggregate,
  ),
  fetchForAggregate: unaryMethod<InstanceType<typeof FetchForAggregateRequest>, FetchForAggregateResponse>(
    services.eventStore.fetchForAggregate,
  ),
  getOne: unaryMethod<InstanceType<typeof GetOneRequest>, GetOneResponse>(services.projectionStore.getOne),
  getAll: unaryMethod<InstanceType<typeof GetAllRequest>, GetAllResponse>(services.projectionStore.getAll),
  subscribe: unaryMethod<InstanceType<typeof Subscription>, SubscriptionResponse>(services.subscriptions.subscribe),
  updateEmbedding: unaryMethod<InstanceType<typeof EmbeddingsUpdateRequest>, EmbeddingsUpdateResponse>(
    services.embeddings.update,
  ),
  deleteEmbedding: unaryMethod<InstanceType<typeof EmbeddingsDeleteRequest>, EmbeddingsDeleteResponse>(
    services.embeddings.delete,
  ),
  getEmbedding: unaryMethod<InstanceType<typeof EmbeddingGetOneRequest>, EmbeddingGetOneResponse>(
    services.embeddingStore.getOne,
  ),
  getAllEmbeddings: unaryMethod<InstanceType<typeof EmbeddingGetAllRequest>, EmbeddingGetAllResponse>(
    services.embeddingStore.getAll,
  ),
  getEmbeddingKeys: unaryMethod<InstanceType<typeof EmbeddingGetKeysRequest>, EmbeddingGetKeysResponse>(
    services.embeddingStore.getKeys,
  ),
};

/** "…expected aggregate root version 3, but current aggregate root version was 4…" → 4 */
function actualVersionIn(reason: string): number | undefined {
  const match = /current aggregate root version (?:was|is) (\d+)/i.exec(reason);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function createRemoteTransport(options: RemoteTransportOptions): Transport {
  const { address, identity, logger } = options;
  const pingIntervalMs = options.pingIntervalMs ?? 1000;
  const headId = createGuid();
  const client = new Client(address, credentials.createInsecure(), {
    // Reconnect quickly when the Runtime comes back; the processor supervisor adds its own back-off on top.
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 5000,
    'grpc.max_receive_message_length': 32 * 1024 * 1024,
  });
  const closing = new AbortController();

  function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, what: string, signal: AbortSignal | undefined) {
    return new Promise<Res>((resolve, reject) => {
      if (closing.signal.aborted) {
        reject(new DolittleSdkError('ClientClosed', `${what}: the client is closed`));
        return;
      }
      if (signal?.aborted) {
        reject(abortedError(signal, what));
        return;
      }
      const onAbort = () => call.cancel();
      const call = client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        (error: ServiceError | null, response?: Res) => {
          signal?.removeEventListener('abort', onAbort);
          if (error !== null) {
            if (signal?.aborted) reject(abortedError(signal, what));
            else reject(grpcError(error, what));
            return;
          }
          resolve(response as Res);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  function grpcError(error: ServiceError, what: string): DolittleSdkError {
    const details = error.details || error.message;
    switch (error.code) {
      case status.UNAVAILABLE:
      case status.DEADLINE_EXCEEDED:
        return new DolittleSdkError('Unavailable', `${what}: the Runtime at ${address} is unavailable (${details})`, {
          cause: error,
        });
      case status.CANCELLED:
        return closing.signal.aborted
          ? new DolittleSdkError('ClientClosed', `${what}: the client was closed`, { cause: error })
          : new DolittleSdkError('Unavailable', `${what}: the call was cancelled (${details})`, { cause: error });
      case status.INVALID_ARGUMENT:
        return new DolittleSdkError('InvalidArgument', `${what}: ${details}`, { cause: error });
      default:
        return new DolittleSdkError(
          'RuntimeFailure',
          `${what}: the Runtime answered ${status[error.code]} (${details})`,
          {
            cause: error,
          },
        );
    }
  }

  const context = (call: CallContext) => callRequestContext(identity, call, headId);

  /** An embedding call's Failure as its typed error (NoEmbeddingRegisteredForTenant, FailedTo…Embedding). */
  function embeddingFailure(
    failure: { id: string; reason: string },
    call: CallContext,
    embeddingId: Guid,
    key: string | undefined,
    what: string,
  ): DolittleSdkError {
    return (
      embeddingError(
        failure.id,
        { embeddingId, tenantId: call.tenant, key, reason: failure.reason },
        { failureId: failure.id },
      ) ?? errorFromFailure(failure, what)
    );
  }

  return {
    kind: 'remote',
    description: address,

    async commit(call, events, callOptions) {
      const request = new CommitEventsRequest()
        .setCallcontext(context(call))
        .setEventsList(
          events.map((event: UncommittedEvent) =>
            new UncommittedEventPb()
              .setEventsourceid(uuidOf(event.eventSourceId))
              .setArtifact(artifactToPb(event.type))
              .setPublic(event.public)
              .setContent(event.content),
          ),
        );
      const response = await unary(methods.commit, request, 'commit', callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw errorFromFailure(failure, 'commit');
      return response.getEventsList().map((event, i): StoredEvent => storedEventOf(event, `events[${i}]`));
    },

    async commitForAggregate(call, commit: UncommittedAggregateEvents, callOptions) {
      const request = new CommitAggregateEventsRequest().setCallcontext(context(call)).setEvents(
        new UncommittedAggregateEventsPb()
          .setAggregaterootid(uuidOf(commit.aggregateRootId))
          .setEventsourceid(uuidOf(commit.eventSourceId))
          .setExpectedaggregaterootversion(commit.expectedVersion)
          .setEventsList(
            commit.events.map((event) =>
              new UncommittedAggregateEvent()
                .setArtifact(artifactToPb(event.type))
                .setPublic(event.public)
                .setContent(event.content),
            ),
          ),
      );
      const response = await unary(methods.commitForAggregate, request, 'commitForAggregate', callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure?.id === conflictFailureId) {
        throw new AggregateRootConcurrencyConflict(
          {
            aggregateRootId: commit.aggregateRootId,
            eventSourceId: commit.eventSourceId,
            expected: commit.expectedVersion,
            actual: actualVersionIn(failure.reason),
          },
          { failureId: failure.id },
        );
      }
      if (failure !== undefined) throw errorFromFailure(failure, 'commitForAggregate');
      return storedAggregateEventsOf(response.getEvents(), 'events');
    },

    async fetchForAggregate(call, aggregateRootId: AggregateRootId, eventSourceId: EventSourceId, callOptions) {
      const request = new FetchForAggregateRequest()
        .setCallcontext(context(call))
        .setAggregate(
          new Aggregate().setAggregaterootid(uuidOf(aggregateRootId)).setEventsourceid(uuidOf(eventSourceId)),
        );
      const response = await unary(methods.fetchForAggregate, request, 'fetchForAggregate', callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw errorFromFailure(failure, 'fetchForAggregate');
      const events = storedAggregateEventsOf(response.getEvents(), 'events');
      // The wire's aggregateRootVersion is the last event's (0-based) version; every event is returned.
      return { version: events.length, events } satisfies AggregateEvents;
    },

    async getProjection(call, scope: ScopeId, projectionId: Guid, key: string, callOptions): Promise<ReadModelState> {
      const request = new GetOneRequest()
        .setCallcontext(context(call))
        .setScopeid(uuidOf(scope))
        .setProjectionid(uuidOf(projectionId))
        .setKey(key);
      const response = await unary(methods.getOne, request, `get projection ${projectionId}`, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw errorFromFailure(failure, `get projection ${projectionId}`);
      return readModelOf(response.getState(), 'state');
    },

    async getAllProjections(call, scope, projectionId, callOptions) {
      const request = new GetAllRequest()
        .setCallcontext(context(call))
        .setScopeid(uuidOf(scope))
        .setProjectionid(uuidOf(projectionId));
      const response = await unary(
        methods.getAll,
        request,
        `get all of projection ${projectionId}`,
        callOptions?.signal,
      );
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw errorFromFailure(failure, `get all of projection ${projectionId}`);
      return response.getStatesList().map((state, i) => readModelOf(state, `states[${i}]`));
    },

    async updateEmbedding(call, embeddingId, key, desired, callOptions): Promise<ReadModelState> {
      const request = new EmbeddingsUpdateRequest()
        .setCallcontext(context(call))
        .setEmbeddingid(uuidOf(embeddingId))
        .setKey(key)
        .setState(desired);
      const what = `update embedding ${embeddingId}`;
      const response = await unary(methods.updateEmbedding, request, what, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw embeddingFailure(failure, call, embeddingId, key, what);
      return readModelOf(response.getState(), 'state');
    },

    async deleteEmbedding(call, embeddingId, key, callOptions) {
      const request = new EmbeddingsDeleteRequest()
        .setCallcontext(context(call))
        .setEmbeddingid(uuidOf(embeddingId))
        .setKey(key);
      const what = `delete from embedding ${embeddingId}`;
      const response = await unary(methods.deleteEmbedding, request, what, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw embeddingFailure(failure, call, embeddingId, key, what);
    },

    async getEmbedding(call, embeddingId, key, callOptions) {
      const request = new EmbeddingGetOneRequest()
        .setCallcontext(context(call))
        .setEmbeddingid(uuidOf(embeddingId))
        .setKey(key);
      const what = `get embedding ${embeddingId}`;
      const response = await unary(methods.getEmbedding, request, what, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw embeddingFailure(failure, call, embeddingId, key, what);
      return readModelOf(response.getState(), 'state');
    },

    async getAllEmbeddings(call, embeddingId, callOptions) {
      const request = new EmbeddingGetAllRequest().setCallcontext(context(call)).setEmbeddingid(uuidOf(embeddingId));
      const what = `get all of embedding ${embeddingId}`;
      const response = await unary(methods.getAllEmbeddings, request, what, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw embeddingFailure(failure, call, embeddingId, undefined, what);
      return response.getStatesList().map((state, i) => readModelOf(state, `states[${i}]`));
    },

    async getEmbeddingKeys(call, embeddingId, callOptions) {
      const request = new EmbeddingGetKeysRequest().setCallcontext(context(call)).setEmbeddingid(uuidOf(embeddingId));
      const what = `get the keys of embedding ${embeddingId}`;
      const response = await unary(methods.getEmbeddingKeys, request, what, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw embeddingFailure(failure, call, embeddingId, undefined, what);
      return response.getKeysList();
    },

    async subscribe(call, subscription: SubscriptionRequest, callOptions) {
      const request = new Subscription()
        .setCallcontext(context(call))
        .setMicroserviceid(uuidOf(subscription.producerMicroservice))
        .setTenantid(uuidOf(subscription.producerTenant))
        .setStreamid(uuidOf(subscription.stream))
        .setPartitionid(uuidOf(subscription.partition))
        .setScopeid(uuidOf(subscription.scope));
      const what = `subscribe to stream ${subscription.stream} of microservice ${subscription.producerMicroservice}`;
      const response = await unary(methods.subscribe, request, what, callOptions?.signal);
      const failure = failureOf(response.getFailure());
      if (failure !== undefined) throw errorFromFailure(failure, what);
      const consent = response.getConsentid();
      return (consent === undefined ? '' : (guidFromBytes(consent.getValue_asU8()) ?? '')) as ConsentId;
    },

    register(processor: Processor, registerOptions): Promise<ProcessorConnection> {
      if (closing.signal.aborted) {
        return Promise.reject(
          new DolittleSdkError('ClientClosed', `register ${processor.kind} ${processor.id}: the client is closed`),
        );
      }
      const signal = AbortSignal.any([registerOptions.signal, closing.signal]);
      const open = { client, address, identity, pingIntervalMs, signal, logger };
      switch (processor.kind) {
        case 'event-handler':
          return openReverseCall(eventHandlerProtocol(processor), open);
        case 'filter':
          return openReverseCall(filterProtocol(processor), open);
        case 'projection':
          return openReverseCall(projectionProtocol(processor), open);
        case 'embedding':
          return openReverseCall(embeddingProtocol(processor), open);
      }
    },

    async close() {
      closing.abort(new DolittleSdkError('ClientClosed', 'the client was closed'));
      client.close();
    },
  };
}
