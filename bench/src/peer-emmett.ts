#!/usr/bin/env node
/*
 * Peer benchmark: Emmett (its PostgreSQL and SQLite event stores) and ours (through our SDK, remote against a
 * Runtime process and embedded, on SQLite and PostgreSQL), side by side in one run on the same PostgreSQL server and
 * the same machine, with the raw driver ceilings of the same run. Every target runs the same workloads on a fresh
 * store (peer/workload.ts): appends of 1 event × 32 clients and of 100 events × 4 clients (closed loop), a
 * 10,000-event stream read back, a consumer over the whole log (100,000 events) from the beginning, and a delivery
 * check: what that consumer is given of everything acknowledged, with 32 clients appending while it runs.
 *
 *   node bench/dist/peer-emmett.js [--quick] [--only emmett|ours|all] [--store sqlite|postgres|all] [--out FILE]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freshPostgresDatabase, testPostgresUrl } from '@dolittle-ts/compat/harness';
import { benchVersions, parseStores, progress, type Versions } from './catch-up-setup.js';
import type { CeilingTiming } from './commit-throughput/ceiling-rows.js';
import { ensureDatabase } from './commit-throughput/postgres-ceiling.js';
import { measurePeerCeiling, type PeerCeiling } from './peer/ceilings.js';
import {
  createEmmettPostgresTarget,
  type EmmettPostgresSettings,
  guardDroppedConnections,
} from './peer/emmett-postgres-target.js';
import { createEmmettSqliteTarget, type EmmettSqliteSettings } from './peer/emmett-sqlite-target.js';
import { type OursMode, startOursTarget } from './peer/ours-target.js';
import { formatPeerReport } from './peer/report.js';
import type { PeerStore, PeerTarget } from './peer/target.js';
import { runWorkload, type WorkloadOptions, type WorkloadResult } from './peer/workload.js';
import { describeMachine, type Machine } from './support/machine.js';
import { runIfMain } from './support/main-module.js';

const benchRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Emmett's tuned consumer: big pulls with no pause between them while messages are left (when none are, it backs
 * off to 1 s by itself). Its pool: `--emmett-pool` connections, default 10 (ours has 5 per tenant: a writer and a
 * read pool of 4); a pool of 32, one per concurrent client, appended slower here on 2 cores.
 */
export const emmettTunedPulling = { batchSize: 1_000, pullingFrequencyInMs: 1 } as const;
const defaultEmmettPool = 10;

export interface PeerOptions {
  readonly quick: boolean;
  readonly only: 'emmett' | 'ours' | 'all';
  readonly stores: readonly PeerStore[];
  readonly workload: WorkloadOptions;
  /** Emmett's tuned PostgreSQL pool size. */
  readonly emmettPool: number;
  readonly ceilingTiming: CeilingTiming;
  readonly out: string;
  readonly command: string;
}

const usage = `node bench/dist/peer-emmett.js [--quick] [--only emmett|ours|all] [--store sqlite|postgres|all] [--out FILE]

  --quick   10,000 events for the consumer, 2 s per append figure (the whole run in about 3–4 minutes);
            default: 100,000 events, 8 s per append figure (about 15 minutes)
  --only    run only Emmett's targets or only ours (ratios then show –)
  --store   which stores (default: all)
  --emmett-pool  connections in Emmett's tuned PostgreSQL pool (default ${defaultEmmettPool})
  --out     the JSON results file (default bench/results/peer-emmett.json)
  --report  print the report of that JSON file again (measures nothing)`;

