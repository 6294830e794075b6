/*
 * Embedded mode: the Runtime's engine inside the application's process, with no gRPC and no server. Our SDK uses
 * this to give the same client API as remote mode over the same engine (group commit, processors, read models).
 */
import {
  type AggregateRootId,
  type CorrelationId,
  createGuid,
  developmentMicroservice,
  developmentTenant,
  type EventSourceId,
  type ExecutionContext,
  type Guid,
  type MicroserviceId,
  NoEmbeddingRegisteredForTenant,
  notSetVersion,
  type ScopeId,
  systemCorrelationId,
  systemTenant,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { AggregateEvents, Commit, CommitOutcome, SubscriptionKey } from '@dolittle-ts/store';
import { type Logger, pino } from 'pino';
import type { MicroserviceAddress, RuntimeConfig, StoreConfig, TenantConfig } from './config/runtime-config.js';
import type { EmbeddingDefinition } from './embeddings/embedding-definition.js';
import type { EmbeddingHead } from './embeddings/embedding-head.js';
import type { EmbeddingOutcome } from './embeddings/embedding-processor.js';
import { readAllEmbeddings, readEmbedding } from './embeddings/embedding-readers.js';
import { registerEmbeddingForTenants } from './embeddings/embedding-registration.js';
import type { SubscribeOutcome } from './event-horizon/subscriptions.js';
import { createProducerConnector } from './grpc/event-horizon-consumer-client.js';
import { type EventHandlerDefinition, registerEventHandler } from './processing/event-handler.js';
import { type FilterDefinition, registerFilter } from './processing/filter.js';
import type { EventFilter, EventProcessor } from './processing/processing-result.js';
import type { Registration } from './processing/registration.js';
import type { ProjectionDefinition } from './projections/projection-definition.js';
import type { ProjectionHead } from './projections/projection-processor.js';
import { type ReadModel, readAllProjections, readProjection } from './projections/projection-readers.js';
import { registerProjection } from './projections/projection-registration.js';
import { createRuntimeCore } from './runtime-core.js';

export type EmbeddedStore =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly directory: string }
  | { readonly kind: 'postgres'; readonly connectionString: string };

export interface EmbeddedRuntimeOptions {
  readonly store?: EmbeddedStore;
  /** Default: the development tenant only. */
  readonly tenants?: readonly TenantId[];
  readonly microserviceId?: MicroserviceId;
  readonly environment?: string;
  /** Producers to subscribe to through the event horizon (their public ports, over the network). */
  readonly microservices?: ReadonlyMap<MicroserviceId, MicroserviceAddress>;
  readonly partitionsInFlight?: number;
  readonly logger?: Logger;
}

export interface EmbeddedRuntime {
  readonly tenants: readonly TenantId[];
  readonly microserviceId: MicroserviceId;
  readonly environment: string;
  commit(tenant: TenantId, commit: Commit): Promise<CommitOutcome>;
  fetchForAggregate(
    tenant: TenantId,
    aggregateRootId: AggregateRootId,
    eventSourceId: EventSourceId,
  ): Promise<AggregateEvents>;
  registerEventHandler(definition: EventHandlerDefinition, processor: EventProcessor): Promise<Registration>;
  registerFilter(definition: FilterDefinition, filter: EventFilter): Promise<Registration>;
  registerProjection(definition: ProjectionDefinition, head: ProjectionHead): Promise<Registration>;
  /** The read model readers see, or the projection's initial state for an unknown key. */
  getProjection(tenant: TenantId, scope: ScopeId, projectionId: string, key: string): Promise<ReadModel>;
  getAllProjections(tenant: TenantId, scope: ScopeId, projectionId: string): Promise<readonly ReadModel[]>;
  subscribe(consumerTenant: TenantId, key: SubscriptionKey): Promise<SubscribeOutcome>;
  registerEmbedding(definition: EmbeddingDefinition, head: EmbeddingHead): Promise<Registration>;
  /** Runs the compare → project loop until the key's read model is `desired`; commits its events as one commit. */
  updateEmbedding(tenant: TenantId, embeddingId: Guid, key: string, desired: string): Promise<EmbeddingOutcome>;
  deleteEmbedding(tenant: TenantId, embeddingId: Guid, key: string): Promise<EmbeddingOutcome>;
  getEmbedding(tenant: TenantId, embeddingId: Guid, key: string): Promise<ReadModel>;
  getAllEmbeddings(tenant: TenantId, embeddingId: Guid): Promise<readonly ReadModel[]>;
  /** Stops processing, finishes accepted commits, closes the stores. */
  stop(): Promise<void>;
}

