/*
 * The composition root: wires configuration, stores, the domain and the gRPC edge. Nothing else imports adapters.
 */
import type { Server as HttpServer } from 'node:http';
import type { TenantId } from '@dolittle-ts/fundamentals';
import type { Logger } from 'pino';
import type { RuntimeConfig } from './config/runtime-config.js';
import {
  embeddingStoreService,
  embeddingsService,
  eventHorizonConsumerService,
  filtersService,
  projectionStoreService,
  subscriptionsService,
} from './grpc/contracts.js';
import { createEmbeddingsService } from './grpc/embeddings-service.js';
import { createEmbeddingStoreService } from './grpc/embeddings-store-service.js';
import { createEventHandlersService, eventHandlersServiceDefinition } from './grpc/event-handlers-service.js';
import { createProducerConnector } from './grpc/event-horizon-consumer-client.js';
import { createEventHorizonProducerService } from './grpc/event-horizon-producer-service.js';
import { createEventStoreService, eventStoreServiceDefinition } from './grpc/event-store-service.js';
import { createFiltersService } from './grpc/filters-service.js';
import { addService, bind, createGrpcServer, shutdown } from './grpc/grpc-server.js';
import { createProjectionStoreService } from './grpc/projection-store-service.js';
import { createProjectionsService, projectionsServiceDefinition } from './grpc/projections-service.js';
import { createSubscriptionsService } from './grpc/subscriptions-service.js';
import { createRuntimeCore } from './runtime-core.js';

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

/** How long in-flight calls get to finish on stop before they are cut (commits take milliseconds). */
const shutdownGraceMs = 5_000;

export async function startRuntime(config: RuntimeConfig, options: StartOptions): Promise<RunningRuntime> {
  const { logger } = options;
  const core = await createRuntimeCore(config, {
    logger,
    connectToProducer: createProducerConnector({
      microserviceId: config.microserviceId,
      environment: config.environment,
    }),
  });
  const { tenants, processing, subscriptions, metrics } = core;
  const privateServer = createGrpcServer({ maxMessageBytes: config.maxMessageBytes });
  const publicServer = createGrpcServer({ maxMessageBytes: config.maxMessageBytes });
  let metricsServer: HttpServer | undefined;

  try {
    addService(privateServer, eventStoreServiceDefinition, createEventStoreService({ tenants, logger }));
    addService(privateServer, eventHandlersServiceDefinition, createEventHandlersService(processing));
    addService(privateServer, filtersService, createFiltersService(processing));
    addService(privateServer, projectionsServiceDefinition, createProjectionsService(processing));
    addService(privateServer, projectionStoreService, createProjectionStoreService({ tenants, logger }));
    addService(
      privateServer,
      embeddingsService,
      createEmbeddingsService({ ...processing, embeddings: core.embeddings }),
    );
    addService(privateServer, embeddingStoreService, createEmbeddingStoreService({ tenants, logger }));
    addService(privateServer, subscriptionsService, createSubscriptionsService({ subscriptions, logger }));
    addService(
      publicServer,
      eventHorizonConsumerService,
      createEventHorizonProducerService({
        tenants,
        consents: config.consents,
        active: processing.active,
        logger,
        shutdown: core.shutdown,
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
        // Reverse calls end first (heads see their streams close), then in-flight unary calls finish.
        core.abort();
        await Promise.all([shutdown(privateServer, shutdownGraceMs), shutdown(publicServer, shutdownGraceMs)]);
        await core.stop();
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
    await core.stop();
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
