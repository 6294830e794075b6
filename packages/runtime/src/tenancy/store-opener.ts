import type { TenantId } from '@dolittle-ts/fundamentals';
import type { StoreProvider, TenantStore } from '@dolittle-ts/store';
import { createPostgresStoreProvider, defaultSchemaOf } from '@dolittle-ts/store-postgres';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import type { Logger } from 'pino';
import type { StoreConfig } from '../config/runtime-config.js';

export interface StoreOpener {
  open(tenantId: TenantId, config: StoreConfig): Promise<TenantStore>;
  /** Closes the providers (pools). Open tenant stores must be closed first. */
  close(): Promise<void>;
}

/**
 * Picks the adapter for each tenant's store configuration. PostgreSQL tenants on the same database share one
 * provider (and its read pool); each tenant still has its own schema and writer connection.
 */
export function createStoreOpener(options: { allowUnsafeDurability: boolean; logger: Logger }): StoreOpener {
  const { allowUnsafeDurability } = options;
  const sqliteFiles = new Map<TenantId, string>();
  let sqliteFileProvider: StoreProvider | undefined;
  let sqliteMemoryProvider: StoreProvider | undefined;
  const postgres = new Map<string, { provider: StoreProvider; schemas: Map<TenantId, string> }>();

  return {
    open(tenantId, config) {
      switch (config.kind) {
        case 'sqlite':
          sqliteFiles.set(tenantId, config.file);
          sqliteFileProvider ??= createSqliteStoreProvider({
            fileOf: (t) => sqliteFiles.get(t) ?? `${t}.sqlite`,
            allowUnsafeDurability,
          });
          return sqliteFileProvider.open(tenantId);
        case 'sqlite-memory':
          sqliteMemoryProvider ??= createSqliteStoreProvider({ memory: true, allowUnsafeDurability });
          return sqliteMemoryProvider.open(tenantId);
        case 'postgres': {
          let entry = postgres.get(config.connectionString);
          if (entry === undefined) {
            const schemas = new Map<TenantId, string>();
            entry = {
              schemas,
              provider: createPostgresStoreProvider({
                connectionString: config.connectionString,
                schemaOf: (t) => schemas.get(t) ?? defaultSchemaOf(t),
                allowUnsafeDurability,
              }),
            };
            postgres.set(config.connectionString, entry);
          }
          entry.schemas.set(tenantId, config.schema);
          return entry.provider.open(tenantId);
        }
      }
    },
    async close() {
      await sqliteFileProvider?.close();
      await sqliteMemoryProvider?.close();
      for (const { provider } of postgres.values()) await provider.close();
    },
  };
}
