/*
 * `EventStore.Commit` is the Runtime's hottest unary call. Its request is read from its bytes here rather than with
 * the contract classes (a message object per level, wrapper fields, and an execution context decoded and re-encoded
 * for every commit). Only the layout every encoder writes is read; anything else (unknown or repeated singular fields,
 * a missing id, an id that is not 16 bytes, invalid UTF-8, an execution context the Runtime would refuse) is left to
 * the contract classes, so their decoding and the service's error messages stay the reference.
 *
 * Field numbers of @dolittle/runtime.contracts 5.4.0 and @dolittle/contracts:
 *   CommitEventsRequest { CallRequestContext callContext = 1; repeated UncommittedEvent events = 2 }
 *   CallRequestContext { ExecutionContext executionContext = 1; Uuid headId = 2 }
 *   UncommittedEvent { Artifact artifact = 1; Uuid eventSourceId = 2; bool public = 3; string content = 4 }
 *   Artifact { Uuid id = 1; uint32 generation = 2 }
 */

import {
  type ArtifactId,
  type ExecutionContext as DomainExecutionContext,
  type EventSourceId,
  guidFromBytes,
} from '@dolittle-ts/fundamentals';
import { ExecutionContext } from '../contracts.js';
import { executionContextFromPb } from '../convert.js';
import { WireReader } from './wire-reader.js';

/** An event of a Commit as read from its bytes; its content is not yet checked to be JSON. */
export interface DecodedUncommittedEvent {
  readonly eventSourceId: EventSourceId;
  readonly type: { readonly id: ArtifactId; readonly generation: number };
  readonly public: boolean;
  readonly content: string;
}

/** A `CommitEventsRequest` read from its bytes, with the execution context the Runtime made of it. */
export class DecodedCommit {
  constructor(
    readonly executionContext: DomainExecutionContext,
    readonly events: readonly DecodedUncommittedEvent[],
  ) {}
}

/**
 * Clients send the same execution context with commit after commit: each distinct one (by its bytes) is decoded once
 * and the same object is used for every commit that carries it, so it is also encoded back once (responses, handlers).
 */
const maxKnownContexts = 1024;
const knownContexts = new Map<string, DomainExecutionContext>();

/** The commit in `bytes`, or undefined when it is not in the usual layout (then decoded with the contract classes). */
export function decodeCommitRequest(bytes: Uint8Array): DecodedCommit | undefined {
  const reader = new WireReader(bytes);
  let context: DomainExecutionContext | undefined;
  const events: DecodedUncommittedEvent[] = [];
  while (reader.at < bytes.length) {
    const tag = reader.tag();
    if ((tag & 7) !== 2) return undefined;
    const end = reader.lengthEnd();
    if (end > bytes.length) return undefined;
    if (tag >>> 3 === 1) {
      if (context !== undefined) return undefined;
      context = readCallContext(reader, end);
      if (context === undefined) return undefined;
    } else if (tag >>> 3 === 2) {
      const event = readEvent(reader, end);
      if (event === undefined) return undefined;
      events.push(event);
    } else {
      return undefined;
    }
    reader.at = end;
  }
  return context === undefined ? undefined : new DecodedCommit(context, events);
}

function readCallContext(reader: WireReader, end: number): DomainExecutionContext | undefined {
  let context: DomainExecutionContext | undefined;
  let headId = false;
  while (reader.at < end) {
    const tag = reader.tag();
    if ((tag & 7) !== 2) return undefined;
    const fieldEnd = reader.lengthEnd();
    if (fieldEnd > end) return undefined;
    if (tag >>> 3 === 1) {
      if (context !== undefined) return undefined;
      context = executionContextOf(reader.bytes.subarray(reader.at, fieldEnd));
      if (context === undefined) return undefined;
    } else if (tag >>> 3 === 2) {
      // The head id is not used by a commit; it must still be a well-formed Uuid, as the contract classes require.
      if (headId || (fieldEnd > reader.at && reader.uuid(fieldEnd) === undefined)) return undefined;
      headId = true;
    } else {
      return undefined;
    }
    reader.at = fieldEnd;
  }
  return context;
}

/** The execution context those bytes hold, decoded once per distinct bytes; undefined when the Runtime refuses it. */
function executionContextOf(bytes: Uint8Array): DomainExecutionContext | undefined {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const known = knownContexts.get(key);
  if (known !== undefined) return known;
  let context: DomainExecutionContext;
  try {
    context = executionContextFromPb(ExecutionContext.deserializeBinary(bytes), 'callContext.executionContext');
  } catch {
    return undefined;
  }
  if (knownContexts.size >= maxKnownContexts) knownContexts.clear();
  knownContexts.set(key, context);
  return context;
}

function readEvent(reader: WireReader, end: number): DecodedUncommittedEvent | undefined {
  let type: DecodedUncommittedEvent['type'] | undefined;
  let eventSourceId: EventSourceId | undefined;
  let isPublic: boolean | undefined;
  let content: string | undefined;
  while (reader.at < end) {
    const tag = reader.tag();
    if (tag === ((3 << 3) | 0)) {
      if (isPublic !== undefined) return undefined;
      const value = reader.varint();
      if (value !== 0 && value !== 1) return undefined;
      isPublic = value === 1;
      continue;
    }
    if ((tag & 7) !== 2) return undefined;
    const fieldEnd = reader.lengthEnd();
    if (fieldEnd > end) return undefined;
    switch (tag >>> 3) {
      case 1:
        if (type !== undefined) return undefined;
        type = readArtifact(reader, fieldEnd);
        if (type === undefined) return undefined;
        break;
      case 2: {
        if (eventSourceId !== undefined) return undefined;
        const id = reader.uuid(fieldEnd);
        if (id === undefined) return undefined;
        eventSourceId = guidFromBytes(id) as string as EventSourceId;
        break;
      }
      case 4:
        if (content !== undefined) return undefined;
        content = reader.utf8(fieldEnd);
        if (content === undefined) return undefined;
        break;
      default:
        return undefined;
    }
    reader.at = fieldEnd;
  }
  if (reader.at !== end || type === undefined || eventSourceId === undefined) return undefined;
  return { eventSourceId, type, public: isPublic ?? false, content: content ?? '' };
}

function readArtifact(reader: WireReader, end: number): DecodedUncommittedEvent['type'] | undefined {
  let id: ArtifactId | undefined;
  let generation: number | undefined;
  while (reader.at < end) {
    const tag = reader.tag();
    if (tag === 0x0a && id === undefined) {
      const idEnd = reader.lengthEnd();
      if (idEnd > end) return undefined;
      const bytes = reader.uuid(idEnd);
      if (bytes === undefined) return undefined;
      id = guidFromBytes(bytes) as string as ArtifactId;
      reader.at = idEnd;
    } else if (tag === ((2 << 3) | 0) && generation === undefined) {
      generation = reader.varint();
      if (generation < 0 || generation > 0xffffffff) return undefined;
    } else {
      return undefined;
    }
  }
  if (reader.at !== end || id === undefined) return undefined;
  return { id, generation: generation ?? 0 };
}
