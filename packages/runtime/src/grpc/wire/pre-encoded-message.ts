const preEncodedPrototypes = new WeakMap<object, object>();

/**
 * A message object that grpc-js sends as bytes encoded beforehand (by the hand-written encoders in this folder),
 * through the service's generated serializer: the object passes its `instanceof` check, and `serializeBinary` returns
 * the bytes. So a service whose definition does not let Buffers through (`acceptingEncodedResponses`) can still send
 * pre-encoded messages. The object has no fields of its own: only for messages the Runtime writes and never reads.
 */
export function preEncodedMessage<M extends object>(type: { readonly prototype: M }, bytes: Uint8Array): M {
  let prototype = preEncodedPrototypes.get(type);
  if (prototype === undefined) {
    prototype = Object.create(type.prototype, {
      serializeBinary: {
        value(this: { readonly encoded: Uint8Array }) {
          return this.encoded;
        },
      },
    }) as object;
    preEncodedPrototypes.set(type, prototype);
  }
  const message = Object.create(prototype) as { encoded: Uint8Array };
  message.encoded = bytes;
  return message as unknown as M;
}
