/*
 * The EventStore service's messages as bytes. Requests are built once with Dolittle's contract classes and
 * serialised once; the ids that differ per call are stamped into a copy of those bytes. Responses are checked by a
 * wire scan (failure present? how many events?); a full decode with the contract classes is kept for samples.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import artifactPb from '@dolittle/contracts/Artifacts/Artifact_pb.js';
import executionContextPb from '@dolittle/contracts/Execution/ExecutionContext_pb.js';
import failurePb from '@dolittle/contracts/Protobuf/Failure_pb.js';
import uuidPb from '@dolittle/contracts/Protobuf/Uuid_pb.js';
import callContextPb from '@dolittle/contracts/Services/CallContext_pb.js';
import versionPb from '@dolittle/contracts/Versioning/Version_pb.js';
import aggregatePb from '@dolittle/runtime.contracts/Events/Aggregate_pb.js';
import eventStoreGrpc from '@dolittle/runtime.contracts/Events/EventStore_grpc_pb.js';
import eventStorePb from '@dolittle/runtime.contracts/Events/EventStore_pb.js';
import uncommittedPb from '@dolittle/runtime.contracts/Events/Uncommitted_pb.js';
import {
  developmentMicroservice,
  developmentTenant,
  type Guid,
  guidFromBytes,
  guidToBytes,
} from '@dolittle-ts/fundamentals';
import { summarizeFields } from './protobuf-wire.js';

const { Artifact } = artifactPb;
const { ExecutionContext } = executionContextPb;
const { Failure } = failurePb;
const { Uuid } = uuidPb;
const { CallRequestContext } = callContextPb;
const { Version } = versionPb;
const { Aggregate } = aggregatePb;
const { CommitEventsRequest, CommitEventsResponse, CommitAggregateEventsRequest, FetchForAggregateRequest } =
  eventStorePb;
const { UncommittedEvent, UncommittedAggregateEvents } = uncommittedPb;

/** The gRPC method paths, as the contracts name them. */
export const eventStorePaths = {
  commit: eventStoreGrpc.EventStoreService.commit.path,
  commitForAggregate: eventStoreGrpc.EventStoreService.commitForAggregate.path,
  fetchForAggregate: eventStoreGrpc.EventStoreService.fetchForAggregate.path,
} as const;

/** The event type every benchmark event has (generation 1). */
export const benchEventTypeId = '9b3e1f2c-5a7d-4c1e-8f60-2d4b7a9c0e13';
export const benchEnvironment = 'Bench';

/** A typical small event: about 100 bytes of JSON. */
export function benchEventContent(n = 0): string {
  return JSON.stringify({
    dish: 'Bean Blaster Taco',
    chef: 'Mr. Taco',
    table: 12,
    order: n,
    note: 'extra salsa, no onions',
  });
}

/** What the official SDK sends in every unary call: the caller's execution context and a head id. */
function callContext(correlationId: Uint8Array, tenant: string): InstanceType<typeof CallRequestContext> {
  const context = new ExecutionContext();
  context.setMicroserviceid(uuid(idBytes(developmentMicroservice)));
  context.setTenantid(uuid(idBytes(tenant)));
  const version = new Version();
  version.setMajor(1);
  version.setMinor(2);
  version.setPatch(3);
  version.setPrereleasestring('bench');
  context.setVersion(version);
  context.setCorrelationid(uuid(correlationId));
  context.setEnvironment(benchEnvironment);
  const call = new CallRequestContext();
  call.setExecutioncontext(context);
  call.setHeadid(uuid(idBytes(randomUUID())));
  return call;
}

/** The 16 wire bytes (.NET order) of a GUID string. */
function idBytes(guid: string): Uint8Array {
  return guidToBytes(guid as Guid);
}

function uuid(bytes: Uint8Array): InstanceType<typeof Uuid> {
  const pb = new Uuid();
  pb.setValue(bytes);
  return pb;
}

function artifact(id: string): InstanceType<typeof Artifact> {
  const pb = new Artifact();
  pb.setId(uuid(idBytes(id)));
  pb.setGeneration(1);
  return pb;
}

