/*
 * Lean heads for the event-horizon benchmark, speaking Dolittle's contracts by hand (no SDK): a producer head that
 * commits public events and serves a public filter (Filters.ConnectPublic, answering every request at once), and a
 * consumer head that subscribes (Subscriptions.Subscribe) and serves a scoped event handler (EventHandlers.Connect)
 * reporting each event it is given. Messages are the contract classes; method paths come from the contracts' service
 * definitions; the gRPC client is this package's @grpc/grpc-js.
 */
import { randomUUID } from 'node:crypto';
import artifactPb from '@dolittle/contracts/Artifacts/Artifact_pb.js';
import executionContextPb from '@dolittle/contracts/Execution/ExecutionContext_pb.js';
import uuidPb from '@dolittle/contracts/Protobuf/Uuid_pb.js';
import callContextPb from '@dolittle/contracts/Services/CallContext_pb.js';
import pingPb from '@dolittle/contracts/Services/Ping_pb.js';
import reverseCallContextPb from '@dolittle/contracts/Services/ReverseCallContext_pb.js';
import versionPb from '@dolittle/contracts/Versioning/Version_pb.js';
import subscriptionsGrpc from '@dolittle/runtime.contracts/EventHorizon/Subscriptions_grpc_pb.js';
import subscriptionsPb from '@dolittle/runtime.contracts/EventHorizon/Subscriptions_pb.js';
import eventStoreGrpc from '@dolittle/runtime.contracts/Events/EventStore_grpc_pb.js';
import eventStorePb from '@dolittle/runtime.contracts/Events/EventStore_pb.js';
import uncommittedPb from '@dolittle/runtime.contracts/Events/Uncommitted_pb.js';
import eventHandlersGrpc from '@dolittle/runtime.contracts/Events.Processing/EventHandlers_grpc_pb.js';
import eventHandlersPb from '@dolittle/runtime.contracts/Events.Processing/EventHandlers_pb.js';
import filtersGrpc from '@dolittle/runtime.contracts/Events.Processing/Filters_grpc_pb.js';
import type filtersPb from '@dolittle/runtime.contracts/Events.Processing/Filters_pb.js';
import partitionedFiltersPb from '@dolittle/runtime.contracts/Events.Processing/PartitionedFilters_pb.js';
import publicFiltersPb from '@dolittle/runtime.contracts/Events.Processing/PublicFilters_pb.js';
import { type Guid, guidFromBytes, guidToBytes } from '@dolittle-ts/fundamentals';
import { type ClientDuplexStream, credentials, Client as GrpcClient } from '@grpc/grpc-js';
import durationPb from 'google-protobuf/google/protobuf/duration_pb.js';

const { Artifact } = artifactPb;
const { ExecutionContext } = executionContextPb;
const { Uuid } = uuidPb;
const { CallRequestContext } = callContextPb;
const { Pong } = pingPb;
const { ReverseCallArgumentsContext, ReverseCallResponseContext } = reverseCallContextPb;
const { Version } = versionPb;
const { Subscription } = subscriptionsPb;
const { EventHandlerClientToRuntimeMessage, EventHandlerRegistrationRequest, EventHandlerResponse } = eventHandlersPb;
const { PartitionedFilterResponse } = partitionedFiltersPb;
const { PublicFilterClientToRuntimeMessage, PublicFilterRegistrationRequest } = publicFiltersPb;
const { CommitEventsRequest } = eventStorePb;
const { UncommittedEvent } = uncommittedPb;
const { Duration } = durationPb;

type Message = { serializeBinary(): Uint8Array };
type MethodDefinition = {
  path: string;
  requestSerialize: (value: never) => Buffer;
  responseDeserialize: (bytes: Buffer) => unknown;
};

/** The ids of one benchmark run: two microservices, their tenants, the public stream, partition, consent, scope. */
export interface HorizonBenchIds {
  readonly producerMicroservice: string;
  readonly consumerMicroservice: string;
  readonly producerTenant: string;
  readonly consumerTenant: string;
  readonly stream: string;
  readonly partition: string;
  readonly consent: string;
  readonly scope: string;
  readonly eventType: string;
  readonly handler: string;
}

export function freshBenchIds(): HorizonBenchIds {
  return {
    producerMicroservice: randomUUID(),
    consumerMicroservice: randomUUID(),
    producerTenant: randomUUID(),
    consumerTenant: randomUUID(),
    stream: randomUUID(),
    partition: randomUUID(),
    consent: randomUUID(),
    scope: randomUUID(),
    eventType: randomUUID(),
    handler: randomUUID(),
  };
}

function uuid(guid: string): InstanceType<typeof Uuid> {
  return new Uuid().setValue(guidToBytes(guid as Guid));
}

function guidOf(value: { getValue_asU8(): Uint8Array } | undefined): string {
  return guidFromBytes(value?.getValue_asU8() ?? new Uint8Array()) ?? '';
}

