import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase } from '@dolittle-ts/compat/harness';
import type { StoreProvider } from '@dolittle-ts/store';
import { createPostgresStoreProvider } from '@dolittle-ts/store-postgres';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';

/**
 * Durable storage the model-based tests run on. Every `provider()` is a new provider over the same data, so closing
 * one and opening the next is what a Runtime restart does. Each run uses a fresh tenant, so runs never share data.
 */
export interface ModelStorage {
  readonly name: string;
  provider(): StoreProvider;
  /** Removes everything the storage holds (the directory, the database). */
  dispose(): Promise<void>;
}

/** SQLite files (one per tenant) in a new temporary directory. */
export async function sqliteModelStorage(): Promise<ModelStorage> {
  const directory = await mkdtemp(join(tmpdir(), 'dolittle-model-'));
  return {
    name: 'sqlite',
    provider: () => createSqliteStoreProvider({ directory }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}

/** A new PostgreSQL database (one schema per tenant), dropped by `dispose`. Fails when the server does not answer. */
export async function postgresModelStorage(): Promise<ModelStorage> {
  const database = await freshPostgresDatabase('dolittle_model');
  return {
    name: 'postgres',
    provider: () => createPostgresStoreProvider({ connectionString: database.url }),
    dispose: () => database.drop(),
  };
}

export const modelStorages = [sqliteModelStorage, postgresModelStorage] as const;