/**
 * An id whose first 12 bytes are unique enough to be found again in the serialised request; its last 4 bytes are
 * the slot a counter is stamped into.
 */
function stampableId(): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes.set(randomBytes(12));
  return bytes;
}

/**
 * Pre-encoded request bytes with the places (4-byte slots inside ids) that differ from call to call. `stamp(n)`
 * copies the bytes and writes `n` into every slot: each call then has its own correlation id and event source ids
 * without building a message.
 */
export class RequestTemplate {
  constructor(
    readonly bytes: Buffer,
    readonly slots: readonly number[],
  ) {}

  static find(bytes: Uint8Array, ids: readonly Uint8Array[]): RequestTemplate {
    const buffer = Buffer.from(bytes);
    const slots = ids.map((id) => {
      const at = buffer.indexOf(Buffer.from(id.subarray(0, 12)));
      if (at < 0) throw new Error('a stampable id is missing from the serialised request');
      return at + 12;
    });
    return new RequestTemplate(buffer, slots);
  }

  stamp(n: number): Buffer {
    const copy = Buffer.allocUnsafe(this.bytes.length);
    this.bytes.copy(copy);
    for (const slot of this.slots) copy.writeUInt32LE(n >>> 0, slot);
    return copy;
  }
}

/**
 * `CommitEventsRequest` for `tenant` with `events` events of the bench type, each from its own event source;
 * stamping varies the correlation id and the event source ids.
 */
export function commitEventsTemplate(events: number, tenant: string = developmentTenant): RequestTemplate {
  const correlation = stampableId();
  const eventSources = Array.from({ length: events }, stampableId);
  const request = new CommitEventsRequest();
  request.setCallcontext(callContext(correlation, tenant));
  request.setEventsList(
    eventSources.map((eventSource, i) => {
      const event = new UncommittedEvent();
      event.setArtifact(artifact(benchEventTypeId));
      event.setEventsourceid(uuid(eventSource));
      event.setPublic(false);
      event.setContent(benchEventContent(i));
      return event;
    }),
  );
  return RequestTemplate.find(request.serializeBinary(), [correlation, ...eventSources]);
}

export interface AggregateInstance {
  readonly aggregateRootId: string;
  readonly eventSourceId: string;
}

/** `CommitAggregateEventsRequest` appending `events` events to an aggregate root instance at `expectedVersion`. */
export function commitAggregateEventsRequest(
  aggregate: AggregateInstance,
  expectedVersion: number,
  events: number,
): Buffer {
  const uncommitted = new UncommittedAggregateEvents();
  uncommitted.setAggregaterootid(uuid(idBytes(aggregate.aggregateRootId)));
  uncommitted.setEventsourceid(uuid(idBytes(aggregate.eventSourceId)));
  uncommitted.setExpectedaggregaterootversion(expectedVersion);
  uncommitted.setEventsList(
    Array.from({ length: events }, (_, i) => {
      const event = new UncommittedAggregateEvents.UncommittedAggregateEvent();
      event.setArtifact(artifact(benchEventTypeId));
      event.setPublic(false);
      event.setContent(benchEventContent(expectedVersion + i));
      return event;
    }),
  );
  const request = new CommitAggregateEventsRequest();
  request.setCallcontext(callContext(idBytes(randomUUID()), developmentTenant));
  request.setEvents(uncommitted);
  return Buffer.from(request.serializeBinary());
}

export function fetchForAggregateRequest(aggregate: AggregateInstance): Buffer {
  const pb = new Aggregate();
  pb.setAggregaterootid(uuid(idBytes(aggregate.aggregateRootId)));
  pb.setEventsourceid(uuid(idBytes(aggregate.eventSourceId)));
  const request = new FetchForAggregateRequest();
  request.setCallcontext(callContext(idBytes(randomUUID()), developmentTenant));
  request.setAggregate(pb);
  return Buffer.from(request.serializeBinary());
}

/** The Runtime answered with a Dolittle `Failure` (field 1 of every EventStore response). */
export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
  constructor(
    readonly failureId: string,
    readonly reason: string,
  ) {
    super(`the Runtime answered with failure ${failureId}: ${reason}`);
  }
}