const systemTenant = '08831584-e016-42f6-bc5e-c4f098fed42b';
const systemCorrelation = '868ff40f-a133-4d0f-bfdd-18d726181e01';

function executionContext(microservice: string, tenant: string, correlation: string) {
  return new ExecutionContext()
    .setMicroserviceid(uuid(microservice))
    .setTenantid(uuid(tenant))
    .setVersion(new Version())
    .setCorrelationid(uuid(correlation))
    .setEnvironment('Bench');
}

function reverseCallArguments(microservice: string) {
  return new ReverseCallArgumentsContext()
    .setExecutioncontext(executionContext(microservice, systemTenant, systemCorrelation))
    .setHeadid(uuid(randomUUID()))
    .setPinginterval(new Duration().setSeconds(1));
}

/** One gRPC connection per head (distinct channel options), retries and channelz off. */
function grpcClient(port: number, id: string): GrpcClient {
  return new GrpcClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
    'grpc-node.bench_head': id,
    'grpc.max_receive_message_length': -1,
    'grpc.enable_retries': 0,
    'grpc.enable_channelz': 0,
  });
}

function unary<R>(client: GrpcClient, method: MethodDefinition, request: Message): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      (value: Message) => Buffer.from(value.serializeBinary()),
      (bytes: Buffer) => method.responseDeserialize(bytes) as R,
      request,
      (error, response) =>
        error ? reject(error) : response === undefined ? reject(new Error('no response')) : resolve(response),
    );
  });
}

function duplex<Out extends Message, In>(client: GrpcClient, method: MethodDefinition): ClientDuplexStream<Out, In> {
  return client.makeBidiStreamRequest(
    method.path,
    (value: Out) => Buffer.from(value.serializeBinary()),
    (bytes: Buffer) => method.responseDeserialize(bytes) as In,
  );
}

/** Commits public events for the producer tenant: `commit(indexes)` sends one Commit with one event per index. */
export class ProducerCommitter {
  readonly #client: GrpcClient;
  readonly #ids: HorizonBenchIds;
  readonly #sources: string[];

  constructor(port: number, ids: HorizonBenchIds, connection: string, sources = 64) {
    this.#client = grpcClient(port, `commit-${connection}`);
    this.#ids = ids;
    this.#sources = Array.from({ length: sources }, () => randomUUID());
  }

