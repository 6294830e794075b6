/*
 * The composition root: wires configuration, stores, the domain and the gRPC edge. Nothing else imports adapters.
 */
import type { Server as HttpServer } from 'node:http';
import { defaultScope, type TenantId } from '@dolittle-ts/fundamentals';
import type { TenantStore } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import type { RuntimeConfig } from './config/runtime-config.js';
import { Subscriptions } from './event-horizon/subscriptions.js';
import { Committer } from './events/committer.js';
import {
  embeddingStoreService,
  embeddingsService,
  eventHandlersService,
  eventHorizonConsumerService,
  eventStoreService,
  filtersService,
  projectionStoreService,
  projectionsService,
  subscriptionsService,
} from './grpc/contracts.js';
import { createEmbeddingsService } from './grpc/embeddings-service.js';
import { createEmbeddingStoreService } from './grpc/embeddings-store-service.js';
import { createEventHandlersService } from './grpc/event-handlers-service.js';
import { createProducerConnector } from './grpc/event-horizon-consumer-client.js';
import { createEventHorizonProducerService } from './grpc/event-horizon-producer-service.js';
import { createEventStoreService } from './grpc/event-store-service.js';
import { createFiltersService } from './grpc/filters-service.js';
import { addService, bind, createGrpcServer, shutdown } from './grpc/grpc-server.js';
import { createProjectionStoreService } from './grpc/projection-store-service.js';
import { createProjectionsService } from './grpc/projections-service.js';
import { createSubscriptionsService } from './grpc/subscriptions-service.js';
import { RuntimeMetrics } from './metrics/metrics.js';
import { ActiveProcessors } from './processing/active-processors.js';
import { EventWatcher } from './processing/event-watcher.js';
import { createStoreOpener } from './tenancy/store-opener.js';
import { type Tenant, Tenants } from './tenancy/tenants.js';

export interface BoundEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface RunningRuntime {
  readonly endpoints: {
    readonly private: BoundEndpoint;
    readonly public: BoundEndpoint;
    readonly metrics: BoundEndpoint | undefined;
  };
  /** e.g. "sqlite:/app/.dolittle/data" or "postgres:127.0.0.1:5432/dolittle". */
  readonly storeDescription: string;
  readonly tenants: readonly TenantId[];
  /** Stops accepting calls, lets in-flight commits finish, closes the stores. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the Runtime has stopped, whoever stopped it. */
  readonly stopped: Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
}

const shutdownGraceMs = 10_000;

