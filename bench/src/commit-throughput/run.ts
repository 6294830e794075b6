/*
 * The commit-throughput benchmark: for each store, a real Runtime process on a fresh store, the scenarios through
 * lean gRPC clients, then (with the Runtime stopped) the driver-only ceilings on the same disk or server.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freshPostgresDatabase,
  type RuntimeProcess,
  startRuntimeProcess,
  testPostgresUrl,
  writeConfigDir,
} from '@dolittle-ts/compat/harness';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import { scrapeGroupCommit } from '../support/group-commit-stats.js';
import { describeMachine } from '../support/machine.js';
import { describeSourceTree } from '../support/source-tree.js';
import { connectClients } from '../support/unary-client.js';
import type { CeilingFigure, ReadFloor } from './ceiling-rows.js';
import type { CommitThroughputOptions, ScenarioName, StoreName } from './options.js';
import {
  ensureDatabase,
  measurePostgresCeilings,
  type PostgresServerFacts,
  postgresServerFacts,
} from './postgres-ceiling.js';
import { type CommitThroughputResults, formatReport, type StoreResults } from './report.js';
import {
  batchedCommits,
  compareLogSizes,
  fetchForAggregate,
  fillLog,
  type ScenarioFigure,
  type Session,
  singleEventCommits,
} from './scenarios.js';
import { measureSqliteCeilings, sqliteLibraryVersion } from './sqlite-ceiling.js';

/** The tenant whose log only the empty-log measurement writes to. */
const emptyLogTenant = '5e1f0c2a-7b3d-4e8f-9a61-0c2d4b6e8f10';

export async function runCommitThroughput(options: CommitThroughputOptions): Promise<CommitThroughputResults> {
  const startedAt = new Date();
  const stores: StoreResults[] = [];
  let postgres: PostgresServerFacts | undefined;
  let sqliteVersion: string | undefined;
  for (const store of options.stores) {
    progress(`${store}: starting`);
    const result = await benchStore(store, options);
    stores.push(result.store);
    postgres ??= result.postgres;
    sqliteVersion ??= result.sqliteVersion;
  }
  const results: CommitThroughputResults = {
    benchmark: 'commit-throughput',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    client: options.client,
    machine: describeMachine(),
    sourceTree: describeSourceTree(fileURLToPath(new URL('../../..', import.meta.url))),
    versions: { node: process.version, sqlite: sqliteVersion, postgres: postgres?.version },
    durability: {
      sqlite: 'journal_mode=WAL, synchronous=FULL',
      postgres: postgres
        ? `fsync=${postgres.fsync}, synchronous_commit=${postgres.synchronousCommit}, wal_sync_method=${postgres.walSyncMethod}`
        : undefined,
    },
    sizes: options.sizes,
    stores,
  };
  mkdirSync(dirname(options.resultsPath), { recursive: true });
  writeFileSync(options.resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatReport(results));
  console.log(`\nJSON: ${options.resultsPath}`);
  return results;
}