  ready(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Commits one public event per index (content carries the index); rejects when the Runtime answers a failure. */
  async commit(indexes: readonly number[]): Promise<void> {
    const call = new CallRequestContext()
      .setExecutioncontext(executionContext(this.#ids.producerMicroservice, this.#ids.producerTenant, randomUUID()))
      .setHeadid(uuid(randomUUID()));
    const request = new CommitEventsRequest().setCallcontext(call).setEventsList(
      indexes.map((index) =>
        new UncommittedEvent()
          .setArtifact(new Artifact().setId(uuid(this.#ids.eventType)).setGeneration(1))
          .setEventsourceid(uuid(this.#sources[index % this.#sources.length] as string))
          .setPublic(true)
          .setContent(`{"i":${index},"dish":"Bean Blaster Taco","chef":"Mr. Taco","note":"extra salsa, no onions"}`),
      ),
    );
    const response = await unary<InstanceType<typeof eventStorePb.CommitEventsResponse>>(
      this.#client,
      eventStoreGrpc.EventStoreService.commit as unknown as MethodDefinition,
      request,
    );
    const failure = response.getFailure();
    if (failure !== undefined) throw new Error(`the producer refused a commit: ${failure.getReason()}`);
    if (response.getEventsList().length !== indexes.length) throw new Error('the producer committed a different count');
  }

  close(): void {
    this.#client.close();
  }
}

export interface Head {
  /** Resolves once the Runtime accepted the registration; rejects with its failure. */
  readonly registered: Promise<void>;
  close(): void;
}

/** The producer's public filter: every public event goes into `ids.partition` of `ids.stream`, answered at once. */
export function connectPublicFilter(port: number, ids: HorizonBenchIds, onFiltered?: () => void): Head {
  const client = grpcClient(port, 'public-filter');
  const stream = duplex<
    InstanceType<typeof PublicFilterClientToRuntimeMessage>,
    InstanceType<typeof filtersPb.FilterRuntimeToClientMessage>
  >(client, filtersGrpc.FiltersService.connectPublic as unknown as MethodDefinition);
  const registration = new PublicFilterRegistrationRequest()
    .setCallcontext(reverseCallArguments(ids.producerMicroservice))
    .setFilterid(uuid(ids.stream));
  stream.write(new PublicFilterClientToRuntimeMessage().setRegistrationrequest(registration));
  const partition = uuid(ids.partition);
  const registered = new Promise<void>((resolve, reject) => {
    stream.on('data', (message: InstanceType<typeof filtersPb.FilterRuntimeToClientMessage>) => {
      if (message.hasPing()) {
        stream.write(new PublicFilterClientToRuntimeMessage().setPong(new Pong()));
        return;
      }
      const response = message.getRegistrationresponse();
      if (response !== undefined) {
        const failure = response.getFailure();
        if (failure) reject(new Error(`public filter refused: ${failure.getReason()}`));
        else resolve();
        return;
      }
      const request = message.getFilterrequest();
      if (request === undefined) return;
      onFiltered?.();
      const result = new PartitionedFilterResponse()
        .setCallcontext(new ReverseCallResponseContext().setCallid(request.getCallcontext()?.getCallid()))
        .setIsincluded(true)
        .setPartitionid(partition);
      stream.write(new PublicFilterClientToRuntimeMessage().setFilterresult(result));
    });
    stream.on('error', (error: Error) => reject(error));
    stream.on('end', () => reject(new Error('the public filter stream ended')));
  });
  registered.catch(() => {});
  return {
    registered,
    close() {
      stream.cancel();
      client.close();
    },
  };
}

/** `Subscriptions.Subscribe` for the consumer tenant; resolves with the consent id, rejects with the failure. */
export async function subscribe(port: number, ids: HorizonBenchIds, timeoutMs = 30_000): Promise<string> {
  const client = grpcClient(port, 'subscribe');
  try {
    const request = new Subscription()
      .setCallcontext(
        new CallRequestContext()
          .setExecutioncontext(executionContext(ids.consumerMicroservice, ids.consumerTenant, randomUUID()))
          .setHeadid(uuid(randomUUID())),
      )
      .setMicroserviceid(uuid(ids.producerMicroservice))
      .setTenantid(uuid(ids.producerTenant))
      .setStreamid(uuid(ids.stream))
      .setPartitionid(uuid(ids.partition))
      .setScopeid(uuid(ids.scope));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Subscriptions.Subscribe did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const response = await Promise.race([
        unary<InstanceType<typeof subscriptionsPb.SubscriptionResponse>>(
          client,
          subscriptionsGrpc.SubscriptionsService.subscribe as unknown as MethodDefinition,
          request,
        ),
        timedOut,
      ]);
      const failure = response.getFailure();
      if (failure !== undefined) throw new Error(`the subscription failed: ${failure.getReason()}`);
      return guidOf(response.getConsentid());
    } finally {
      clearTimeout(timer);
    }
  } finally {
    client.close();
  }
}

/**
 * The consumer's scoped event handler (partitioned by event source, so the Runtime may have several in flight):
 * calls `onEvent(index, scopedSequenceNumber)` for each event it is given and answers at once.
 */
export function connectScopedHandler(
  port: number,
  ids: HorizonBenchIds,
  onEvent: (index: number, sequenceNumber: number) => void,
): Head {
  const client = grpcClient(port, 'scoped-handler');
  const stream = duplex<
    InstanceType<typeof EventHandlerClientToRuntimeMessage>,
    InstanceType<typeof eventHandlersPb.EventHandlerRuntimeToClientMessage>
  >(client, eventHandlersGrpc.EventHandlersService.connect as unknown as MethodDefinition);
  const registration = new EventHandlerRegistrationRequest()
    .setCallcontext(reverseCallArguments(ids.consumerMicroservice))
    .setEventhandlerid(uuid(ids.handler))
    .setScopeid(uuid(ids.scope))
    .setPartitioned(true)
    .setTypesList([new Artifact().setId(uuid(ids.eventType)).setGeneration(1)]);
  stream.write(new EventHandlerClientToRuntimeMessage().setRegistrationrequest(registration));
  const registered = new Promise<void>((resolve, reject) => {
    stream.on('data', (message: InstanceType<typeof eventHandlersPb.EventHandlerRuntimeToClientMessage>) => {
      if (message.hasPing()) {
        stream.write(new EventHandlerClientToRuntimeMessage().setPong(new Pong()));
        return;
      }
      const response = message.getRegistrationresponse();
      if (response !== undefined) {
        const failure = response.getFailure();
        if (failure) reject(new Error(`scoped handler refused: ${failure.getReason()}`));
        else resolve();
        return;
      }
      const request = message.getHandlerequest();
      if (request === undefined) return;
      const event = request.getEvent()?.getEvent();
      const match = /^\{"i":(\d+),/.exec(event?.getContent() ?? '');
      onEvent(match ? Number(match[1]) : -1, event?.getEventlogsequencenumber() ?? -1);
      const answer = new EventHandlerResponse().setCallcontext(
        new ReverseCallResponseContext().setCallid(request.getCallcontext()?.getCallid()),
      );
      stream.write(new EventHandlerClientToRuntimeMessage().setHandleresult(answer));
    });
    stream.on('error', (error: Error) => reject(error));
    stream.on('end', () => reject(new Error('the scoped handler stream ended')));
  });
  registered.catch(() => {});
  return {
    registered,
    close() {
      stream.cancel();
      client.close();
    },
  };
}
