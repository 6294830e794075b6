import type { TenantId } from '@dolittle-ts/fundamentals';
import type { StoreProvider } from '@dolittle-ts/store';
import {
  type ConformanceHarness,
  definitionsConformance,
  embeddingStatesConformance,
  eventStoreConformance,
  projectionStatesConformance,
  streamProcessorStatesConformance,
  streamsConformance,
  subscriptionStatesConformance,
} from '@dolittle-ts/store/conformance';
import { createPostgresStoreProvider } from './index.js';
import { dropSchemas, testConnectionString, uniquePrefix } from './postgres-for-tests.js';

/** Fresh storage per provider: its own schema prefix in the test database; cleanup drops the harness's schemas. */
function harness(): ConformanceHarness {
  const runPrefix = uniquePrefix('cf');
  const prefixes = new Map<StoreProvider, string>();
  const providerWithPrefix = (prefix: string): StoreProvider => {
    const schemaOf = (tenantId: TenantId) => `${prefix}${tenantId.replaceAll('-', '')}`;
    const provider = createPostgresStoreProvider({ connectionString: testConnectionString, schemaOf });
    prefixes.set(provider, prefix);
    return provider;
  };
  return {
    persistent: true,
    supportsWriterLock: true,
    createProvider: async () => providerWithPrefix(`${runPrefix}${prefixes.size}_`),
    createProviderOnSameStorage: async (provider) => providerWithPrefix(prefixes.get(provider) as string),
    cleanup: () => dropSchemas(runPrefix),
  };
}

for (const conformance of [
  eventStoreConformance,
  streamsConformance,
  streamProcessorStatesConformance,
  definitionsConformance,
  projectionStatesConformance,
  embeddingStatesConformance,
  subscriptionStatesConformance,
]) {
  conformance('postgres', harness());
}
