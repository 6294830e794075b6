/*
 * Every method the Runtime serves (packages/runtime/src/server.ts registers them): its path, the port it is on, a
 * valid request built as a protobuf tree (so tests can break it field by field), and how to read the Failure out of
 * its answer. Valid requests put the field that carries the tenant last at every level, so any prefix of one
 * (a truncated message) lacks a usable tenant and cannot commit anything.
 */
import { developmentMicroservice, type Guid, guidToBytes, systemTenant } from '@dolittle-ts/fundamentals';
import {
  CommitAggregateEventsResponse,
  CommitEventsResponse,
  DeleteResponse,
  EmbeddingGetAllResponse,
  EmbeddingGetKeysResponse,
  EmbeddingGetOneResponse,
  EmbeddingRuntimeToClientMessage,
  EventHandlerRuntimeToClientMessage,
  EventHorizonProducerToConsumerMessage,
  FetchForAggregateResponse,
  FilterRuntimeToClientMessage,
  GetAllResponse,
  GetOneResponse,
  ProjectionRuntimeToClientMessage,
  SubscriptionResponse,
  UpdateResponse,
} from '@dolittle-ts/runtime/testing';
import { bytes, field, message, type ProtoField, type ProtoValue, text, varint } from './protobuf-tree.js';

/** What a Failure said. */
export interface FailureSeen {
  readonly id: string;
  readonly reason: string;
}

interface HasFailure {
  getFailure(): { getId(): { getValue_asU8(): Uint8Array } | undefined; getReason(): string } | undefined;
}

export type ServerMessage =
  | { readonly kind: 'ping' }
  | { readonly kind: 'registration'; readonly failure: FailureSeen | undefined }
  | { readonly kind: 'other' };

interface MethodBase {
  readonly name: string;
  readonly path: string;
  readonly port: 'private' | 'public';
  /** A valid request (unary) or first message (reverse call) for the configured tenant. */
  valid(ids: RequestIds): ProtoValue;
}

export interface UnaryMethod extends MethodBase {
  readonly kind: 'unary';
  /** The Failure in a response message, if it holds one. */
  failureOf(response: Uint8Array): FailureSeen | undefined;
}

export interface ReverseCallMethod extends MethodBase {
  readonly kind: 'reverse-call';
  /** What a server-to-client message is: a ping, the registration response (with its failure), or else. */
  read(serverMessage: Uint8Array): ServerMessage;
  /** The client-to-runtime envelope's other arms, for "wrong first message" cases. */
  readonly otherArms: readonly number[];
}

export type RuntimeMethod = UnaryMethod | ReverseCallMethod;

export interface RequestIds {
  readonly tenant: Guid;
  readonly eventType: Guid;
  readonly aggregateRoot: Guid;
  readonly eventSource: Guid;
  readonly processor: Guid;
  /** CommitForAggregate's expectedAggregateRootVersion; 0 when omitted. */
  readonly aggregateVersion?: number;
}

export const uuid = (guid: Guid | string, role: 'uuid' | 'tenantId' = 'uuid', no = 1): ProtoField =>
  field(no, message(field(1, bytes(guidToBytes(guid as Guid)))), role);

const randomId = () => crypto.randomUUID() as Guid;

function executionContext(tenant: Guid, tenantRole: 'tenantId' | 'uuid'): ProtoValue {
  return message(
    uuid(developmentMicroservice, 'uuid', 1),
    field(3, message(field(1, varint(1)), field(2, varint(2)), field(3, varint(3)), field(5, text('beta')))),
    uuid(randomId(), 'uuid', 4),
    field(5, message(field(1, text('role')), field(2, text('admin')), field(3, text('string'))), 'string'),
    field(6, text('Test'), 'string'),
    uuid(tenant, tenantRole, 2),
  );
}

/**
 * CallRequestContext { executionContext = 1; headId = 2 }, the execution context (and its tenant) last. The head id
 * has no role: unary calls do not use it (as in Dolittle), so breaking it is no defect.
 */
function callContext(tenant: Guid): ProtoField {
  return field(
    1,
    message(
      field(2, message(field(1, bytes(guidToBytes(randomId()))))),
      field(1, executionContext(tenant, 'tenantId'), 'executionContext'),
    ),
    'callContext',
  );
}

/** ReverseCallArgumentsContext { executionContext = 1; headId = 2; pingInterval = 3 } as SDK 17 sends it. */
function reverseCallArguments(): ProtoField {
  return field(
    1,
    message(
      uuid(randomId(), 'uuid', 2),
      field(3, message(field(1, varint(1))), 'pingInterval'),
      field(1, executionContext(systemTenant as string as Guid, 'uuid'), 'executionContext'),
    ),
    'callContext',
  );
}

const artifact = (no: number, id: Guid) => field(no, message(uuid(id, 'uuid', 1), field(2, varint(1))));

