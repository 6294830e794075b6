export type { PostgresLocation } from './connection.js';
export { defaultSchemaOf } from './identifiers.js';
export { createPostgresStoreProvider, type PostgresStoreProviderOptions } from './postgres-store-provider.js';
export {
  openPostgresTenantStore,
  type PostgresStoreOptions,
  type PostgresTenantStore,
} from './postgres-tenant-store.js';
