/*
 * The Runtime without its network edge: the tenants with their stores and group committers, the processing
 * environment and the event-horizon subscriptions. `startRuntime` serves it over gRPC; embedded mode (our SDK
 * running the Runtime in-process) uses it directly.
 */
import type { TenantStore } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import type { RuntimeConfig } from './config/runtime-config.js';
import { EmbeddingProcessors } from './embeddings/embedding-processors.js';
import type { ConnectToProducer } from './event-horizon/subscriptions.js';
import { Subscriptions } from './event-horizon/subscriptions.js';
import { Committer } from './events/committer.js';
import { RuntimeMetrics } from './metrics/metrics.js';
import { ActiveProcessors } from './processing/active-processors.js';
import { EventWatcher, notifyCommitted } from './processing/event-watcher.js';
import type { ProcessingEnvironment } from './processing/registration.js';
import { createStoreOpener } from './tenancy/store-opener.js';
import { type Tenant, Tenants } from './tenancy/tenants.js';

export interface RuntimeCore {
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly tenants: Tenants;
  readonly processing: ProcessingEnvironment & {
    readonly active: ActiveProcessors;
    readonly metrics: RuntimeMetrics;
    readonly shutdown: AbortSignal;
  };
  readonly subscriptions: Subscriptions;
  /** The running embedding processors, by tenant and embedding, for Update and Delete. */
  readonly embeddings: EmbeddingProcessors;
  /** Aborted when the core begins to stop. */
  readonly shutdown: AbortSignal;
  /** Signals shutdown: processors and subscriptions stop; commits are still accepted. */
  abort(): void;
  /** Stops processing, lets accepted commits finish, refuses new ones, closes the stores. Idempotent. */
  stop(): Promise<void>;
}

export interface CreateCoreOptions {
  readonly logger: Logger;
  /** How to reach producers' public ports; the gRPC client by default (set by `startRuntime`). */
  readonly connectToProducer: ConnectToProducer;
}

export async function createRuntimeCore(config: RuntimeConfig, options: CreateCoreOptions): Promise<RuntimeCore> {
  const { logger } = options;
  const metrics = new RuntimeMetrics();
  const opener = createStoreOpener({ allowUnsafeDurability: config.allowUnsafeDurability, logger });
  const stores: TenantStore[] = [];
  const shutdownSignal = new AbortController();

  const closeStores = async () => {
    for (const store of stores.splice(0)) {
      await store.close().catch((error: unknown) => logger.error({ err: error }, 'closing a tenant store failed'));
    }
    await opener.close();
  };

  const tenantList: Tenant[] = [];
  try {
    for (const tenant of config.tenants.values()) {
      const store = await opener.open(tenant.id, tenant.store);
      stores.push(store);
      logger.info({ tenant: tenant.id, store: store.location }, 'tenant store opened');
      const labels = { tenant: tenant.id };
      const watcher = new EventWatcher();
      const committer = new Committer({
        tenantId: tenant.id,
        store: store.events,
        onCommitted: (last, events) => notifyCommitted(watcher, last, events),
        onBatch: ({ commits, events, seconds, failed }) => {
          metrics.commitBatches.inc({ ...labels, result: failed ? 'failed' : 'ok' });
          metrics.commitBatchSize.observe(labels, commits);
          metrics.commitBatchSeconds.observe(labels, seconds);
          if (events > 0) metrics.eventsCommitted.inc(labels, events);
        },
      });
      tenantList.push({ id: tenant.id, store, committer, watcher });
    }
  } catch (error) {
    await closeStores();
    throw error;
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
  const subscriptions = new Subscriptions({
    tenants,
    microservices: config.microservices,
    connect: options.connectToProducer,
    logger,
    signal: shutdownSignal.signal,
    track: (work) => processing.active.track(work),
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    logger,
    metrics,
    tenants,
    processing,
    subscriptions,
    embeddings: new EmbeddingProcessors(),
    shutdown: shutdownSignal.signal,
    abort: () => shutdownSignal.abort(),
    stop() {
      stopping ??= (async () => {
        shutdownSignal.abort();
        await processing.active.drain();
        for (const tenant of tenants.all()) await tenant.committer.drain();
        await closeStores();
      })();
      return stopping;
    },
  };
}
