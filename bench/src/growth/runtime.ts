/*
 * A Runtime process for the growth benchmark: a fresh store (a temporary SQLite data dir, or a fresh PostgreSQL
 * database dropped afterwards) and a tenants.json naming the development tenant and `tenants - 1` more, each with
 * its own store (SQLite: its own file; PostgreSQL: its own schema and writer connection). Log level warn, metrics on.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freshPostgresDatabase,
  type PostgresDatabase,
  type RuntimeProcess,
  startRuntimeProcess,
  testPostgresUrl,
  writeConfigDir,
} from '@dolittle-ts/compat/harness';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import pg from 'pg';
import { progress, type StoreName } from '../catch-up-setup.js';

/** The Runtime's PostgreSQL read pool (shared by its tenants); each tenant adds its own writer connection. */
const runtimeReadPoolSize = 4;
/** Connections left for everyone else on the server (other programs share it). */
const connectionHeadroom = 10;

export interface GrowthRuntime {
  readonly runtime: RuntimeProcess;
  readonly address: string;
  readonly tenants: readonly string[];
  readonly location: string;
  /** Stops the Runtime (kills it if it does not stop), drops the database or removes the data dir. */
  dispose(): Promise<void>;
}

export async function startGrowthRuntime(store: StoreName, tenantCount: number): Promise<GrowthRuntime> {
  const tenants = [developmentTenant, ...Array.from({ length: tenantCount - 1 }, () => randomUUID())];
  const dataDir = mkdtempSync(join(tmpdir(), `dolittle-bench-growth-${store}-`));
  const configDir = writeConfigDir({ tenants });
  let database: PostgresDatabase | undefined;
  const cleanUp = async () => {
    try {
      await database?.drop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      configDir.remove();
    }
  };
  try {
    database = store === 'postgres' ? await freshPostgresDatabase('dolittle_bench') : undefined;
    const runtime = await startRuntimeProcess({
      store: database ? { postgres: database.url } : 'sqlite',
      dataDir,
      configDir: configDir.path,
      logLevel: 'warn',
      metrics: true,
      readyTimeoutMs: 60_000,
    });
    return {
      runtime,
      address: `127.0.0.1:${runtime.privatePort}`,
      tenants,
      location: database ? database.name : 'SQLite files in a temporary data dir',
      async dispose() {
        try {
          await runtime.stop();
        } catch (error) {
          await runtime.kill();
          progress('growth', `WARNING: the Runtime did not stop cleanly: ${(error as Error).message.split('\n')[0]}`);
        } finally {
          await cleanUp();
        }
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * Why a Runtime with `tenantCount` tenants cannot run on the PostgreSQL server now, or undefined if it can: it
 * holds one writer connection per tenant plus its read pool, and must leave other programs room on a shared server.
 */
export async function postgresCapacityProblem(tenantCount: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    const max = Number(
      (await client.query<{ max_connections: string }>('SHOW max_connections')).rows[0]?.max_connections,
    );
    const inUse = Number(
      (await client.query<{ count: string }>('SELECT count(*) AS count FROM pg_stat_activity')).rows[0]?.count,
    );
    const needed = tenantCount + runtimeReadPoolSize;
    if (needed + connectionHeadroom <= max - inUse) return undefined;
    return (
      `${tenantCount} tenants need ${needed} connections (one writer per tenant + a read pool of ${runtimeReadPoolSize}); ` +
      `the server allows max_connections=${max} and ${inUse} are in use (${connectionHeadroom} kept free for others)`
    );
  } finally {
    await client.end();
  }
}