async function benchStore(
  store: StoreName,
  options: CommitThroughputOptions,
): Promise<{ store: StoreResults; postgres: PostgresServerFacts | undefined; sqliteVersion: string | undefined }> {
  const dataDir = mkdtempSync(join(tmpdir(), `dolittle-bench-${store}-`));
  const database = store === 'postgres' ? await freshPostgresDatabase('dolittle_bench') : undefined;
  // The main tenant takes every scenario; the second one's log stays empty for the log-size comparison.
  const configDir = writeConfigDir({ tenants: [developmentTenant, emptyLogTenant] });
  const { sizes, scenarios } = options;
  const figures: ScenarioFigure[] = [];
  let logSize: ReturnType<typeof compareLogSizes> | undefined;
  let ceilings: { batched: CeilingFigure; single: CeilingFigure; read: ReadFloor } | undefined;
  let postgres: PostgresServerFacts | undefined;
  let sqliteVersion: string | undefined;
  let profiles: string[] = [];
  let eventsProfiled = 0;
  let profiledFrom: number | undefined;
  try {
    if (database) postgres = await postgresServerFacts(testPostgresUrl());
    if (['a', 'b', 'c', 'log'].some((name) => scenarios.has(name as ScenarioName))) {
      const profileDir = options.profileDir && join(options.profileDir, store);
      if (profileDir) mkdirSync(profileDir, { recursive: true });
      const runtime = await startRuntimeProcess({
        store: database ? { postgres: database.url } : 'sqlite',
        dataDir,
        configDir: configDir.path,
        logLevel: 'warn',
        metrics: true, // on, as in production; the group-commit counters are read from it
        ...(profileDir ? profiledRuntime(profileDir) : {}),
      });
      const runtimePid = runtime.pid;
      const metricsPort = runtime.metricsPort;
      if (metricsPort === undefined) throw new Error('the Runtime reported no metrics port');
      progress(`${store}: Runtime pid ${runtimePid} ready: ${runtime.ready.line}`);
      try {
        const clients = await connectClients(
          clientAddress(runtime),
          Math.max(sizes.singleEventClients, sizes.batchClients),
          options.client,
        );
        const session: Session = {
          store,
          runtimePid: runtime.pid,
          clients,
          sizes,
          loggedEvents: 0,
          eventsHandled: 0,
          emptyLogTenant,
          groupCommit: (tenant) => scrapeGroupCommit('127.0.0.1', metricsPort, tenant),
          onMeasure: () => {
            if (!profileDir || profiledFrom !== undefined) return;
            profiledFrom = session.eventsHandled;
            process.kill(runtime.pid, 'SIGUSR2');
          },
        };
        try {
          if (scenarios.has('a')) figures.push(announce(await singleEventCommits(session)));
          if (scenarios.has('b')) figures.push(announce(await batchedCommits(session)));
          if (scenarios.has('c')) figures.push(announce(await fetchForAggregate(session)));
          if (scenarios.has('log')) {
            progress(`${store}: filling the log to ${sizes.fullLogEvents.toLocaleString('en-US')} events`);
            const fill = await fillLog(session, sizes.fullLogEvents);
            progress(
              `${store}: filled ${fill.events.toLocaleString('en-US')} events in ${(fill.elapsedMs / 1000).toFixed(1)} s`,
            );
            const empty = announce(await singleEventCommits(session, 'a-empty-log'));
            const full = announce(await singleEventCommits(session, 'a-full-log'));
            figures.push(empty, full);
            logSize = compareLogSizes(empty, full, fill);
          }
        } finally {
          eventsProfiled = session.eventsHandled - (profiledFrom ?? session.eventsHandled);
          for (const client of clients) client.close();
        }
      } finally {
        await stopRuntime(runtime);
      }
      const profile = profileDir && join(profileDir, `runtime-${runtimePid}.cpuprofile`);
      if (profile && existsSync(profile)) profiles = [profile];
    }
    if (scenarios.has('ceiling')) {
      progress(`${store}: driver ceilings`);
      if (database) {
        await ensureDatabase(testPostgresUrl(), database.name);
        ceilings = await measurePostgresCeilings(database.url, sizes.ceiling);
      } else {
        const measured = measureSqliteCeilings(dataDir, sizes.ceiling);
        sqliteVersion = measured.sqliteVersion;
        ceilings = measured;
      }
    }
    if (store === 'sqlite') sqliteVersion ??= sqliteLibraryVersion();
  } finally {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    configDir.remove();
  }
  return {
    store: {
      store,
      location: database ? database.name : 'sqlite file in a temporary data dir',
      figures,
      logSize,
      ceilings,
      profiles,
      eventsProfiled,
    },
    postgres,
    sqliteVersion,
  };
}

/** Start options that run the Runtime under the CPU profiler (see support/profiled-runtime.ts). */
function profiledRuntime(profileDir: string): { cliPath: string; env: Record<string, string> } {
  const here = dirname(fileURLToPath(import.meta.url));
  return {
    cliPath: join(here, '..', 'support', 'profiled-runtime.js'),
    env: {
      DOLITTLE_BENCH_CLI:
        process.env.DOLITTLE_RUNTIME_CLI ?? join(here, '..', '..', '..', 'packages', 'cli', 'dist', 'main.js'),
      DOLITTLE_BENCH_PROFILE_DIR: profileDir,
    },
  };
}

/** The ready line's private endpoint; a wildcard bind is reached over loopback. */
function clientAddress(runtime: RuntimeProcess): string {
  const host = runtime.ready.privateHost.replace(/^\[|\]$/g, '');
  const reachable =
    host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${reachable}:${runtime.privatePort}`;
}

/** Stops the Runtime; a Runtime that does not stop cleanly is killed and reported, the figures are kept. */
async function stopRuntime(runtime: RuntimeProcess): Promise<void> {
  try {
    await runtime.stop();
  } catch (error) {
    await runtime.kill();
    progress(`WARNING: the Runtime did not stop cleanly: ${(error as Error).message.split('\n')[0]}`);
  }
}

function announce(figure: ScenarioFigure): ScenarioFigure {
  progress(
    `${figure.store}: ${figure.scenario}: ${Math.round(figure.eventsPerSecond).toLocaleString('en-US')} events/s, ` +
      `p50 ${figure.p50Ms.toFixed(2)} ms, p99 ${figure.p99Ms.toFixed(2)} ms, Runtime ${figure.runtimeCpuUsPerEvent.toFixed(1)} µs/event`,
  );
  return figure;
}

/** Progress goes to stderr so stdout holds only the report. */
function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
