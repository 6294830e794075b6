import type { TenantId } from '@dolittle-ts/fundamentals';
import type { StoreProvider } from '@dolittle-ts/store';
import { eventStoreConformance } from '@dolittle-ts/store/conformance';
import { createPostgresStoreProvider } from './index.js';
import { dropSchemas, testConnectionString, uniquePrefix } from './postgres-for-tests.js';

/** Fresh storage per provider: its own schema prefix in the test database; cleanup drops the run's schemas. */
const runPrefix = uniquePrefix('cf');
const prefixes = new Map<StoreProvider, string>();
const providerWithPrefix = (prefix: string): StoreProvider => {
  const schemaOf = (tenantId: TenantId) => `${prefix}${tenantId.replaceAll('-', '')}`;
  const provider = createPostgresStoreProvider({ connectionString: testConnectionString, schemaOf });
  prefixes.set(provider, prefix);
  return provider;
};

eventStoreConformance('postgres', {
  persistent: true,
  supportsWriterLock: true,
  createProvider: async () => providerWithPrefix(`${runPrefix}${prefixes.size}_`),
  createProviderOnSameStorage: async (provider) => providerWithPrefix(prefixes.get(provider) as string),
  cleanup: () => dropSchemas(runPrefix),
});
