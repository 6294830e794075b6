import { StoreUnavailable, type TenantId } from '@dolittle-ts/fundamentals';
import type { OpenTenantOptions, StoreProvider, TenantStore } from '@dolittle-ts/store';
import type pg from 'pg';
import { addressOf } from './connection.js';
import { defaultSchemaOf } from './identifiers.js';
import {
  createReadPool,
  describeLocation,
  openTenantStore,
  type PostgresStoreOptions,
} from './postgres-tenant-store.js';

export interface PostgresStoreProviderOptions extends PostgresStoreOptions {
  /** A libpq-style URL naming the database every tenant's schema lives in: postgres://user@host:port/database */
  readonly connectionString: string;
  /** The schema of a tenant. Default: `tenant_` + the tenant id's 32 hex digits (`defaultSchemaOf`). */
  readonly schemaOf?: (tenantId: TenantId) => string;
}

/**
 * Tenant stores in one PostgreSQL database, a schema per tenant. The provider shares one read pool between its
 * tenants; each open tenant also has its own writer connection holding that schema's writer lock.
 */
export function createPostgresStoreProvider(options: PostgresStoreProviderOptions): StoreProvider {
  const { connectionString } = options;
  addressOf(connectionString); // refuse a malformed URL now, not at the first open
  const schemaOf = options.schemaOf ?? defaultSchemaOf;
  const open = new Set<TenantStore>();
  let pool: pg.Pool | undefined;
  let closed = false;

  return {
    kind: 'postgres',
    locationOf: (tenantId) => describeLocation({ connectionString, schema: schemaOf(tenantId) }),
    async open(tenantId: TenantId, openOptions?: OpenTenantOptions): Promise<TenantStore> {
      if (closed)
        throw new StoreUnavailable('the PostgreSQL store provider is closed: create a new one to open tenant stores');
      pool ??= createReadPool(connectionString, options.poolSize);
      const store = await openTenantStore({
        tenantId,
        location: { connectionString, schema: schemaOf(tenantId) },
        pool,
        ownsPool: false,
        options,
        signal: openOptions?.signal,
      });
      open.add(store);
      return {
        ...store,
        close: async () => {
          open.delete(store);
          await store.close();
        },
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Stores should be closed first; any still open are closed here so no connection outlives the provider.
      await Promise.all([...open].map((store) => store.close()));
      open.clear();
      await pool?.end();
    },
  };
}
