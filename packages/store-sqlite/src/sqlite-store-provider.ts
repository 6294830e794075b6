import { join } from 'node:path';
import { InvalidArgument, parseGuid, StoreLocked, StoreUnavailable, type TenantId } from '@dolittle-ts/fundamentals';
import type { OpenTenantOptions, StoreProvider, TenantStore } from '@dolittle-ts/store';
import type { SqliteOpenOptions, SqliteTarget } from './open-database.js';
import { describeSqliteTarget, openSqliteTenantStore } from './sqlite-tenant-store.js';

/** Where each tenant's database lives. */
export type SqliteStoreLayout =
  /** `<directory>/<tenantId>.sqlite`. */
  | { readonly directory: string }
  /** Each tenant's file as configured (e.g. from resources.json). */
  | { readonly fileOf: (tenantId: TenantId) => string }
  /** In memory: gone when the store closes; no durability and no lock between processes. */
  | { readonly memory: true };

export type SqliteStoreProviderOptions = SqliteStoreLayout & SqliteOpenOptions;

/**
 * A StoreProvider with a SQLite database per tenant. Opening a tenant takes its file's writer lock; a second
 * open of the same tenant, from this provider or any other process, fails with `StoreLocked` until it closes.
 */
export function createSqliteStoreProvider(options: SqliteStoreProviderOptions): StoreProvider {
  const targetOf = (tenantId: TenantId): SqliteTarget => {
    if ('memory' in options) return { memory: true };
    if ('fileOf' in options) return { file: options.fileOf(tenantId) };
    if (parseGuid(tenantId) !== (tenantId as string)) {
      throw new InvalidArgument('tenantId', `"${tenantId}" is not a lowercase GUID, so it cannot name a file`);
    }
    return { file: join(options.directory, `${tenantId}.sqlite`) };
  };
  /** The stores this provider has open (or is opening), so a tenant is never opened twice at once. */
  const open = new Map<TenantId, TenantStore | 'opening'>();
  let closed = false;

  return {
    kind: 'sqlite',
    locationOf: (tenantId) => describeSqliteTarget(targetOf(tenantId), tenantId),

    async open(tenantId: TenantId, openOptions?: OpenTenantOptions): Promise<TenantStore> {
      openOptions?.signal?.throwIfAborted();
      if (closed) throw new StoreUnavailable(`the SQLite store provider is closed; cannot open tenant ${tenantId}`);
      const target = targetOf(tenantId);
      if (open.has(tenantId)) {
        throw new StoreLocked(
          `${describeSqliteTarget(target, tenantId)} is already open in this Runtime: close it before opening it again`,
        );
      }
      open.set(tenantId, 'opening');
      try {
        const store = await openSqliteTenantStore(tenantId, target, options);
        const tracked: TenantStore = {
          tenantId: store.tenantId,
          location: store.location,
          events: store.events,
          streams: store.streams,
          processorStates: store.processorStates,
          definitions: store.definitions,
          projections: store.projections,
          embeddings: store.embeddings,
          subscriptions: store.subscriptions,
          async close() {
            if (open.get(tenantId) === tracked) open.delete(tenantId);
            await store.close();
          },
        };
        open.set(tenantId, tracked);
        return tracked;
      } catch (error) {
        open.delete(tenantId);
        throw error;
      }
    },

    async close(): Promise<void> {
      closed = true;
      for (const store of open.values()) if (store !== 'opening') await store.close();
    },
  };
}
