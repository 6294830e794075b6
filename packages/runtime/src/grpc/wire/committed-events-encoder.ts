import {
  type AggregateRootId,
  type ExecutionContext as DomainExecutionContext,
  type EventSourceId,
  type Guid,
  guidToBytes,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';
import { executionContextToPbCached } from '../committed-events.js';
import { ProtobufWriter } from './protobuf-writer.js';

/*
 * Encodes the EventStore's successful responses straight to protobuf bytes. Field numbers are those of
 * @dolittle/runtime.contracts 5.4.0 (Events/Committed.proto, Events/EventStore.proto); committed-events-encoder.test.ts
 * checks byte equality with the generated serializers.
 */

const encodedContexts = new WeakMap<DomainExecutionContext, Uint8Array>();
const guidBytes = new Map<string, Uint8Array>();

/** An `ExecutionContext` message's bytes, encoded once per context object. */
export function executionContextBytes(context: DomainExecutionContext): Uint8Array {
  let bytes = encodedContexts.get(context);
  if (bytes === undefined) {
    bytes = encodeExecutionContext(context);
    encodedContexts.set(context, bytes);
  }
  return bytes;
}

/**
 * `ExecutionContext { Uuid microserviceId = 1; Uuid tenantId = 2; Version version = 3; Uuid correlationId = 4;
 * repeated Claim claims = 5; string environment = 6 }`, `Version { int32 major = 1; minor = 2; patch = 3; build = 4;
 * string preReleaseString = 5 }`, `Claim { string key = 1; value = 2; valueType = 3 }` (Fundamentals), as the contract
 * classes write them: the ids and the version always, defaults left out. Written without the classes' object graph,
 * which a Commit would otherwise build for every new context. A negative version number (int32 written as a 10-byte
 * varint) is rare enough to leave to the classes.
 */
function encodeExecutionContext(context: DomainExecutionContext): Uint8Array {
  const { version } = context;
  if (version.major < 0 || version.minor < 0 || version.patch < 0 || version.build < 0) {
    return executionContextToPbCached(context).serializeBinary();
  }
  const writer = new ProtobufWriter(256);
  writeUuid(writer, 1, context.microserviceId);
  writeUuid(writer, 2, context.tenantId);
  writer.message(3, (w) => {
    w.uint(1, version.major);
    w.uint(2, version.minor);
    w.uint(3, version.patch);
    w.uint(4, version.build);
    w.string(5, version.preRelease);
  });
  writeUuid(writer, 4, context.correlationId);
  for (const claim of context.claims) {
    writer.message(5, (w) => {
      w.string(1, claim.key);
      w.string(2, claim.value);
      w.string(3, claim.valueType);
    });
  }
  writer.string(6, context.environment);
  return new Uint8Array(writer.finish());
}

/** A `Uuid` message. Ids repeat (event types, event sources of a commit): their 16 bytes are kept for the next time. */
export function writeUuid(writer: ProtobufWriter, field: number, guid: Guid | string): void {
  let bytes = guidBytes.get(guid);
  if (bytes === undefined) {
    bytes = guidToBytes(guid as Guid);
    if (guidBytes.size >= 50_000) guidBytes.clear();
    guidBytes.set(guid, bytes);
  }
  writer.message(field, (w) => w.bytes(1, bytes));
}

function timestamp(writer: ProtobufWriter, field: number, date: Date): void {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  writer.message(field, (w) => {
    w.uint(1, seconds);
    w.uint(2, (ms - seconds * 1000) * 1_000_000);
  });
}

function artifact(writer: ProtobufWriter, field: number, type: CommittedEvent['type']): void {
  writer.message(field, (w) => {
    writeUuid(w, 1, type.id);
    w.uint(2, type.generation);
  });
}

/** The fields of a `CommittedEvent` (Events/Committed.proto), inside a message the caller opened. */
export function writeCommittedEvent(w: ProtobufWriter, event: CommittedEvent): void {
  w.uint(1, event.sequenceNumber);
  timestamp(w, 2, event.occurred);
  writeUuid(w, 3, event.eventSourceId);
  w.encoded(4, executionContextBytes(event.executionContext));
  artifact(w, 5, event.type);
  w.bool(6, event.public);
  w.string(7, event.content);
  if (event.external !== undefined) {
    w.bool(8, true);
    w.uint(9, event.external.sequenceNumber);
    timestamp(w, 10, event.external.received);
  }
}

/** `CommitEventsResponse { failure = 1; repeated CommittedEvent events = 2 }` without a failure. */
export function encodeCommitEventsResponse(events: readonly CommittedEvent[]): Buffer {
  const writer = new ProtobufWriter(256 + events.length * 256);
  for (const event of events) writer.message(2, (w) => writeCommittedEvent(w, event));
  return writer.finish();
}

/**
 * `CommittedAggregateEvents` inside `CommitAggregateEventsResponse` / `FetchForAggregateResponse` (both `events = 2`),
 * without a failure. `aggregateRootVersion` is the version of the last event (Dolittle 6's quirk), 0 when none.
 */
export function encodeAggregateEventsResponse(
  aggregateRootId: AggregateRootId,
  eventSourceId: EventSourceId,
  events: readonly CommittedEvent[],
): Buffer {
  const writer = new ProtobufWriter(256 + events.length * 256);
  writer.message(2, (aggregate) => {
    writeUuid(aggregate, 1, eventSourceId);
    writeUuid(aggregate, 2, aggregateRootId);
    aggregate.uint(3, events[events.length - 1]?.aggregate?.version ?? 0);
    for (const event of events) {
      aggregate.message(4, (w) => {
        w.uint(1, event.sequenceNumber);
        timestamp(w, 2, event.occurred);
        w.encoded(3, executionContextBytes(event.executionContext));
        artifact(w, 4, event.type);
        w.bool(5, event.public);
        w.string(6, event.content);
      });
    }
  });
  return writer.finish();
}
