// Builds an official SDK 17 client against a Runtime process, captures what the SDK logs (the only place some
// failures surface, e.g. a commit that `perform()` swallows), and shuts the client down afterwards. SDK 17 has no
// close or dispose: its event handlers, filters, projections and embeddings re-register forever (every second)
// unless the cancellation given to `withCancellation` completes, and its gRPC channels stay open.
import { Writable } from 'node:stream';
import { Client, type ClientBuilder } from '@dolittle/sdk';
import { Cancellation } from '@dolittle/sdk.resilience';
import { createLogger, transports } from 'winston';

/** One entry the SDK logged through winston. */
export interface SdkLogEntry {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

export interface SdkClientOptions {
  /** The Runtime's private port on localhost. */
  readonly port: number;
  readonly host?: string;
  /** Defaults to a fixed compat microservice id. */
  readonly microserviceId?: string;
  /** Register event types, aggregates, handlers… before `build()`. */
  readonly configure?: (builder: ClientBuilder) => ClientBuilder;
}

export interface SdkClient {
  readonly client: Client;
  readonly microserviceId: string;
  /** Everything the SDK logged so far (debug level and up). */
  logs(): readonly SdkLogEntry[];
  /**
   * Completes the client's cancellation (ending its reverse calls and re-registration loops), then closes every
   * gRPC channel it opened, so the test process can exit. Idempotent.
   */
  close(): void;
}

const maxLogEntries = 10_000;

export const compatMicroserviceId = 'c0a7c0a7-5eed-4c0d-9a1e-0f17c0a7c0de';

export function createSdkClient(options: SdkClientOptions): SdkClient {
  const microserviceId = options.microserviceId ?? compatMicroserviceId;
  const entries: SdkLogEntry[] = [];
  const echo = process.env.DOLITTLE_COMPAT_SDK_LOGS === '1';
  const sink = new Writable({
    objectMode: true,
    write(entry: SdkLogEntry, _encoding, done) {
      entries.push(entry);
      // A client whose registrations are refused logs every second forever; keep the recent part.
      if (entries.length > maxLogEntries) entries.splice(0, entries.length - maxLogEntries);
      if (echo) process.stderr.write(`[sdk ${entry.level}] ${entry.message}\n`);
      done();
    },
  });
  const logger = createLogger({ level: 'debug', transports: [new transports.Stream({ stream: sink })] });
  const cancellation = createCancellation();
  let builder = Client.forMicroservice(microserviceId)
    .withRuntimeOn(options.host ?? 'localhost', options.port)
    .withLogging(logger)
    .withCancellation(cancellation.token);
  if (options.configure) builder = options.configure(builder);
  const client = builder.build();
  let closed = false;
  return {
    client,
    microserviceId,
    logs: () => [...entries],
    close() {
      if (closed) return;
      closed = true;
      cancellation.cancel();
      for (const grpcClient of findGrpcClients(client)) grpcClient.close();
    },
  };
}

/**
 * The SDK's `Cancellation` is an RxJS `Observable<void>`; the SDK cancels its calls and stops retrying when it
 * completes. This one completes every subscriber on `cancel()`, and completes later subscribers at once.
 */
function createCancellation(): { token: Cancellation; cancel(): void } {
  let cancelled = false;
  const subscribers = new Set<{ complete(): void }>();
  const token = new Cancellation((subscriber) => {
    if (cancelled) {
      subscriber.complete();
      return;
    }
    subscribers.add(subscriber);
    return () => {
      subscribers.delete(subscriber);
    };
  });
  return {
    token,
    cancel() {
      cancelled = true;
      for (const subscriber of [...subscribers]) subscriber.complete();
    },
  };
}

interface ClosableGrpcClient {
  close(): void;
  getChannel(): unknown;
}

function isGrpcClient(value: unknown): value is ClosableGrpcClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ClosableGrpcClient>).close === 'function' &&
    typeof (value as Partial<ClosableGrpcClient>).getChannel === 'function'
  );
}

/**
 * The SDK keeps its grpc-js clients in private fields of the objects `Client` exposes (event store builder,
 * projection store builder, embeddings…). Walking a few levels of own properties finds them without depending on
 * their names.
 */
function findGrpcClients(root: object): ClosableGrpcClient[] {
  const found = new Set<ClosableGrpcClient>();
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 4) return;
    seen.add(value);
    if (isGrpcClient(value)) {
      found.add(value);
      return;
    }
    if (value instanceof Map) {
      for (const item of value.values()) visit(item, depth + 1);
      return;
    }
    for (const key of Object.keys(value)) {
      if (key === 'logger' || key === '_logger') continue;
      visit((value as Record<string, unknown>)[key], depth + 1);
    }
  };
  visit(root, 0);
  return [...found];
}
