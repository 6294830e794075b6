/*
 * A projection head answers every event with `ProjectionClientToRuntimeMessage { handleResult: ProjectionResponse {
 * callContext { callId }, replace { state } | delete {} } }`. Decoding that with the contract classes (a message
 * object per level, wrapper fields, a map sync) cost more per event than the Runtime's own work with it, so the
 * service definition reads these answers from their bytes here. Anything else (a failure, a pong, a registration,
 * unknown fields, an unusual layout) is left to the contract classes, so their semantics stay the reference.
 */

import { DecodedResponse } from '../reverse-calls/decoded-responses.js';
import { WireReader } from './wire-reader.js';

/** A replace or delete answer read from its bytes. */
export class ProjectionAnswer {
  constructor(
    /** The new state (JSON text, not yet checked) for a replace; undefined for a delete. */
    readonly state: string | undefined,
  ) {}
}

/** `ProjectionClientToRuntimeMessage.handleResult`. */
const handleResultField = 2;

/**
 * The answer in `bytes` when it is a handle result holding exactly a 16-byte call id and one of replace or delete;
 * undefined for any other message (which is then decoded in full).
 */
export function decodeProjectionAnswer(bytes: Uint8Array): DecodedResponse<ProjectionAnswer> | undefined {
  const reader = new WireReader(bytes);
  if (reader.tag() !== ((handleResultField << 3) | 2)) return undefined;
  const end = reader.lengthEnd();
  if (end !== bytes.length) return undefined;
  let callId: Uint8Array | undefined;
  let state: string | undefined;
  let deleted = false;
  while (reader.at < end) {
    const tag = reader.tag();
    if ((tag & 7) !== 2) return undefined;
    const fieldEnd = reader.lengthEnd();
    if (fieldEnd > end) return undefined;
    switch (tag >>> 3) {
      case 1: // callContext: ReverseCallResponseContext { callId: Uuid { value } }
        if (callId !== undefined) return undefined;
        callId = readCallId(reader, fieldEnd);
        if (callId === undefined) return undefined;
        break;
      case 2: // replace: ProjectionReplaceResponse { state }
        if (state !== undefined || deleted) return undefined;
        state = readOnlyString(reader, fieldEnd);
        if (state === undefined) return undefined;
        break;
      case 3: // delete: ProjectionDeleteResponse {}
        if (state !== undefined || deleted || fieldEnd !== reader.at) return undefined;
        deleted = true;
        break;
      default:
        return undefined;
    }
    reader.at = fieldEnd;
  }
  if (callId === undefined || (state === undefined && !deleted)) return undefined;
  return new DecodedResponse(callId, new ProjectionAnswer(state), 'handleResult');
}

function readCallId(reader: WireReader, end: number): Uint8Array | undefined {
  if (reader.tag() !== 0x0a) return undefined;
  const uuidEnd = reader.lengthEnd();
  if (uuidEnd !== end) return undefined;
  return reader.uuid(uuidEnd)?.slice();
}

/**
 * A message holding only field 1, a string (an empty message is the empty string, as protobuf has it); undefined for
 * anything else.
 */
function readOnlyString(reader: WireReader, end: number): string | undefined {
  if (reader.at === end) return '';
  if (reader.tag() !== 0x0a) return undefined;
  const stringEnd = reader.lengthEnd();
  if (stringEnd !== end) return undefined;
  // Invalid UTF-8 is left to the contract classes, whose replacement of bad sequences is the reference.
  return reader.utf8(stringEnd);
}
