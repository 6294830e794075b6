import type { ExecutionContext } from '@dolittle-ts/fundamentals';
import { executionContextBytes } from './committed-events-encoder.js';
import { ProtobufWriter } from './protobuf-writer.js';

/*
 * `ReverseCallRequestContext { Uuid callId = 1; ExecutionContext executionContext = 2 }` (contracts 5.4.0,
 * Fundamentals/Services/ReverseCallContext.proto), the context every reverse-call request carries. Both fields are
 * always present, as when the message is built with the contract classes.
 */
export function encodeRequestContext(callId: Uint8Array, executionContext: ExecutionContext): Uint8Array {
  const context = executionContextBytes(executionContext);
  const writer = new ProtobufWriter(context.length + 32);
  writer.message(1, (uuid) => uuid.bytes(1, callId));
  writer.encoded(2, context);
  return writer.finish();
}