export function parsePeerOptions(argv: readonly string[], benchDir: string): PeerOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      store: { type: 'string' },
      'emmett-pool': { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  if (typeof values.report === 'string') {
    // Prints the report of an earlier run's JSON again, measuring nothing.
    console.log(formatPeerReport(JSON.parse(readFileSync(resolve(values.report), 'utf8')) as PeerResults));
    process.exit(0);
  }
  const quick = values.quick === true;
  const only = typeof values.only === 'string' ? values.only : 'all';
  if (only !== 'emmett' && only !== 'ours' && only !== 'all') {
    throw new Error(`--only must be emmett, ours or all, not "${only}"\n${usage}`);
  }
  const poolText = typeof values['emmett-pool'] === 'string' ? values['emmett-pool'] : String(defaultEmmettPool);
  const emmettPool = Number(poolText);
  if (!Number.isSafeInteger(emmettPool) || emmettPool < 1) {
    throw new Error(`--emmett-pool must be a positive whole number, not "${poolText}"\n${usage}`);
  }
  return {
    quick,
    only,
    emmettPool,
    stores: parseStores(typeof values.store === 'string' ? values.store : undefined),
    workload: {
      appendSeconds: quick ? 2 : 8,
      readStreamEvents: 10_000,
      readRepeats: quick ? 3 : 10,
      consumerEvents: quick ? 10_000 : 100_000,
      consumerTimeoutSeconds: quick ? 60 : 240,
      liveSeconds: quick ? 2 : 5,
      // Other sessions on the same server can hold back its xmin horizon for seconds, which stalls Emmett's
      // PostgreSQL consumer (it reads only below it): a stall is not a loss, so wait it out.
      settleSeconds: quick ? 5 : 15,
    },
    ceilingTiming: quick
      ? { warmupMs: 300, durationMs: 1_500, readRepeats: 5 }
      : { warmupMs: 1_000, durationMs: 5_000, readRepeats: 20 },
    out: resolve(typeof values.out === 'string' ? values.out : join(benchDir, 'results', 'peer-emmett.json')),
    command: `node bench/dist/peer-emmett.js ${argv.join(' ')}`.trim(),
  };
}

export interface PeerRun extends WorkloadResult {
  readonly label: string;
  readonly side: 'emmett' | 'ours';
  readonly store: PeerStore;
  /** `tuned` / `defaults` for Emmett; `remote` / `embedded` for ours. */
  readonly variant: string;
  readonly settings: readonly string[];
}

export interface PeerResults {
  readonly benchmark: 'peer-emmett';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly versions: Versions & { readonly emmett: Record<string, string> };
  readonly workload: WorkloadOptions;
  readonly emmettTuned: {
    readonly poolSize: number;
    readonly pulling: typeof emmettTunedPulling;
  };
  readonly runs: readonly PeerRun[];
  readonly ceilings: readonly PeerCeiling[];
  readonly ceilingErrors: readonly string[];
}

interface TargetPlan {
  readonly side: 'emmett' | 'ours';
  readonly store: PeerStore;
  readonly variant: string;
  readonly label: string;
  /** Opens the target on a fresh store; `dispose` removes that store afterwards. */
  open(): Promise<{ target: PeerTarget; dispose(): Promise<void> }>;
}

function plans(options: PeerOptions): TargetPlan[] {
  const all: TargetPlan[] = [];
  const storeLabel = (store: PeerStore) => (store === 'sqlite' ? 'SQLite' : 'PostgreSQL');
  for (const store of options.stores) {
    if (options.only !== 'ours') {
      for (const variant of ['tuned', 'defaults'] as const) {
        const label = `Emmett ${storeLabel(store)} (${variant})`;
        const open = () => openEmmett(store, variant, label, options.emmettPool);
        all.push({ side: 'emmett', store, variant, label, open });
      }
    }
    if (options.only !== 'emmett') {
      for (const mode of ['remote', 'embedded'] as const) {
        const label = `ours ${mode} ${storeLabel(store)}`;
        all.push({ side: 'ours', store, variant: mode, label, open: () => openOurs(store, mode, label) });
      }
    }
  }
  return all;
}

async function openEmmett(store: PeerStore, variant: 'tuned' | 'defaults', label: string, poolSize: number) {
  if (store === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'dolittle-bench-peer-emmett-'));
    const settings: EmmettSqliteSettings = { pulling: variant === 'tuned' ? emmettTunedPulling : undefined };
    return {
      target: createEmmettSqliteTarget(dataDir, settings, label),
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const database = await freshPostgresDatabase('dolittle_bench_peer_emmett');
  await ensureDatabase(testPostgresUrl(), database.name);
  const settings: EmmettPostgresSettings =
    variant === 'tuned' ? { poolSize, pulling: emmettTunedPulling } : { poolSize: undefined, pulling: undefined };
  const guard = guardDroppedConnections();
  return {
    target: createEmmettPostgresTarget(database.url, settings, label),
    dispose: async () => {
      try {
        await database.drop();
        await sleep(500);
      } finally {
        guard.remove();
        if (guard.count() > 0) {
          progress(
            'peer-emmett',
            `${label}: ${guard.count()} idle connection(s) of the store's pools ended by the drop`,
          );
        }
      }
    },
  };
}

