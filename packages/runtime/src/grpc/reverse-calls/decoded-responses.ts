/*
 * The hot responses of a reverse call (one per event) cost more to decode with the contract classes than everything
 * else the Runtime does with them. A service definition can read them from their bytes instead
 * (`acceptingDecodedResponses`); they reach the dispatcher as a `DecodedResponse`. Most say only "done" (an event
 * handler's `EventHandlerResponse` with its call context and no failure): `acceptingSucceededResponses`.
 */

/**
 * A client message the service definition read from its bytes itself (see `acceptingDecodedResponses`): a response to
 * the call `callId` names, which resolves with `response`; `arm` names the envelope's field it came in.
 */
export class DecodedResponse<R> {
  constructor(
    readonly callId: Uint8Array,
    readonly response: R,
    readonly arm: string,
  ) {}
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
 * The service definition with every response that holds nothing but its call id (`succeededResponseCallId`) read
 * from its bytes: its call resolves with `succeeded`, shared by every such call (not to be changed).
 */
export function acceptingSucceededResponses<D extends object, R>(
  definition: D,
  responseArm: { readonly field: number; readonly name: string },
  succeeded: R,
): D {
  return acceptingDecodedResponses(definition, (bytes) => {
    const callId = succeededResponseCallId(bytes, responseArm.field);
    return callId === undefined ? undefined : new DecodedResponse(callId, succeeded, responseArm.name);
  });
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