function failureOf(decode: (bytes: Uint8Array) => HasFailure): (response: Uint8Array) => FailureSeen | undefined {
  return (response) => {
    const failure = decode(response).getFailure();
    if (failure === undefined) return undefined;
    return { id: Buffer.from(failure.getId()?.getValue_asU8() ?? []).toString('hex'), reason: failure.getReason() };
  };
}

function unary(
  name: string,
  path: string,
  valid: (ids: RequestIds) => ProtoValue,
  decode: (bytes: Uint8Array) => HasFailure,
): UnaryMethod {
  return { kind: 'unary', name, path, port: 'private', valid, failureOf: failureOf(decode) };
}

interface ServerEnvelope {
  hasPing(): boolean;
}

function reverseCall(
  name: string,
  path: string,
  port: 'private' | 'public',
  registration: (ids: RequestIds) => ProtoValue,
  decode: (bytes: Uint8Array) => ServerEnvelope,
  registrationOf: (message: ServerEnvelope) => HasFailure | undefined,
  otherArms: readonly number[] = [2, 3],
): ReverseCallMethod {
  return {
    kind: 'reverse-call',
    name,
    path,
    port,
    otherArms,
    valid: (ids) => message(field(1, registration(ids), 'registration')),
    read(serverMessage) {
      const decoded = decode(serverMessage);
      if (decoded.hasPing()) return { kind: 'ping' };
      const response = registrationOf(decoded);
      if (response === undefined) return { kind: 'other' };
      const failure = response.getFailure();
      return {
        kind: 'registration',
        failure:
          failure === undefined
            ? undefined
            : { id: Buffer.from(failure.getId()?.getValue_asU8() ?? []).toString('hex'), reason: failure.getReason() },
      };
    },
  };
}

const content = (ids: RequestIds) => field(4, text(JSON.stringify({ fuzz: true, tenant: ids.tenant })), 'json');