async function openOurs(store: PeerStore, mode: OursMode, label: string) {
  const directory = mkdtempSync(join(tmpdir(), 'dolittle-bench-peer-ours-'));
  const database =
    mode === 'embedded' && store === 'postgres' ? await freshPostgresDatabase('dolittle_bench_peer_ours') : undefined;
  try {
    if (database) await ensureDatabase(testPostgresUrl(), database.name);
    const target = await startOursTarget(mode, { store, directory, postgresUrl: database?.url }, label);
    return {
      target,
      dispose: async () => {
        try {
          await database?.drop();
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

export async function runPeerEmmett(options: PeerOptions): Promise<PeerResults> {
  const startedAt = new Date();
  const runs: PeerRun[] = [];
  for (const plan of plans(options)) {
    progress('peer-emmett', `${plan.label}: opening on a fresh store`);
    let opened: Awaited<ReturnType<TargetPlan['open']>> | undefined;
    const base = { label: plan.label, side: plan.side, store: plan.store, variant: plan.variant };
    try {
      opened = await plan.open();
      const result = await runWorkload(opened.target, options.workload);
      runs.push({ ...base, settings: opened.target.settings, ...result });
    } catch (error) {
      progress('peer-emmett', `${plan.label}: FAILED: ${(error as Error).stack ?? String(error)}`);
      runs.push({ ...base, settings: opened?.target.settings ?? [], error: (error as Error).message });
    } finally {
      try {
        await opened?.target.close();
      } catch (error) {
        progress('peer-emmett', `${plan.label}: WARNING: closing failed: ${(error as Error).message}`);
      }
      await opened?.dispose();
    }
  }
  const ceilings: PeerCeiling[] = [];
  const ceilingErrors: string[] = [];
  for (const store of options.stores) {
    progress('peer-emmett', `raw driver ceiling, ${store}`);
    try {
      ceilings.push(await measurePeerCeiling(store, options.ceilingTiming));
    } catch (error) {
      ceilingErrors.push(`${store}: ${(error as Error).message}`);
    }
  }
  const results: PeerResults = {
    benchmark: 'peer-emmett',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: describeMachine(),
    versions: { ...(await benchVersions(options.stores)), emmett: emmettVersions() },
    workload: options.workload,
    emmettTuned: { poolSize: options.emmettPool, pulling: emmettTunedPulling },
    runs,
    ceilings,
    ceilingErrors,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatPeerReport(results));
  console.log(`\nJSON: ${options.out}`);
  if (runs.some((run) => run.error !== undefined) || ceilingErrors.length > 0) process.exitCode = 1;
  return results;
}

/** The installed versions of the peer's packages and its SQLite driver. */
function emmettVersions(): Record<string, string> {
  const names = [
    '@event-driven-io/emmett',
    '@event-driven-io/emmett-postgresql',
    '@event-driven-io/emmett-sqlite',
    '@event-driven-io/dumbo',
    'sqlite3',
    'pg',
  ];
  return Object.fromEntries(
    names.map((name) => {
      try {
        // npm puts a workspace's dependency in bench/node_modules when the root's copy differs, else at the root.
        const local = join(benchRoot, 'node_modules', name, 'package.json');
        const file = existsSync(local) ? local : join(benchRoot, '..', 'node_modules', name, 'package.json');
        return [name, (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '?'];
      } catch {
        return [name, '?'];
      }
    }),
  );
}

await runIfMain(import.meta.url, async (argv, benchDir) => {
  await runPeerEmmett(parsePeerOptions(argv, benchDir));
});
