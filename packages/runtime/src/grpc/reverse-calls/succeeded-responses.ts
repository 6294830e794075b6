/*
 * Most responses to a reverse call say only "done" (an event handler's `EventHandlerResponse` with its call context
 * and no failure), and decoding each with the contract classes costs more than everything else the Runtime does with
 * it. Such a response is recognised from its bytes instead and arrives at the dispatcher as a `SucceededResponse`.
 */

/**
 * A client message the service definition read from its bytes itself (see `acceptingDecodedResponses`): a response to
 * the call `callId` names, which resolves with `response`.
 */
export class DecodedResponse<R> {
  constructor(
    readonly callId: Uint8Array,
    readonly response: R,
  ) {}
}

/** A client message that is the response arm holding nothing but `callContext { callId }`, 16 bytes. */
export class SucceededResponse {
  readonly callId: Uint8Array;

  constructor(callId: Uint8Array) {
    this.callId = callId;
  }
}

/**
 * The call id of a client message that is exactly `{ <responseField>: { callContext(1): { callId(1): { value(1):
 * 16 bytes } } } }`, as every encoder writes it; undefined for anything else (that message is decoded in full).
 */
export function succeededResponseCallId(bytes: Uint8Array, responseField: number): Uint8Array | undefined {
  if (bytes.length !== 24) return undefined;
  const expected = [responseField * 8 + 2, 22, 0x0a, 20, 0x0a, 18, 0x0a, 16];
  for (let i = 0; i < expected.length; i++) if (bytes[i] !== expected[i]) return undefined;
  return Uint8Array.prototype.slice.call(bytes, 8, 24);
}

interface MethodDefinition {
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

/**
 * The service definition with requests that may arrive as a `SucceededResponse` (see `succeededResponseCallId`);
 * every other message is decoded as before. For a reverse-call service whose protocol has `succeeded`.
 */
export function acceptingSucceededResponses<D extends object>(definition: D, responseField: number): D {
  const copy: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition as Record<string, MethodDefinition>)) {
    copy[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        const callId = succeededResponseCallId(bytes, responseField);
        return callId === undefined ? method.requestDeserialize(bytes) : new SucceededResponse(callId);
      },
    };
  }
  return copy as D;
}

/**
 * The service definition with requests that `decode` reads from their bytes (a `DecodedResponse`, for the hot
 * responses of a reverse call); every message it gives undefined for is decoded as before.
 */
export function acceptingDecodedResponses<D extends object>(
  definition: D,
  decode: (bytes: Buffer) => DecodedResponse<unknown> | undefined,
): D {
  const copy: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition as Record<string, MethodDefinition>)) {
    copy[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => decode(bytes) ?? method.requestDeserialize(bytes),
    };
  }
  return copy as D;
}
