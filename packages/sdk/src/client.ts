/*
 * The client: `await DolittleClient.connect({ runtime, eventHandlers, projections, … })` picks a transport (a
 * Runtime over gRPC, or one in this process), registers every processor it was given and resolves once the Runtime
 * accepted them all. Processors re-register by themselves when the connection is lost. `close()` ends every stream
 * and timer, so a process whose work is done exits by itself.
 */
import {
  type ConsentId,
  type CorrelationId,
  createGuid,
  developmentMicroservice,
  developmentTenant,
  type TenantId,
  type Version,
} from '@dolittle-ts/fundamentals';
// Type-only: the embedded Runtime is loaded on demand, so a remote-only client never loads it.
import type { EmbeddedRuntime, EmbeddedRuntimeOptions, EmbeddedStore } from '@dolittle-ts/runtime/embedded';
import { type AggregateDefinition, Aggregates } from './aggregates.js';
import { EmbeddingStore } from './embedding-store.js';
import { type EmbeddingDefinition, embeddingProcessor } from './embeddings.js';
import { abortedError, DolittleSdkError } from './errors.js';
import { type EventHandlerDefinition, eventHandlerProcessor } from './event-handlers.js';
import { EventStore } from './event-store.js';
import type { EventType } from './event-types.js';
import { type FilterDefinition, filterProcessor } from './filters.js';
import { type GuidLike, toMicroserviceId, toTenantId } from './ids.js';
import { consoleLogger, type Logger } from './logger.js';
import { type ReconnectOptions, superviseProcessor } from './processing/processor-supervisor.js';
import { backoffDelay, sleep } from './processing/sleep.js';
import { ProjectionStore } from './projection-store.js';
import { type ProjectionDefinition, projectionProcessor } from './projections.js';
import { defineSubscription, type SubscriptionDefinition, type SubscriptionOptions } from './subscriptions.js';
import type { CallOptions, HeadIdentity, Processor, Transport } from './transport/transport.js';

export type { EmbeddedRuntime, EmbeddedStore } from '@dolittle-ts/runtime/embedded';

export interface EmbeddedOptions {
  /** Where the in-process Runtime keeps events. Default: memory (gone when the client closes). */
  readonly store?: EmbeddedStore;
  /** Default: the development tenant only. */
  readonly tenants?: readonly GuidLike[];
  /** Share one in-process Runtime between clients (e.g. `createTestRuntime()`); it is not stopped on close. */
  readonly runtime?: EmbeddedRuntime;
  /**
   * Producer microservices for event-horizon subscriptions (what `microservices.json` is to a Runtime process): id →
   * their Runtime's public endpoint, `{ 'a14bb24e-…': { host: 'producer', port: 50052 } }` (or a Map).
   */
  readonly microservices?: Readonly<Record<string, MicroserviceAddress>> | EmbeddedRuntimeOptions['microservices'];
}

type RuntimeMicroserviceAddress =
  NonNullable<EmbeddedRuntimeOptions['microservices']> extends ReadonlyMap<unknown, infer Address> ? Address : never;

/** Where a producer microservice's Runtime serves its public (event-horizon) port. */
export interface MicroserviceAddress {
  readonly host: string;
  readonly port: number;
  /** Default: plain TCP. */
  readonly tls?: RuntimeMicroserviceAddress['tls'];
}

function microservicesOf(
  microservices: EmbeddedOptions['microservices'],
): EmbeddedRuntimeOptions['microservices'] | undefined {
  if (microservices === undefined) return undefined;
  const entries: [string, MicroserviceAddress][] =
    microservices instanceof Map ? [...microservices] : Object.entries(microservices);
  return new Map(
    entries.map(([id, address]) => [
      toMicroserviceId(id, `embedded.microservices (${id})`),
      { host: address.host, port: address.port, tls: address.tls ?? undefined },
    ]),
  );
}

/** `host:port` of a Runtime's private endpoint, or a Runtime in this process. */
export type RuntimeTarget = string | { readonly embedded: EmbeddedOptions };

// biome-ignore lint/suspicious/noExplicitAny: definitions of any event types, states and commands
type Any = any;

