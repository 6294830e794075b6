import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { createSqliteStoreProvider } from './index.js';

/** A file per tenant in a fresh temp directory per provider; cleanup removes the harness's directories. */
function fileHarness(): ConformanceHarness {
  const directories = new Map<StoreProvider, string>();
  return {
    persistent: true,
    supportsWriterLock: true,
    async createProvider() {
      const directory = await mkdtemp(join(tmpdir(), 'dolittle-sqlite-'));
      const provider = createSqliteStoreProvider({ directory });
      directories.set(provider, directory);
      return provider;
    },
    async createProviderOnSameStorage(provider) {
      const directory = directories.get(provider) as string;
      const second = createSqliteStoreProvider({ directory });
      directories.set(second, directory);
      return second;
    },
    async cleanup() {
      for (const directory of new Set(directories.values())) await rm(directory, { recursive: true, force: true });
    },
  };
}

const memoryHarness: ConformanceHarness = {
  persistent: false,
  supportsWriterLock: false,
  createProvider: async () => createSqliteStoreProvider({ memory: true }),
};

for (const conformance of [
  eventStoreConformance,
  streamsConformance,
  streamProcessorStatesConformance,
  definitionsConformance,
  projectionStatesConformance,
  embeddingStatesConformance,
  subscriptionStatesConformance,
]) {
  conformance('sqlite file', fileHarness());
  conformance('sqlite memory', memoryHarness);
}
