import type { TenantId } from '@dolittle-ts/fundamentals';
import type { Definitions } from './definitions.js';
import type { EventStore } from './events.js';
import type { EmbeddingStates, ProjectionStates } from './read-model-states.js';
import type { StreamProcessorStates } from './stream-processor-states.js';
import type { Streams } from './streams.js';
import type { SubscriptionStates } from './subscription-states.js';

/**
 * Everything one tenant persists, opened by a Runtime that is then that tenant's only writer.
 * Grows a member per port as the processing issues land (streams, processor states, read models, ...).
 */
export interface TenantStore {
  readonly tenantId: TenantId;
  /** Where the data lives, for logs and errors: "sqlite file /x/.dolittle/data/445f8ea8-….sqlite". */
  readonly location: string;
  readonly events: EventStore;
  readonly streams: Streams;
  readonly processorStates: StreamProcessorStates;
  readonly definitions: Definitions;
  readonly projections: ProjectionStates;
  readonly embeddings: EmbeddingStates;
  readonly subscriptions: SubscriptionStates;
  /** Releases the writer lock and every connection. Idempotent. */
  close(): Promise<void>;
}

export interface OpenTenantOptions {
  readonly signal?: AbortSignal;
}

/**
 * Opens tenant stores on one kind of storage. `open` takes the tenant's writer lock: while a store is open,
 * no other process (or provider) can write that tenant's data; a second `open` fails with `StoreLocked`.
 * It also refuses unsafe durability settings with `UnsafeDurability` unless the provider was told to allow them.
 */
export interface StoreProvider {
  readonly kind: 'sqlite' | 'postgres';
  /** Identifies the physical storage a tenant would use, so two tenants on the same storage can be refused. */
  locationOf(tenantId: TenantId): string;
  open(tenantId: TenantId, options?: OpenTenantOptions): Promise<TenantStore>;
  /** Closes what the provider shares between tenants (pools). Tenant stores must be closed first. */
  close(): Promise<void>;
}
