/*
 * What the processing benchmarks (catch-up, projection-rebuild) share around the Runtime: a Runtime process on a
 * fresh store (a temporary SQLite data dir, or a fresh PostgreSQL database dropped afterwards), optionally under
 * the CPU profiler (support/profiled-runtime.ts), the versions a reader needs to compare figures, and the store's
 * raw read rate of the event log through its driver with the Runtime stopped: the floor any processor stands on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freshPostgresDatabase,
  type PostgresDatabase,
  type RuntimeProcess,
  startRuntimeProcess,
  testPostgresUrl,
} from '@dolittle-ts/compat/harness';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type PostgresServerFacts, postgresServerFacts } from './commit-throughput/postgres-ceiling.js';
import { sqliteLibraryVersion } from './commit-throughput/sqlite-ceiling.js';

export type StoreName = 'sqlite' | 'postgres';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..');

/** Progress goes to stderr so stdout holds only the report. */
export function progress(benchmark: string, message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${benchmark}: ${message}\n`);
}

export interface BenchRuntime {
  readonly runtime: RuntimeProcess;
  /** `127.0.0.1:<private port>`. */
  readonly address: string;
  readonly store: StoreName;
  /** `sqlite file in <dir>` or the PostgreSQL database's name. */
  readonly location: string;
  /** Starts the CPU profiler in the Runtime (with `profileDir`); a no-op otherwise. */
  startProfiling(): void;
  /** Stops the Runtime; the store stays until `dispose`. Returns the profile file, if one was written. */
  stop(): Promise<string | undefined>;
  /** Reads the first `events` events of the default scope's log through the driver; needs the Runtime stopped. */
  readEventLog(events: number, pageSize: number): Promise<StoreReadFigure>;
  /** Stops the Runtime if it runs, drops the database or removes the data dir. */
  dispose(): Promise<void>;
  /** For a failure report: how the Runtime exited if it is no longer running, and the tail of its log. */
  describeFailure(): Promise<string>;
}

export interface StartBenchRuntimeOptions {
  readonly store: StoreName;
  readonly extraArgs?: readonly string[];
  /** Run the Runtime under the V8 CPU profiler, writing `runtime-<pid>.cpuprofile` into this directory. */
  readonly profileDir?: string | undefined;
}

/** A Runtime process on a fresh store of the development tenant, log level warn, metrics on (as in production). */
export async function startBenchRuntime(options: StartBenchRuntimeOptions): Promise<BenchRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), `dolittle-bench-${options.store}-`));
  let database: PostgresDatabase | undefined;
  try {
    database = options.store === 'postgres' ? await freshPostgresDatabase('dolittle_bench') : undefined;
    if (options.profileDir !== undefined) mkdirSync(options.profileDir, { recursive: true });
    const runtime = await startRuntimeProcess({
      store: database ? { postgres: database.url } : 'sqlite',
      dataDir,
      logLevel: 'warn',
      metrics: true,
      extraArgs: options.extraArgs ?? [],
      ...(options.profileDir !== undefined ? profiledRuntime(options.profileDir) : {}),
    });
    return benchRuntime(runtime, options, dataDir, database);
  } catch (error) {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

function benchRuntime(
  runtime: RuntimeProcess,
  options: StartBenchRuntimeOptions,
  dataDir: string,
  database: PostgresDatabase | undefined,
): BenchRuntime {
  const pid = runtime.pid;
  let profiling = false;
  const stop = async (): Promise<string | undefined> => {
    try {
      await runtime.stop();
    } catch (error) {
      await runtime.kill();
      progress('runtime', `WARNING: the Runtime did not stop cleanly: ${(error as Error).message.split('\n')[0]}`);
    }
    const file = options.profileDir && join(options.profileDir, `runtime-${pid}.cpuprofile`);
    return profiling && file ? file : undefined;
  };
  return {
    runtime,
    address: `127.0.0.1:${runtime.privatePort}`,
    store: options.store,
    location: database ? database.name : 'SQLite file in a temporary data dir',
    startProfiling() {
      if (options.profileDir === undefined || profiling) return;
      profiling = true;
      process.kill(pid, 'SIGUSR2');
    },
    stop,
    async readEventLog(events, pageSize) {
      if (runtime.running) throw new Error('stop the Runtime before reading its store directly');
      return database
        ? readPostgresLog(database.url, events, pageSize)
        : readSqliteLog(findSqliteFile(dataDir), events, pageSize);
    },
    async describeFailure() {
      let exit = 'the Runtime is still running';
      if (!runtime.running) {
        try {
          await runtime.stop();
          exit = 'the Runtime exited with code 0';
        } catch (error) {
          exit = (error as Error).message.split('\n')[0] ?? 'the Runtime exited';
        }
      }
      return `${exit}; its log (tail):\n${runtime.stderr().slice(-4000)}`;
    },
    async dispose() {
      if (runtime.running) await stop();
      try {
        await database?.drop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Start options that run the Runtime under the CPU profiler (see support/profiled-runtime.ts). */
function profiledRuntime(profileDir: string): { cliPath: string; env: Record<string, string> } {
  return {
    cliPath: join(here, 'support', 'profiled-runtime.js'),
    env: {
      DOLITTLE_BENCH_CLI:
        process.env.DOLITTLE_RUNTIME_CLI ?? join(repositoryRoot, 'packages', 'cli', 'dist', 'main.js'),
      DOLITTLE_BENCH_PROFILE_DIR: profileDir,
    },
  };
}

export interface StoreReadFigure {
  readonly events: number;
  readonly pageSize: number;
  readonly milliseconds: number;
  readonly eventsPerSecond: number;
  /** What was read, e.g. `better-sqlite3 SELECT … LIMIT 1000 pages`. */
  readonly method: string;
}

/** The columns the stores' event-log reads select (store-sqlite and store-postgres `eventColumns()`). */
const eventColumns =
  'sequence_number, occurred, event_source_id, type_id, type_generation, public, content, execution_context, ' +
  'aggregate_root_id, aggregate_version, external_sequence_number, external_received, external_consent_id';
const defaultScope = '00000000-0000-0000-0000-000000000000';

function findSqliteFile(dir: string): string {
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith(`${developmentTenant}.sqlite`)) return join(dir, entry);
  }
  throw new Error(`no ${developmentTenant}.sqlite under ${dir}`);
}

/** The Runtime's read: pages by sequence number over the primary key, every column, rows as driver objects. */
function readSqliteLog(file: string, events: number, pageSize: number): StoreReadFigure {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const page = db.prepare(
      `SELECT ${eventColumns} FROM events WHERE scope = ? AND sequence_number >= ? ORDER BY sequence_number LIMIT ?`,
    );
    const started = performance.now();
    let read = 0;
    while (read < events) {
      const rows = page.all(defaultScope, read, Math.min(pageSize, events - read));
      if (rows.length === 0) break;
      read += rows.length;
    }
    const milliseconds = performance.now() - started;
    if (read !== events) throw new Error(`the SQLite log holds ${read} events, not ${events}`);
    return figure(events, pageSize, milliseconds, `better-sqlite3, ${pageSize}-row pages by sequence number`);
  } finally {
    db.close();
  }
}

async function readPostgresLog(url: string, events: number, pageSize: number): Promise<StoreReadFigure> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema = `tenant_${developmentTenant.replaceAll('-', '')}`;
    const query = {
      name: 'bench-read-log',
      text: `SELECT ${eventColumns} FROM ${schema}.events
              WHERE scope = $1 AND sequence_number >= $2 AND sequence_number < $2::bigint + $3
              ORDER BY sequence_number LIMIT $3`,
    };
    const started = performance.now();
    let read = 0;
    while (read < events) {
      const result = await client.query({ ...query, values: [defaultScope, read, Math.min(pageSize, events - read)] });
      if (result.rows.length === 0) break;
      read += result.rows.length;
    }
    const milliseconds = performance.now() - started;
    if (read !== events) throw new Error(`the PostgreSQL log holds ${read} events, not ${events}`);
    return figure(events, pageSize, milliseconds, `node-postgres, ${pageSize}-row pages by sequence number`);
  } finally {
    await client.end();
  }
}

function figure(events: number, pageSize: number, milliseconds: number, method: string): StoreReadFigure {
  return { events, pageSize, milliseconds, eventsPerSecond: (events / milliseconds) * 1000, method };
}

export interface Versions {
  readonly node: string;
  readonly runtime: string;
  readonly commit: string;
  readonly contracts: string;
  readonly grpcJs: string;
  readonly sqlite: string | undefined;
  readonly postgres: PostgresServerFacts | undefined;
}

/** The versions and durability settings of what was measured. */
export async function benchVersions(stores: readonly StoreName[]): Promise<Versions> {
  const packageVersion = (path: string) => {
    try {
      return (JSON.parse(readFileSync(join(repositoryRoot, path), 'utf8')) as { version?: string }).version ?? '?';
    } catch {
      return '?';
    }
  };
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repositoryRoot, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const grpcJs = packageVersion('bench/node_modules/@grpc/grpc-js/package.json');
  return {
    node: process.version,
    runtime: packageVersion('packages/runtime/package.json'),
    commit: `${git('rev-parse', '--short', 'HEAD') || '?'}${git('status', '--porcelain') ? ' + uncommitted changes' : ''}`,
    contracts: packageVersion('node_modules/@dolittle/runtime.contracts/package.json'),
    grpcJs: grpcJs === '?' ? packageVersion('node_modules/@grpc/grpc-js/package.json') : grpcJs,
    sqlite: stores.includes('sqlite') ? sqliteLibraryVersion() : undefined,
    postgres: stores.includes('postgres') ? await postgresServerFacts(testPostgresUrl()) : undefined,
  };
}

export function describeVersions(versions: Versions): string {
  const pgFacts = versions.postgres;
  return [
    `versions:   node ${versions.node}, runtime ${versions.runtime} @ ${versions.commit}, contracts ${versions.contracts}, grpc-js ${versions.grpcJs}`,
    `stores:     SQLite ${versions.sqlite ?? '–'} (journal_mode=WAL, synchronous=FULL); PostgreSQL ${
      pgFacts
        ? `${pgFacts.version} (fsync=${pgFacts.fsync}, synchronous_commit=${pgFacts.synchronousCommit}, wal_sync_method=${pgFacts.walSyncMethod})`
        : '–'
    }`,
  ].join('\n');
}

/** `--store sqlite|postgres|all`. */
export function parseStores(value: string | undefined): StoreName[] {
  const given = value ?? 'all';
  if (given === 'all') return ['sqlite', 'postgres'];
  if (given === 'sqlite' || given === 'postgres') return [given];
  throw new Error(`--store must be sqlite, postgres or all, not "${given}"`);
}