export interface ConnectOptions {
  /** Default `localhost:50053`. */
  readonly runtime?: RuntimeTarget;
  /** Default: the Dolittle development microservice f39b1f61-d360-4675-b859-53c05c87c0e6. */
  readonly microserviceId?: GuidLike;
  /** The head's version, `'1.2.3'` or `'1.2.3-rc.1'`. Stored with every event. */
  readonly version?: string;
  /** Default `Development`. */
  readonly environment?: string;
  /** The tenant of `client.eventStore`, `client.aggregates`, `client.projections`. Default: the development tenant. */
  readonly defaultTenant?: GuidLike;
  /** The event types the head uses; checked for clashes (one id and generation, two definitions). */
  readonly eventTypes?: readonly EventType<Any>[];
  /** The aggregates the head uses; checked for clashing ids. */
  readonly aggregates?: readonly AggregateDefinition<Any, Any, Any>[];
  readonly eventHandlers?: readonly EventHandlerDefinition<Any>[];
  readonly projections?: readonly ProjectionDefinition<Any, Any>[];
  readonly filters?: readonly FilterDefinition[];
  /** Embeddings this head serves (registered with the Runtime; their updates and deletes run through it). */
  readonly embeddings?: readonly EmbeddingDefinition<Any, Any>[];
  /** Event-horizon subscriptions, made at connect and retried in the background while they fail. */
  readonly subscriptions?: readonly (SubscriptionDefinition | SubscriptionOptions)[];
  /** Aborting it while connecting rejects `connect`; aborting it later closes the client. */
  readonly signal?: AbortSignal;
  /** Default: warnings and errors to the console. */
  readonly logger?: Logger;
  /** Remote: the ping interval asked of the Runtime on every processor stream. Default 1000 ms. */
  readonly pingIntervalMs?: number;
  /** How lost processors re-register. */
  readonly reconnect?: ReconnectOptions;
}

/** The event store, aggregates, read models and embeddings of one tenant. */
export class TenantClient {
  readonly tenant: TenantId;
  readonly eventStore: EventStore;
  readonly aggregates: Aggregates;
  readonly projections: ProjectionStore;
  readonly embeddings: EmbeddingStore;
  readonly #transport: Transport;

  constructor(transport: Transport, tenant: TenantId) {
    this.tenant = tenant;
    this.#transport = transport;
    this.eventStore = new EventStore(transport, tenant);
    this.aggregates = new Aggregates(this.eventStore);
    this.projections = new ProjectionStore(transport, tenant);
    this.embeddings = new EmbeddingStore(transport, tenant);
  }

  /**
   * Subscribes this tenant to a producer's public stream. Resolves with the producer's consent; rejects with
   * MissingMicroserviceConfiguration, MissingConsent or SubscriptionFailed.
   */
  async subscribe(
    subscription: Omit<SubscriptionOptions, 'consumerTenant'>,
    options?: CallOptions,
  ): Promise<{ consentId: ConsentId }> {
    const definition = defineSubscription({ ...subscription, consumerTenant: this.tenant });
    const consentId = await this.#transport.subscribe(
      { tenant: this.tenant, correlationId: createGuid() as string as CorrelationId },
      definition,
      options,
    );
    return { consentId };
  }
}

export function parseVersion(value: string | undefined): Version {
  if (value === undefined) return { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' };
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-(.+))?$/.exec(value.trim());
  if (match === null) throw new TypeError(`version ${JSON.stringify(value)} is not major.minor.patch[-prerelease]`);
  return {
    major: Number(match[1]),
    minor: Number(match[2] ?? 0),
    patch: Number(match[3] ?? 0),
    build: Number(match[4] ?? 0),
    preRelease: match[5] ?? '',
  };
}

function checkDefinitions(options: ConnectOptions): void {
  const seen = new Map<string, string>();
  const claim = (key: string, what: string) => {
    const before = seen.get(key);
    if (before !== undefined && before !== what) throw new TypeError(`${what} clashes with ${before}`);
    seen.set(key, what);
  };
  for (const type of options.eventTypes ?? [])
    claim(`event-type/${type.id}/${type.generation}`, `event type ${String(type)}`);
  for (const aggregate of options.aggregates ?? [])
    claim(`aggregate/${aggregate.id}`, `aggregate ${aggregate.alias ?? aggregate.id}`);
  const ids = new Set<string>();
  const unique = (id: string, what: string) => {
    if (ids.has(`${what}/${id}`)) throw new TypeError(`${what} ${id} is given twice`);
    ids.add(`${what}/${id}`);
  };
  for (const handler of options.eventHandlers ?? []) unique(`${handler.scope}/${handler.id}`, 'event handler');
  for (const filter of options.filters ?? []) unique(`${filter.scope}/${filter.id}`, 'filter');
  for (const projection of options.projections ?? []) unique(`${projection.scope}/${projection.id}`, 'projection');
  for (const embedding of options.embeddings ?? []) unique(embedding.id, 'embedding');
}

async function createTransport(target: RuntimeTarget, identity: HeadIdentity, options: ConnectOptions, logger: Logger) {
  if (typeof target === 'string') {
    const { createRemoteTransport } = await import('./transport/remote/remote-transport.js');
    return createRemoteTransport({
      address: target,
      identity,
      logger,
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
    });
  }
  const { createEmbeddedTransport } = await import('./transport/embedded/embedded-transport.js');
  return createEmbeddedTransport({
    runtime: target.embedded.runtime,
    store: target.embedded.store,
    tenants: target.embedded.tenants?.map((t) => toTenantId(t, 'embedded.tenants')),
    microservices: microservicesOf(target.embedded.microservices),
    identity,
    logger,
  });
}

export class DolittleClient {
  /** Where the client is connected: `localhost:50053`, `embedded (memory)`. */
  readonly runtime: string;
  readonly mode: 'remote' | 'embedded';
  readonly defaultTenant: TenantId;
  readonly #transport: Transport;
  readonly #stop: AbortController;
  readonly #supervisors: Promise<void>[];
  readonly #tenants = new Map<string, TenantClient>();
  #closing: Promise<void> | undefined;

