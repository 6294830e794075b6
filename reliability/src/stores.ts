import { freshPostgresDatabase, type RuntimeStore } from '@dolittle-ts/compat/harness';
import type { StoreProvider } from '@dolittle-ts/store';
import { createPostgresStoreProvider } from '@dolittle-ts/store-postgres';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';

/**
 * A store a Runtime process runs on, and a way to open the same storage directly (while no Runtime holds it) to
 * check what is durably there.
 */
export interface StoreUnderTest {
  readonly name: string;
  readonly runtimeStore: RuntimeStore;
  /** Opens the storage the Runtime used with `dataDir`, bypassing the Runtime. */
  openDirectly(dataDir: string): StoreProvider;
  dispose(): Promise<void>;
}

export async function sqliteUnderTest(): Promise<StoreUnderTest> {
  return {
    name: 'sqlite',
    runtimeStore: 'sqlite',
    openDirectly: (dataDir) => createSqliteStoreProvider({ directory: dataDir }),
    dispose: async () => {},
  };
}

export async function postgresUnderTest(): Promise<StoreUnderTest> {
  const database = await freshPostgresDatabase('dolittle_reliability');
  return {
    name: 'postgres',
    runtimeStore: { postgres: database.url },
    openDirectly: () => waitingForKilledWriters(createPostgresStoreProvider({ connectionString: database.url })),
    dispose: () => database.drop(),
  };
}

export const storesUnderTest = [sqliteUnderTest, postgresUnderTest] as const;

/**
 * After a kill -9, the killed Runtime's database session keeps the tenant's writer lock until PostgreSQL notices the
 * client is gone (usually milliseconds; longer when the session was in the middle of a commit). Opening directly then
 * waits for that, for up to 10 s, instead of failing with StoreLocked.
 */
function waitingForKilledWriters(provider: StoreProvider): StoreProvider {
  return {
    kind: provider.kind,
    locationOf: (tenantId) => provider.locationOf(tenantId),
    open: async (tenantId, options) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          return await provider.open(tenantId, options);
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'StoreLocked' || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    close: () => provider.close(),
  };
}
