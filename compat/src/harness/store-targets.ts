// The stores every compat suite runs against: the embedded SQLite file and a real PostgreSQL database.
import { freshPostgresDatabase } from './postgres-database';
import type { RuntimeStore } from './runtime-process';

export interface PreparedStore {
  readonly store: RuntimeStore;
  /** Removes what `prepare()` created outside the data dir (the PostgreSQL database). */
  release(): Promise<void>;
}

export interface StoreTarget {
  readonly name: 'sqlite' | 'postgres';
  prepare(): Promise<PreparedStore>;
}

export const sqliteTarget: StoreTarget = {
  name: 'sqlite',
  prepare: async () => ({ store: 'sqlite', release: async () => {} }),
};

export const postgresTarget: StoreTarget = {
  name: 'postgres',
  async prepare() {
    const database = await freshPostgresDatabase();
    return { store: { postgres: database.url }, release: () => database.drop() };
  },
};

export const storeTargets: readonly StoreTarget[] = [sqliteTarget, postgresTarget];