  private constructor(
    transport: Transport,
    defaultTenant: TenantId,
    stop: AbortController,
    supervisors: Promise<void>[],
  ) {
    this.#transport = transport;
    this.runtime = transport.description;
    this.mode = transport.kind;
    this.defaultTenant = defaultTenant;
    this.#stop = stop;
    this.#supervisors = supervisors;
  }

  /**
   * Connects to a Runtime and registers every event handler, filter, projection and embedding given. Resolves once the Runtime
   * accepted them all (waiting, with back-off, for a Runtime that is not up yet); rejects with RegistrationFailed
   * when it refused one, or Aborted when `signal` aborted first.
   */
  static async connect(options: ConnectOptions = {}): Promise<DolittleClient> {
    const logger = options.logger ?? consoleLogger;
    const signal = options.signal;
    if (signal?.aborted) throw abortedError(signal, 'connect');
    checkDefinitions(options);
    const identity: HeadIdentity = {
      microserviceId:
        options.microserviceId === undefined ? developmentMicroservice : toMicroserviceId(options.microserviceId),
      version: parseVersion(options.version),
      environment: options.environment ?? 'Development',
    };
    const defaultTenant =
      options.defaultTenant === undefined ? developmentTenant : toTenantId(options.defaultTenant, 'defaultTenant');
    const processors: Processor[] = [
      ...(options.eventHandlers ?? []).map((definition) => eventHandlerProcessor(definition, logger)),
      ...(options.filters ?? []).map((definition) => filterProcessor(definition, logger)),
      ...(options.projections ?? []).map((definition) => projectionProcessor(definition, logger)),
      ...(options.embeddings ?? []).map((definition) => embeddingProcessor(definition, logger)),
    ];
    const transport = await createTransport(options.runtime ?? 'localhost:50053', identity, options, logger);

    const stop = new AbortController();
    const supervised = processors.map((processor) =>
      superviseProcessor(transport, processor, { signal: stop.signal, logger, reconnect: options.reconnect }),
    );
    const subscriptions = (options.subscriptions ?? []).map((s) => ('kind' in s ? s : defineSubscription(s)));
    const client = new DolittleClient(transport, defaultTenant, stop, [
      ...supervised.map((s) => s.done),
      ...subscriptions.map((s) => keepSubscribed(transport, s, stop.signal, logger)),
    ]);

    const onAbort = () => {
      void client.close();
    };
    try {
      const registered = Promise.all(supervised.map((s) => s.registered));
      if (signal === undefined) await registered;
      else {
        await new Promise<void>((resolve, reject) => {
          const abort = () => reject(abortedError(signal, 'connect'));
          signal.addEventListener('abort', abort, { once: true });
          registered.then(() => resolve(), reject).finally(() => signal.removeEventListener('abort', abort));
        });
      }
    } catch (error) {
      await client.close();
      throw error;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    return client;
  }

  /** The event store, aggregates, read models and embeddings of `tenant`. */
  forTenant(tenant: GuidLike): TenantClient {
    const id = toTenantId(tenant);
    if (this.#stop.signal.aborted) throw new DolittleSdkError('ClientClosed', 'the client is closed');
    let scoped = this.#tenants.get(id);
    if (scoped === undefined) {
      scoped = new TenantClient(this.#transport, id);
      this.#tenants.set(id, scoped);
    }
    return scoped;
  }

  get eventStore(): EventStore {
    return this.forTenant(this.defaultTenant).eventStore;
  }
  get aggregates(): Aggregates {
    return this.forTenant(this.defaultTenant).aggregates;
  }
  get projections(): ProjectionStore {
    return this.forTenant(this.defaultTenant).projections;
  }
  get embeddings(): EmbeddingStore {
    return this.forTenant(this.defaultTenant).embeddings;
  }

  get closed(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Ends every processor stream and timer and closes the connection (or stops an owned in-process Runtime). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stop.abort(new DolittleSdkError('ClientClosed', 'the client was closed'));
      await Promise.all(this.#supervisors);
      await this.#transport.close();
    })();
    return this.#closing;
  }
}

/** Subscribes once the Runtime answers; retries with back-off while it fails, until the client closes. */
async function keepSubscribed(
  transport: Transport,
  subscription: SubscriptionDefinition,
  signal: AbortSignal,
  logger: Logger,
) {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await transport.subscribe(
        { tenant: subscription.consumerTenant, correlationId: createGuid() as string as CorrelationId },
        subscription,
        { signal },
      );
      return;
    } catch (error) {
      if (signal.aborted) return;
      logger.warn(
        `subscription to stream ${subscription.stream} of ${subscription.producerMicroservice} failed; retrying`,
        {
          error: error instanceof Error ? error.message : error,
        },
      );
    }
    await sleep(backoffDelay(attempt, 1000, 60_000), signal);
  }
}