export async function startRuntime(config: RuntimeConfig, options: StartOptions): Promise<RunningRuntime> {
  const { logger } = options;
  const metrics = new RuntimeMetrics();
  const opener = createStoreOpener({ allowUnsafeDurability: config.allowUnsafeDurability, logger });
  const stores: TenantStore[] = [];
  const privateServer = createGrpcServer({ maxMessageBytes: config.maxMessageBytes });
  const publicServer = createGrpcServer({ maxMessageBytes: config.maxMessageBytes });
  let metricsServer: HttpServer | undefined;
  // Aborted first on stop: reverse calls end (heads see the stream close) and processors stop.
  const shutdownSignal = new AbortController();

  const closeStores = async () => {
    for (const store of stores.splice(0)) {
      await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing a tenant store failed'));
    }
    await opener.close();
  };

  try {
    const tenantList: Tenant[] = [];
    for (const tenant of config.tenants.values()) {
      const store = await opener.open(tenant.id, tenant.store);
      stores.push(store);
      logger.info({ tenant: tenant.id, store: store.location }, 'tenant store opened');
      const labels = { tenant: tenant.id };
      const watcher = new EventWatcher();
      const committer = new Committer({
        tenantId: tenant.id,
        store: store.events,
        onCommitted: (last) => watcher.notify({ kind: 'event-log', scope: defaultScope }, last),
        onBatch: ({ commits, events, seconds, failed }) => {
          metrics.commitBatches.inc({ ...labels, result: failed ? 'failed' : 'ok' });
          metrics.commitBatchSize.observe(labels, commits);
          metrics.commitBatchSeconds.observe(labels, seconds);
          if (events > 0) metrics.eventsCommitted.inc(labels, events);
        },
      });
      tenantList.push({ id: tenant.id, store, committer, watcher });
    }
    const tenants = new Tenants(tenantList);

    const processing = {
      tenants,
      active: new ActiveProcessors(),
      logger,
      shutdown: shutdownSignal.signal,
      partitionsInFlight: config.partitionsInFlight,
      metrics,
    };
    addService(privateServer, eventStoreService, createEventStoreService({ tenants, logger }));
    addService(privateServer, eventHandlersService, createEventHandlersService(processing));
    addService(privateServer, filtersService, createFiltersService(processing));
    addService(privateServer, projectionsService, createProjectionsService(processing));
    addService(privateServer, projectionStoreService, createProjectionStoreService({ tenants, logger }));
    addService(privateServer, embeddingsService, createEmbeddingsService(processing));
    addService(privateServer, embeddingStoreService, createEmbeddingStoreService({ tenants, logger }));
    const subscriptions = new Subscriptions({
      tenants,
      microservices: config.microservices,
      connect: createProducerConnector({ microserviceId: config.microserviceId, environment: config.environment }),
      logger,
      signal: shutdownSignal.signal,
      track: (work) => processing.active.track(work),
    });
    addService(privateServer, subscriptionsService, createSubscriptionsService({ subscriptions, logger }));
    addService(
      publicServer,
      eventHorizonConsumerService,
      createEventHorizonProducerService({
        tenants,
        consents: config.consents,
        active: processing.active,
        logger,
        shutdown: shutdownSignal.signal,
      }),
    );
    const privatePort = await bind(privateServer, config.endpoints.private.host, config.endpoints.private.port);
    const publicPort = await bind(
      publicServer,
      config.endpoints.public.host,
      config.endpoints.public.port,
      config.publicTls,
    );
    let metricsEndpoint: BoundEndpoint | undefined;
    if (config.metrics !== undefined) {
      const served = await metrics.serve(config.metrics.host, config.metrics.port);
      metricsServer = served.server;
      metricsEndpoint = { host: config.metrics.host, port: served.address.port };
    }

    let stopping: Promise<void> | undefined;
    let markStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      markStopped = resolve;
    });
    const stop = () => {
      stopping ??= (async () => {
        logger.info('stopping: finishing in-flight calls');
        shutdownSignal.abort();
        await Promise.all([shutdown(privateServer, shutdownGraceMs), shutdown(publicServer, shutdownGraceMs)]);
        await processing.active.drain();
        for (const tenant of tenants.all()) await tenant.committer.drain();
        await closeStores();
        if (metricsServer !== undefined) await new Promise<void>((resolve) => metricsServer?.close(() => resolve()));
        logger.info('stopped');
        markStopped();
      })();
      return stopping;
    };

    return {
      endpoints: {
        private: { host: config.endpoints.private.host, port: privatePort },
        public: { host: config.endpoints.public.host, port: publicPort },
        metrics: metricsEndpoint,
      },
      storeDescription: describeStores(config),
      tenants: tenants.ids(),
      stop,
      stopped,
    };
  } catch (error) {
    privateServer.forceShutdown();
    publicServer.forceShutdown();
    metricsServer?.close();
    await closeStores();
    throw error;
  }
}

function describeStores(config: RuntimeConfig): string {
  const kinds = new Set<string>();
  for (const tenant of config.tenants.values()) {
    const store = tenant.store;
    if (store.kind === 'sqlite') kinds.add(`sqlite:${config.dataDir}`);
    else if (store.kind === 'sqlite-memory') kinds.add('sqlite:memory');
    else kinds.add(`postgres:${redactPassword(store.connectionString)}`);
  }
  return [...kinds].join(',');
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