function throwFailure(bytes: Buffer, start: number, end: number): never {
  const failure = Failure.deserializeBinary(bytes.subarray(start, end));
  const id = failure.getId()?.getValue_asU8();
  throw new RuntimeFailure((id && guidFromBytes(id)) ?? 'no id', failure.getReason());
}

/**
 * Checks a `CommitEventsResponse` (`failure = 1; repeated CommittedEvent events = 2`) without decoding it.
 * @returns the number of committed events; throws `RuntimeFailure` if there is a failure, or if the count is not
 * `expected`.
 */
export function checkCommitEventsResponse(bytes: Buffer, expected: number): number {
  const [failure, events] = summarizeFields(bytes, [1, 2]) as [FieldSummary, FieldSummary];
  if (failure.first) throwFailure(bytes, failure.first.start, failure.first.end);
  if (events.count !== expected)
    throw new Error(`expected ${expected} committed events, the response has ${events.count}`);
  return events.count;
}

export interface AggregateEventsSummary {
  readonly events: number;
  /** `CommittedAggregateEvents.aggregateRootVersion`: the last event's 0-based version (the wire quirk), 0 if none. */
  readonly aggregateRootVersion: number;
}

/**
 * Checks a `CommitAggregateEventsResponse` or `FetchForAggregateResponse` (both `failure = 1;
 * CommittedAggregateEvents events = 2`, whose `aggregateRootVersion = 3; repeated events = 4`) without decoding
 * the events.
 */
export function checkAggregateEventsResponse(bytes: Buffer): AggregateEventsSummary {
  const [failure, events] = summarizeFields(bytes, [1, 2]) as [FieldSummary, FieldSummary];
  if (failure.first) throwFailure(bytes, failure.first.start, failure.first.end);
  if (!events.first) throw new Error('the response has neither a failure nor events');
  const [version, list] = summarizeFields(bytes, [3, 4], events.first.start, events.first.end) as [
    FieldSummary,
    FieldSummary,
  ];
  return { events: list.count, aggregateRootVersion: version.varint ?? 0 };
}

type FieldSummary = ReturnType<typeof summarizeFields>[number];

/**
 * Decodes a sampled `CommitEventsResponse` in full and checks what a client relies on: no failure, one committed
 * event per request event with the same event source, type and content, consecutive sequence numbers, and the
 * caller's execution context. Returns the first sequence number.
 */
export function verifyCommitEventsResponse(requestBytes: Buffer, responseBytes: Buffer): number {
  const request = CommitEventsRequest.deserializeBinary(requestBytes);
  const response = CommitEventsResponse.deserializeBinary(responseBytes);
  const failure = response.getFailure();
  if (failure)
    throw new RuntimeFailure(
      guidFromBytes(failure.getId()?.getValue_asU8() ?? new Uint8Array()) ?? '?',
      failure.getReason(),
    );
  const sent = request.getEventsList();
  const committed = response.getEventsList();
  if (committed.length !== sent.length) throw new Error(`sent ${sent.length} events, ${committed.length} committed`);
  const first = committed[0]?.getEventlogsequencenumber() ?? 0;
  const tenant = request.getCallcontext()?.getExecutioncontext()?.getTenantid()?.getValue_asU8();
  committed.forEach((event, i) => {
    const original = sent[i];
    const problems: string[] = [];
    if (event.getEventlogsequencenumber() !== first + i) problems.push('sequence numbers are not consecutive');
    if (
      !Buffer.from(event.getEventsourceid()?.getValue_asU8() ?? []).equals(
        Buffer.from(original?.getEventsourceid()?.getValue_asU8() ?? []),
      )
    )
      problems.push('event source differs');
    if (event.getContent() !== original?.getContent()) problems.push('content differs');
    if (event.getType()?.getGeneration() !== 1) problems.push('type generation differs');
    if (
      !Buffer.from(event.getExecutioncontext()?.getTenantid()?.getValue_asU8() ?? []).equals(Buffer.from(tenant ?? []))
    )
      problems.push('execution context tenant differs');
    if (!event.getOccurred()) problems.push('occurred is missing');
    if (problems.length > 0) throw new Error(`committed event ${i}: ${problems.join(', ')}`);
  });
  return first;
}
