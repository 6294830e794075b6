import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreProvider } from '@dolittle-ts/store';
import { eventStoreConformance } from '@dolittle-ts/store/conformance';
import { createSqliteStoreProvider } from './index.js';

const directories = new Map<StoreProvider, string>();
eventStoreConformance('sqlite file', {
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
});

eventStoreConformance('sqlite memory', {
  persistent: false,
  supportsWriterLock: false,
  createProvider: async () => createSqliteStoreProvider({ memory: true }),
});
