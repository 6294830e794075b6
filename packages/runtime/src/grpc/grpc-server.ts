import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status as Status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

export interface GrpcServerOptions {
  readonly maxMessageBytes: number;
}

/**
 * A gRPC server with the limits a long-lived Runtime needs: bounded message sizes (an oversized request is
 * answered with RESOURCE_EXHAUSTED and never buffered whole), bounded concurrent streams per connection, and
 * keep-alive pings tolerated from clients.
 */
export function createGrpcServer(options: GrpcServerOptions): Server {
  return new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    // Responses (e.g. FetchForAggregate of a long-lived aggregate) may be larger than requests.
    'grpc.max_send_message_length': 256 * 1024 * 1024,
    'grpc.max_concurrent_streams': 1000,
    // Channelz bookkeeping costs a few microseconds per call and nothing here reads it.
    'grpc.enable_channelz': 0,
    'grpc.keepalive_permit_without_calls': 1,
    // Find connections whose peer vanished without a reset (a reverse call's stream is otherwise held open).
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.http2.min_ping_interval_without_data_ms': 5000,
  });
}

/**
 * Serves the service's methods. A unary request whose bytes are not the method's protobuf message is refused with
 * INVALID_ARGUMENT naming the method and what the decoder found wrong (left to itself, the gRPC library answers
 * INTERNAL "Error deserializing request", which tells the client nothing); the implementation never sees it.
 * Streamed requests (the reverse calls) keep the library's own answer, which ends the call at once: ending a
 * stream from inside its message flow proved unreliable under a burst (the call stayed open).
 */
export function addService(server: Server, definition: unknown, implementation: UntypedServiceImplementation): void {
  const methods = definition as ServiceDefinition;
  const guarded: Record<string, ServiceDefinition[string]> = {};
  const handlers: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(methods)) {
    const handler =
      implementation[name] ?? (method.originalName === undefined ? undefined : implementation[method.originalName]);
    if (method.requestStream || handler === undefined) {
      guarded[name] = method;
      if (handler !== undefined) handlers[name] = handler;
      continue;
    }
    const decode = method.requestDeserialize;
    guarded[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (error) {
          return new UndecodableRequest(method.path, error);
        }
      },
    };
    handlers[name] = refusingUndecodable(handler);
  }
  server.addService(guarded as ServiceDefinition, handlers);
}

type Handler = UntypedServiceImplementation[string];

/** What an undecodable request becomes, so that its call can be refused with a status saying why. */
class UndecodableRequest {
  readonly status: Partial<ServiceError>;
  constructor(path: string, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    this.status = {
      code: Status.INVALID_ARGUMENT,
      details: `${path}: the request is not a valid protobuf message for this method (${reason})`,
    };
  }
}

function refusingUndecodable(handler: Handler): Handler {
  // biome-ignore lint/suspicious/noExplicitAny: the call shapes of grpc-js share no common type
  const call = handler as (call: any, callback?: any) => void;
  return ((
    serverCall: { request: unknown; emit(event: string, value: unknown): boolean },
    callback?: (error: Partial<ServiceError>) => void,
  ) => {
    if (serverCall.request instanceof UndecodableRequest) {
      // Unary: answer through the callback; server streaming: grpc-js sends an 'error' event's status at once.
      if (callback !== undefined) callback(serverCall.request.status);
      else serverCall.emit('error', serverCall.request.status);
      return;
    }
    call(serverCall, callback);
  }) as Handler;
}

/** TLS for a port: PEM certificate chain and key, and optionally the CAs client certificates must chain to. */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string | undefined;
}

export function bind(server: Server, host: string, port: number, tls?: ServerTls): Promise<number> {
  const serverCredentials =
    tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(
          tls.ca === undefined ? null : Buffer.from(tls.ca),
          [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
          tls.ca !== undefined,
        );
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, serverCredentials, (error, bound) => {
      if (error) reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
      else resolve(bound);
    });
  });
}

/** Stops accepting calls, lets in-flight calls finish (up to `graceMs`), then cuts what is left. */
export function shutdown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * The service definition with responses that may also be given as ready-encoded bytes: a handler that encoded its
 * response itself (the hot EventStore paths) passes a Buffer, which is sent as is.
 */
export function acceptingEncodedResponses<T extends object>(definition: T): T {
  const copy: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(
    definition as Record<string, { responseSerialize(value: unknown): Buffer }>,
  )) {
    copy[name] = {
      ...method,
      responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : method.responseSerialize(value)),
    };
  }
  return copy as T;
}