export const runtimeMethods: readonly RuntimeMethod[] = [
  unary(
    'EventStore.Commit',
    '/dolittle.runtime.events.EventStore/Commit',
    (ids) =>
      message(
        field(
          2,
          message(artifact(1, ids.eventType), uuid(ids.eventSource, 'uuid', 2), field(3, varint(0)), content(ids)),
        ),
        callContext(ids.tenant),
      ),
    (b) => CommitEventsResponse.deserializeBinary(b),
  ),
  unary(
    'EventStore.CommitForAggregate',
    '/dolittle.runtime.events.EventStore/CommitForAggregate',
    (ids) =>
      message(
        field(
          2,
          message(
            uuid(ids.aggregateRoot, 'uuid', 1),
            uuid(ids.eventSource, 'uuid', 2),
            field(3, varint(ids.aggregateVersion ?? 0)),
            field(4, message(artifact(1, ids.eventType), field(2, varint(0)), field(3, text('{"fuzz":true}'), 'json'))),
          ),
        ),
        callContext(ids.tenant),
      ),
    (b) => CommitAggregateEventsResponse.deserializeBinary(b),
  ),
  unary(
    'EventStore.FetchForAggregate',
    '/dolittle.runtime.events.EventStore/FetchForAggregate',
    (ids) =>
      message(
        field(2, message(uuid(ids.eventSource, 'uuid', 1), uuid(ids.aggregateRoot, 'uuid', 2))),
        callContext(ids.tenant),
      ),
    (b) => FetchForAggregateResponse.deserializeBinary(b),
  ),
  reverseCall(
    'EventHandlers.Connect',
    '/dolittle.runtime.events.processing.EventHandlers/Connect',
    'private',
    (ids) =>
      message(
        uuid(randomId(), 'uuid', 2),
        uuid(ids.processor, 'uuid', 3),
        artifact(4, ids.eventType),
        field(5, varint(1)),
        reverseCallArguments(),
      ),
    (b) => EventHandlerRuntimeToClientMessage.deserializeBinary(b),
    (m) => (m as InstanceType<typeof EventHandlerRuntimeToClientMessage>).getRegistrationresponse(),
  ),
  ...(['Connect', 'ConnectPartitioned'] as const).map((rpc) =>
    reverseCall(
      `Filters.${rpc}`,
      `/dolittle.runtime.events.processing.Filters/${rpc}`,
      'private',
      (ids) => message(uuid(randomId(), 'uuid', 2), uuid(ids.processor, 'uuid', 3), reverseCallArguments()),
      (b) => FilterRuntimeToClientMessage.deserializeBinary(b),
      (m) => (m as InstanceType<typeof FilterRuntimeToClientMessage>).getRegistrationresponse(),
    ),
  ),
  reverseCall(
    'Filters.ConnectPublic',
    '/dolittle.runtime.events.processing.Filters/ConnectPublic',
    'private',
    (ids) => message(uuid(ids.processor, 'uuid', 2), reverseCallArguments()),
    (b) => FilterRuntimeToClientMessage.deserializeBinary(b),
    (m) => (m as InstanceType<typeof FilterRuntimeToClientMessage>).getRegistrationresponse(),
  ),
  reverseCall(
    'Projections.Connect',
    '/dolittle.runtime.events.processing.Projections/Connect',
    'private',
    (ids) =>
      message(
        uuid(randomId(), 'uuid', 2),
        uuid(ids.processor, 'uuid', 3),
        field(4, message(artifact(1, ids.eventType), field(2, message()))),
        field(5, text('{"count":0}'), 'json'),
        reverseCallArguments(),
      ),
    (b) => ProjectionRuntimeToClientMessage.deserializeBinary(b),
    (m) => (m as InstanceType<typeof ProjectionRuntimeToClientMessage>).getRegistrationresponse(),
  ),
  unary(
    'Projections.GetOne',
    '/dolittle.runtime.projections.Projections/GetOne',
    (ids) =>
      message(
        uuid(randomId(), 'uuid', 2),
        uuid(ids.processor, 'uuid', 3),
        field(4, text('some key'), 'string'),
        callContext(ids.tenant),
      ),
    (b) => GetOneResponse.deserializeBinary(b),
  ),
  unary(
    'Projections.GetAll',
    '/dolittle.runtime.projections.Projections/GetAll',
    (ids) => message(uuid(randomId(), 'uuid', 2), uuid(ids.processor, 'uuid', 3), callContext(ids.tenant)),
    (b) => GetAllResponse.deserializeBinary(b),
  ),
  reverseCall(
    'Embeddings.Connect',
    '/dolittle.runtime.embeddings.Embeddings/Connect',
    'private',
    (ids) =>
      message(
        uuid(ids.processor, 'uuid', 2),
        artifact(3, ids.eventType),
        field(4, text('{}'), 'json'),
        reverseCallArguments(),
      ),
    (b) => EmbeddingRuntimeToClientMessage.deserializeBinary(b),
    (m) => (m as InstanceType<typeof EmbeddingRuntimeToClientMessage>).getRegistrationresponse(),
  ),
  unary(
    'Embeddings.Update',
    '/dolittle.runtime.embeddings.Embeddings/Update',
    (ids) =>
      message(
        uuid(ids.processor, 'uuid', 2),
        field(3, text('some key'), 'string'),
        field(4, text('{"name":"x"}'), 'json'),
        callContext(ids.tenant),
      ),
    (b) => UpdateResponse.deserializeBinary(b),
  ),
  unary(
    'Embeddings.Delete',
    '/dolittle.runtime.embeddings.Embeddings/Delete',
    (ids) => message(uuid(ids.processor, 'uuid', 2), field(3, text('some key'), 'string'), callContext(ids.tenant)),
    (b) => DeleteResponse.deserializeBinary(b),
  ),
  unary(
    'EmbeddingStore.GetOne',
    '/dolittle.runtime.embeddings.EmbeddingStore/GetOne',
    (ids) => message(uuid(ids.processor, 'uuid', 2), field(3, text('some key'), 'string'), callContext(ids.tenant)),
    (b) => EmbeddingGetOneResponse.deserializeBinary(b),
  ),
  unary(
    'EmbeddingStore.GetKeys',
    '/dolittle.runtime.embeddings.EmbeddingStore/GetKeys',
    (ids) => message(uuid(ids.processor, 'uuid', 2), callContext(ids.tenant)),
    (b) => EmbeddingGetKeysResponse.deserializeBinary(b),
  ),
  unary(
    'EmbeddingStore.GetAll',
    '/dolittle.runtime.embeddings.EmbeddingStore/GetAll',
    (ids) => message(uuid(ids.processor, 'uuid', 2), callContext(ids.tenant)),
    (b) => EmbeddingGetAllResponse.deserializeBinary(b),
  ),
  unary(
    'Subscriptions.Subscribe',
    '/dolittle.runtime.eventhorizon.Subscriptions/Subscribe',
    (ids) =>
      message(
        uuid(randomId(), 'uuid', 2),
        uuid(randomId(), 'uuid', 3),
        uuid(randomId(), 'uuid', 4),
        uuid(randomId(), 'uuid', 5),
        uuid(randomId(), 'uuid', 6),
        callContext(ids.tenant),
      ),
    (b) => SubscriptionResponse.deserializeBinary(b),
  ),
  reverseCall(
    'Consumer.Subscribe',
    '/dolittle.runtime.eventhorizon.Consumer/Subscribe',
    'public',
    (ids) =>
      message(
        uuid(randomId(), 'uuid', 3),
        uuid(randomId(), 'uuid', 4),
        field(5, varint(0)),
        reverseCallArguments(),
        uuid(ids.tenant, 'tenantId', 2),
      ),
    (b) => EventHorizonProducerToConsumerMessage.deserializeBinary(b),
    (m) => (m as InstanceType<typeof EventHorizonProducerToConsumerMessage>).getSubscriptionresponse(),
  ),
];