export async function startEmbeddedRuntime(options: EmbeddedRuntimeOptions = {}): Promise<EmbeddedRuntime> {
  const store = options.store ?? { kind: 'memory' };
  const tenantIds = options.tenants ?? [developmentTenant];
  const storeOf = (tenant: TenantId): StoreConfig => {
    switch (store.kind) {
      case 'memory':
        return { kind: 'sqlite-memory' };
      case 'sqlite':
        return { kind: 'sqlite', file: `${store.directory}/${tenant}.sqlite` };
      case 'postgres':
        return {
          kind: 'postgres',
          connectionString: store.connectionString,
          schema: `tenant_${tenant.replaceAll('-', '')}`,
        };
    }
  };
  const microserviceId = options.microserviceId ?? developmentMicroservice;
  const environment = options.environment ?? 'Development';
  const config: RuntimeConfig = {
    configDir: '',
    dataDir: store.kind === 'sqlite' ? store.directory : '',
    microserviceId,
    environment,
    endpoints: { private: { host: '127.0.0.1', port: 0 }, public: { host: '127.0.0.1', port: 0 } },
    metrics: undefined,
    tenants: new Map(tenantIds.map((id): [TenantId, TenantConfig] => [id, { id, store: storeOf(id) }])),
    allowUnsafeDurability: false,
    maxMessageBytes: 4 * 1024 * 1024,
    partitionsInFlight: options.partitionsInFlight ?? 8,
    logLevel: 'warn',
    publicTls: undefined,
    microservices: options.microservices ?? new Map(),
    consents: new Map(),
  };
  const logger = options.logger ?? pino({ level: 'warn' });
  const core = await createRuntimeCore(config, {
    logger,
    connectToProducer: createProducerConnector({ microserviceId, environment }),
  });
  const embeddingProcessor = (tenant: TenantId, embeddingId: Guid) => {
    const processor = core.embeddings.get(core.tenants.get(tenant).id, embeddingId);
    if (processor === undefined) throw new NoEmbeddingRegisteredForTenant({ embeddingId, tenantId: tenant });
    return processor;
  };
  const contextFor = (tenant: TenantId): ExecutionContext => ({
    microserviceId,
    tenantId: tenant,
    version: notSetVersion,
    correlationId: createGuid() as string as CorrelationId,
    claims: [],
    environment,
  });
  return {
    tenants: core.tenants.ids(),
    microserviceId,
    environment,
    commit: (tenant, commit) => core.tenants.get(tenant).committer.commit(commit),
    fetchForAggregate: (tenant, root, eventSource) =>
      core.tenants.get(tenant).store.events.fetchForAggregate(root, eventSource),
    registerEventHandler: (definition, processor) => registerEventHandler(core.processing, definition, processor),
    registerFilter: (definition, filter) => registerFilter(core.processing, definition, filter),
    registerProjection: (definition, head) => registerProjection(core.processing, definition, head),
    getProjection: (tenant, scope, projectionId, key) =>
      readProjection(core.tenants.get(tenant).store, scope, projectionId, key),
    getAllProjections: (tenant, scope, projectionId) =>
      readAllProjections(core.tenants.get(tenant).store, scope, projectionId),
    subscribe: (consumerTenant, key) => core.subscriptions.subscribe(consumerTenant, key),
    registerEmbedding: (definition, head) =>
      registerEmbeddingForTenants(core.processing, core.embeddings, definition, head, {
        microserviceId,
        tenantId: systemTenant,
        version: notSetVersion,
        correlationId: systemCorrelationId,
        claims: [],
        environment,
      }),
    updateEmbedding: (tenant, embeddingId, key, desired) =>
      embeddingProcessor(tenant, embeddingId).update(key, desired, contextFor(tenant)),
    deleteEmbedding: (tenant, embeddingId, key) =>
      embeddingProcessor(tenant, embeddingId).delete(key, contextFor(tenant)),
    getEmbedding: (tenant, embeddingId, key) => readEmbedding(core.tenants.get(tenant).store, tenant, embeddingId, key),
    getAllEmbeddings: (tenant, embeddingId) => readAllEmbeddings(core.tenants.get(tenant).store, embeddingId),
    stop: () => core.stop(),
  };
}

export type { Commit, CommitOutcome, CommittedEvent, StreamEvent, SubscriptionKey } from '@dolittle-ts/store';
export type { EmbeddingDefinition } from './embeddings/embedding-definition.js';
export type { EmbeddingEvent, EmbeddingHead, HeadAnswer, HeadCallContext } from './embeddings/embedding-head.js';
export type { EmbeddingOutcome } from './embeddings/embedding-processor.js';
export type { EmbeddingCurrentState } from './embeddings/embedding-state.js';
export type { SubscribeOutcome } from './event-horizon/subscriptions.js';
export type { EventHandlerDefinition } from './processing/event-handler.js';
export type { FilterDefinition } from './processing/filter.js';
export type {
  EventFilter,
  EventProcessor,
  FilterResult,
  ProcessingContext,
  ProcessingResult,
  RetryState,
} from './processing/processing-result.js';
export type { Registration } from './processing/registration.js';
export type { KeySelector, ProjectionDefinition, ProjectionSelector } from './projections/projection-definition.js';
export type { ProjectionCurrentState, ProjectionHead, ProjectionOutcome } from './projections/projection-processor.js';
export type { ReadModel } from './projections/projection-readers.js';
