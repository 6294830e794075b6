export type { SqliteDurability, SqliteOpenOptions, SqliteTarget } from './open-database.js';
export {
  createSqliteStoreProvider,
  type SqliteStoreLayout,
  type SqliteStoreProviderOptions,
} from './sqlite-store-provider.js';
export { openSqliteTenantStore, type SqliteTenantStore } from './sqlite-tenant-store.js';
