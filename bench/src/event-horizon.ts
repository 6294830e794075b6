#!/usr/bin/env node
/*
 * Event-horizon benchmark: two Runtime processes (a producer and a consumer microservice, each on its own store), lean
 * heads speaking the contracts by hand (event-horizon-wire.ts), and two figures per store:
 *
 *   (a) throughput: the producer commits N public events (default 100,000; Commits of --batch events from
 *       --committers concurrent clients, closed loop); its public filter head answers every request at once; the
 *       consumer is subscribed to that partition into a scope. events/s = N ÷ (time from the first commit until the
 *       consumer's scoped event handler head has been given all N). On PostgreSQL the time the consumer's scoped
 *       event log itself reached N is taken too (polling the tenant schema); a SQLite file is held in exclusive
 *       locking mode by its Runtime, so there the scoped handler is the only witness.
 *   (b) latency: one public event per Commit at --rate events/s (open loop) for --duration seconds; latency = from
 *       the moment the Commit is sent to the moment the consumer's scoped handler head is given that event
 *       (commit → public filter → public stream → event horizon → consumer scoped log → handler), p50 / p99 / max.
 *
 * Prints a table (progress on stderr) and writes bench/results/event-horizon.json.
 *
 *   node bench/dist/event-horizon.js [--store sqlite|postgres|all] [--events 100000] [--batch 100] [--committers 4]
 *                                    [--rate 200] [--duration 20] [--quick] [--out <file>]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  freshPostgresDatabase,
  type PostgresDatabase,
  type RuntimeProcess,
  type RuntimeStore,
  startRuntimeProcess,
  writeConfigDir,
} from '@dolittle-ts/compat/harness';
import pg from 'pg';
import {
  connectPublicFilter,
  connectScopedHandler,
  freshBenchIds,
  type Head,
  type HorizonBenchIds,
  ProducerCommitter,
  subscribe,
} from './event-horizon-wire.js';
import { runIfMain } from './support/main-module.js';

type StoreName = 'sqlite' | 'postgres';

export interface EventHorizonBenchOptions {
  readonly stores: readonly StoreName[];
  readonly events: number;
  readonly batch: number;
  readonly committers: number;
  readonly rate: number;
  readonly durationSeconds: number;
  readonly warmup: number;
  readonly out: string;
}

const usage =
  'node bench/dist/event-horizon.js [--store sqlite|postgres|all] [--events N] [--batch N] [--committers N] [--rate N] [--duration S] [--quick] [--out FILE]';

/** Parses the flags; an unknown one is refused. */
export function parseEventHorizonOptions(argv: readonly string[], benchDir: string): EventHorizonBenchOptions {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    if (index < 0) return undefined;
    const given = argv[index + 1];
    if (given === undefined || given.startsWith('--')) throw new Error(`${name} needs a value\n${usage}`);
    return given;
  };
  const number = (name: string, fallback: number): number => {
    const given = value(name);
    if (given === undefined) return fallback;
    const parsed = Number(given);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name}: not a positive number: ${given}\n${usage}`);
    return parsed;
  };
  const known = new Set(['--store', '--events', '--batch', '--committers', '--rate', '--duration', '--quick', '--out']);
  for (const arg of argv) {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown flag ${arg}\n${usage}`);
  }
  const store = value('--store') ?? 'all';
  if (!['sqlite', 'postgres', 'all'].includes(store)) throw new Error(`--store: sqlite, postgres or all\n${usage}`);
  return {
    stores: store === 'all' ? ['sqlite', 'postgres'] : [store as StoreName],
    events: Math.round(number('--events', quick ? 10_000 : 100_000)),
    batch: Math.round(number('--batch', 100)),
    committers: Math.round(number('--committers', 4)),
    rate: number('--rate', 200),
    durationSeconds: number('--duration', quick ? 5 : 20),
    warmup: quick ? 200 : 1_000,
    out: resolve(value('--out') ?? join(benchDir, 'results', 'event-horizon.json')),
  };
}

interface ThroughputFigure {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** When the last Commit returned, the public filter was asked about the last event, the consumer's scoped log had N. */
  readonly committedAfterSeconds: number;
  readonly filteredAfterSeconds: number;
  readonly consumerLogAfterSeconds: number | undefined;
  readonly consumerLogEventsPerSecond: number | undefined;
  /** False when no poll saw the log complete before the handler had everything (then the handler's time is used). */
  readonly consumerLogObserved: boolean | undefined;
  readonly handlerDeliveries: number;
  readonly producerCpuUsPerEvent: number;
  readonly consumerCpuUsPerEvent: number;
  readonly benchCpuUsPerEvent: number;
  /** Cores the local PostgreSQL server's processes used meanwhile (0 on SQLite, unless someone else uses it). */
  readonly postgresServerCores: number;
  /** Cores every other process on the machine used meanwhile (the PostgreSQL server's included): competition. */
  readonly otherCores: number;
  readonly otherTop: readonly string[];
}

interface LatencyFigure {
  readonly rate: number;
  readonly seconds: number;
  readonly sent: number;
  readonly arrived: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly commitP50Ms: number;
  readonly commitP99Ms: number;
  readonly producerCpuUsPerEvent: number;
  readonly consumerCpuUsPerEvent: number;
  readonly postgresServerCores: number;
  readonly otherCores: number;
  readonly otherTop: readonly string[];
}

interface StoreResult {
  readonly store: StoreName;
  readonly location: string;
  readonly throughput?: ThroughputFigure;
  readonly latency?: LatencyFigure;
  readonly error?: string;
}

function progress(message: string): void {
  process.stderr.write(`[event-horizon] ${message}\n`);
}

export async function runEventHorizonBench(options: EventHorizonBenchOptions): Promise<void> {
  const started = new Date();
  const results: StoreResult[] = [];
  for (const store of options.stores) {
    progress(`${store}: starting two Runtimes`);
    try {
      results.push(await runOnStore(store, options));
    } catch (error) {
      progress(`${store}: FAILED: ${(error as Error).stack ?? error}`);
      results.push({ store, location: '', error: (error as Error).message });
    }
  }
  const report = {
    benchmark: 'event-horizon',
    started: started.toISOString(),
    machine: describeMachine(),
    versions: await versions(options.stores.includes('postgres')),
    settings: {
      events: options.events,
      batch: options.batch,
      committers: options.committers,
      eventSources: 64,
      warmupEvents: options.warmup,
      rate: options.rate,
      durationSeconds: options.durationSeconds,
      scopedHandler: 'partitioned (by event source), answers at once',
      publicFilter: 'includes every public event into one partition, answers at once',
      runtimeLogLevel: 'warn',
      runtimeArgs: 'defaults (partitions in flight 8, event horizon window 64)',
    },
    results,
  };
  console.log(formatReport(report));
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  progress(`wrote ${options.out}`);
  if (results.some((result) => result.error !== undefined)) process.exitCode = 1;
}

/** Every index's first arrival at the consumer's scoped handler (ms, performance.now()), and counters. */
class Arrivals {
  readonly times: Float64Array;
  count = 0;
  deliveries = 0;
  constructor(size: number) {
    this.times = new Float64Array(size).fill(Number.NaN);
  }
  record(index: number): void {
    this.deliveries++;
    if (index < 0 || index >= this.times.length || !Number.isNaN(this.times[index] as number)) return;
    this.times[index] = performance.now();
    this.count++;
  }
  countIn(from: number, to: number): number {
    let n = 0;
    for (let index = from; index < to; index++) if (!Number.isNaN(this.times[index] as number)) n++;
    return n;
  }
}

async function runOnStore(storeName: StoreName, options: EventHorizonBenchOptions): Promise<StoreResult> {
  const ids = freshBenchIds();
  const cleanups: (() => Promise<void> | void)[] = [];
  const heads: Head[] = [];
  try {
    const databases: PostgresDatabase[] = [];
    const newStore = async (): Promise<RuntimeStore> => {
      if (storeName === 'sqlite') return 'sqlite';
      const database = await freshPostgresDatabase('dolittle_bench');
      databases.push(database);
      cleanups.push(() => database.drop());
      return { postgres: database.url };
    };
    const producerConfig = writeConfigDir({
      tenants: [ids.producerTenant],
      files: {
        'event-horizon-consents.json': {
          [ids.producerTenant]: [
            {
              microservice: ids.consumerMicroservice,
              tenant: ids.consumerTenant,
              stream: ids.stream,
              partition: ids.partition,
              consent: ids.consent,
            },
          ],
        },
      },
    });
    cleanups.push(() => producerConfig.remove());
    const producer = await startRuntimeProcess({
      store: await newStore(),
      configDir: producerConfig.path,
      microserviceId: ids.producerMicroservice,
      logLevel: 'warn',
    });
    cleanups.push(() => stopRuntime(producer));
    const consumerConfig = writeConfigDir({
      tenants: [ids.consumerTenant],
      files: {
        'microservices.json': { [ids.producerMicroservice]: { host: '127.0.0.1', port: producer.publicPort } },
      },
    });
    cleanups.push(() => consumerConfig.remove());
    const consumerStore = await newStore();
    const consumer = await startRuntimeProcess({
      store: consumerStore,
      configDir: consumerConfig.path,
      microserviceId: ids.consumerMicroservice,
      logLevel: 'warn',
    });
    cleanups.push(() => stopRuntime(consumer));
    const location =
      storeName === 'sqlite' ? 'SQLite files in temporary data dirs' : databases.map((d) => d.name).join(' + ');

    const latencyEvents = Math.ceil(options.rate * options.durationSeconds);
    const total = options.warmup + options.events + latencyEvents;
    const arrivals = new Arrivals(total);
    let filtered = 0;
    let lastFilteredAt = 0;
    const filter = connectPublicFilter(producer.privatePort, ids, () => {
      filtered++;
      lastFilteredAt = performance.now();
    });
    heads.push(filter);
    await withTimeout(filter.registered, 20_000, 'the public filter registration');
    const handler = connectScopedHandler(consumer.privatePort, ids, (index) => arrivals.record(index));
    heads.push(handler);
    await withTimeout(handler.registered, 20_000, 'the scoped event handler registration');
    const consent = await subscribe(consumer.privatePort, ids);
    if (consent !== ids.consent) throw new Error(`the subscription answered consent ${consent}, not ${ids.consent}`);
    progress(`${storeName}: subscribed (consent ${consent})`);

    const committers = Array.from(
      { length: options.committers },
      (_, index) => new ProducerCommitter(producer.privatePort, ids, String(index)),
    );
    for (const committer of committers) cleanups.push(() => committer.close());
    await Promise.all(committers.map((committer) => committer.ready()));

    // Warm-up: both Runtimes, the heads and the stream once through.
    await commitRange(committers, 0, options.warmup, options.batch);
    await waitForArrivals(arrivals, 0, options.warmup, 60_000, 'the warm-up events');
    progress(`${storeName}: warm-up done (${options.warmup} events)`);

    // (a) Throughput.
    const logProbe = typeof consumerStore === 'string' ? undefined : await scopedLogProbe(consumerStore.postgres, ids);
    if (logProbe) cleanups.push(() => logProbe.close());
    const logBefore = logProbe ? await logProbe.count() : 0;
    const first = options.warmup;
    const cpuBefore = cpuSnapshot(producer, consumer);
    const deliveriesBefore = arrivals.deliveries;
    const filteredBefore = filtered;
    const start = performance.now();
    let committedAt = 0;
    const committing = commitRange(committers, first, options.events, options.batch).then(() => {
      committedAt = performance.now();
    });
    let logAt: number | undefined;
    const deadline = start + Math.max(300_000, options.events * 5);
    let lastReport = start;
    while (arrivals.countIn(first, first + options.events) < options.events || committedAt === 0) {
      if (performance.now() > deadline) {
        throw new Error(
          `(a): ${arrivals.countIn(first, first + options.events)} of ${options.events} events reached the consumer's handler within ${Math.round((deadline - start) / 1000)} s (filtered ${filtered - filteredBefore})`,
        );
      }
      if (logProbe && logAt === undefined && (await logProbe.count()) - logBefore >= options.events) {
        logAt = performance.now();
      }
      if (performance.now() - lastReport > 5_000) {
        lastReport = performance.now();
        progress(
          `${storeName}: (a) ${Math.round((lastReport - start) / 1000)} s: filtered ${filtered - filteredBefore}, handled ${arrivals.countIn(first, first + options.events)} of ${options.events}`,
        );
      }
      await sleep(logProbe ? 100 : 20);
    }
    await committing;
    const handledAt = Math.max(...lastArrival(arrivals, first, options.events));
    const consumerLogObserved = logProbe ? logAt !== undefined : undefined;
    if (logProbe && logAt === undefined) logAt = handledAt; // reached between two polls at the latest
    const cpuAfter = cpuSnapshot(producer, consumer);
    const seconds = (handledAt - start) / 1000;
    const throughput: ThroughputFigure = {
      events: options.events,
      seconds,
      eventsPerSecond: options.events / seconds,
      committedAfterSeconds: (committedAt - start) / 1000,
      filteredAfterSeconds: (lastFilteredAt - start) / 1000,
      consumerLogAfterSeconds: logAt === undefined ? undefined : (logAt - start) / 1000,
      consumerLogEventsPerSecond: logAt === undefined ? undefined : options.events / ((logAt - start) / 1000),
      consumerLogObserved,
      handlerDeliveries: arrivals.deliveries - deliveriesBefore,
      ...cpuPerEvent(cpuBefore, cpuAfter, options.events, [producer.pid, consumer.pid]),
    };
    progress(
      `${storeName}: (a) ${Math.round(throughput.eventsPerSecond).toLocaleString('en-US')} events/s (${seconds.toFixed(1)} s)`,
    );

    // (b) Latency at a fixed rate.
    await sleep(1_000);
    const latency = await measureLatency(committers, arrivals, first + options.events, options, producer, consumer);
    progress(
      `${storeName}: (b) p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms (${latency.arrived}/${latency.sent})`,
    );
    return { store: storeName, location, throughput, latency };
  } finally {
    for (const head of heads) head.close();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        progress(`cleanup: ${(error as Error).message}`);
      }
    }
  }
}

function lastArrival(arrivals: Arrivals, from: number, count: number): number[] {
  let last = 0;
  for (let index = from; index < from + count; index++) last = Math.max(last, arrivals.times[index] as number);
  return [last];
}

/** Commits indexes [from, from + count) in Commits of `batch`, the committers taking the next batch when free. */
async function commitRange(committers: readonly ProducerCommitter[], from: number, count: number, batch: number) {
  let next = from;
  const end = from + count;
  await Promise.all(
    committers.map(async (committer) => {
      while (next < end) {
        const size = Math.min(batch, end - next);
        const indexes = Array.from({ length: size }, (_, offset) => next + offset);
        next += size;
        await committer.commit(indexes);
      }
    }),
  );
}

async function waitForArrivals(arrivals: Arrivals, from: number, count: number, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs;
  while (arrivals.countIn(from, from + count) < count) {
    if (performance.now() > deadline) {
      throw new Error(`${what}: ${arrivals.countIn(from, from + count)} of ${count} arrived within ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

async function measureLatency(
  committers: readonly ProducerCommitter[],
  arrivals: Arrivals,
  first: number,
  options: EventHorizonBenchOptions,
  producer: RuntimeProcess,
  consumer: RuntimeProcess,
): Promise<LatencyFigure> {
  const count = Math.ceil(options.rate * options.durationSeconds);
  const sentAt = new Float64Array(count).fill(Number.NaN);
  const commitMs: number[] = [];
  const intervalMs = 1000 / options.rate;
  const cpuBefore = cpuSnapshot(producer, consumer);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const due = start + n * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const committer = committers[n % committers.length] as ProducerCommitter;
    const sent = performance.now();
    sentAt[n] = sent;
    pending.push(
      committer.commit([first + n]).then(
        () => {
          commitMs.push(performance.now() - sent);
        },
        (error: unknown) => progress(`(b): a commit failed: ${(error as Error).message}`),
      ),
    );
  }
  await Promise.all(pending);
  const sentFor = (performance.now() - start) / 1000;
  const deadline = performance.now() + 30_000;
  while (arrivals.countIn(first, first + count) < count && performance.now() < deadline) await sleep(20);
  const cpuAfter = cpuSnapshot(producer, consumer);
  const latencies: number[] = [];
  for (let n = 0; n < count; n++) {
    const arrived = arrivals.times[first + n] as number;
    if (!Number.isNaN(arrived)) latencies.push(arrived - (sentAt[n] as number));
  }
  latencies.sort((a, b) => a - b);
  commitMs.sort((a, b) => a - b);
  const cpu = cpuPerEvent(cpuBefore, cpuAfter, count, [producer.pid, consumer.pid]);
  return {
    rate: options.rate,
    seconds: sentFor,
    sent: count,
    arrived: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length > 0 ? (latencies[latencies.length - 1] as number) : Number.NaN,
    commitP50Ms: percentile(commitMs, 50),
    commitP99Ms: percentile(commitMs, 99),
    producerCpuUsPerEvent: cpu.producerCpuUsPerEvent,
    consumerCpuUsPerEvent: cpu.consumerCpuUsPerEvent,
    postgresServerCores: cpu.postgresServerCores,
    otherCores: cpu.otherCores,
    otherTop: cpu.otherTop,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** The consumer tenant's scoped event log in PostgreSQL: how many events it holds (its next sequence number). */
async function scopedLogProbe(url: string, ids: HorizonBenchIds) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const schema = `tenant_${ids.consumerTenant.replaceAll('-', '')}`;
  return {
    async count(): Promise<number> {
      try {
        const result = await client.query<{ next: string | null }>(
          `SELECT max(sequence_number) + 1 AS next FROM "${schema}".events WHERE scope = $1`,
          [ids.scope],
        );
        return Number(result.rows[0]?.next ?? 0);
      } catch {
        return 0; // the schema or table does not exist yet
      }
    },
    close: () => client.end(),
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopRuntime(runtime: RuntimeProcess): Promise<void> {
  try {
    await runtime.dispose();
  } catch (error) {
    progress(`WARNING: a Runtime did not stop cleanly: ${(error as Error).message.split('\n')[0]}`);
  }
}

// CPU: utime + stime of the two Runtime processes from /proc/<pid>/stat (clock ticks), and this process's own.
let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function cpuSecondsOf(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

interface CpuSnapshot {
  readonly producer: number;
  readonly consumer: number;
  readonly bench: number;
  /** CPU seconds of every process on the machine, by pid (with its name), for what others used meanwhile. */
  readonly processes: ReadonlyMap<number, { readonly name: string; readonly seconds: number }>;
  readonly at: number;
}

function processTable(): Map<number, { name: string; seconds: number }> {
  const table = new Map<number, { name: string; seconds: number }>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return table;
  }
  for (const entry of entries) {
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { name, seconds: (Number(rest[11]) + Number(rest[12])) / ticksPerSecond() });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function cpuSnapshot(producer: RuntimeProcess, consumer: RuntimeProcess): CpuSnapshot {
  const own = process.cpuUsage();
  return {
    producer: cpuSecondsOf(producer.pid),
    consumer: cpuSecondsOf(consumer.pid),
    bench: (own.user + own.system) / 1e6,
    processes: processTable(),
    at: performance.now(),
  };
}

/**
 * CPU per event of each Runtime and of this process over a window, and what every other process used meanwhile
 * (in cores: CPU seconds ÷ wall seconds), with the three biggest. The local PostgreSQL server's processes count as
 * others (on a shared server they may serve others too), and are also summed on their own.
 */
function cpuPerEvent(before: CpuSnapshot, after: CpuSnapshot, events: number, ours: readonly number[] = []) {
  const us = (seconds: number) => (seconds * 1e6) / events;
  const wall = (after.at - before.at) / 1000;
  const excluded = new Set([process.pid, ...ours]);
  let other = 0;
  let postgres = 0;
  const top: { name: string; pid: number; seconds: number }[] = [];
  for (const [pid, now] of after.processes) {
    if (excluded.has(pid)) continue;
    const used = now.seconds - (before.processes.get(pid)?.seconds ?? 0);
    if (used <= 0) continue;
    other += used;
    if (now.name === 'postgres') postgres += used;
    top.push({ name: now.name, pid, seconds: used });
  }
  top.sort((a, b) => b.seconds - a.seconds);
  return {
    producerCpuUsPerEvent: us(after.producer - before.producer),
    consumerCpuUsPerEvent: us(after.consumer - before.consumer),
    benchCpuUsPerEvent: us(after.bench - before.bench),
    postgresServerCores: postgres / wall,
    otherCores: other / wall,
    otherTop: top.slice(0, 3).map((entry) => `${entry.name} (pid ${entry.pid}) ${entry.seconds.toFixed(1)} s`),
  };
}

function describeMachine() {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
  };
}

async function versions(withPostgres: boolean) {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..', '..');
  const read = (path: string) => {
    try {
      return (JSON.parse(readFileSync(join(root, path), 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain').length > 0;
  let postgres: string | undefined;
  if (withPostgres) {
    try {
      const client = new pg.Client({
        connectionString: process.env.DOLITTLE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test',
      });
      await client.connect();
      postgres = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
      await client.end();
    } catch {
      postgres = 'unreachable';
    }
  }
  let sqlite: string | undefined;
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    sqlite = String(db.prepare('SELECT sqlite_version()').pluck().get());
    db.close();
  } catch {
    sqlite = undefined;
  }
  return {
    runtime: read('packages/runtime/package.json'),
    commit: `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${dirty ? ' (uncommitted changes)' : ''}`,
    grpcJs: read('bench/node_modules/@grpc/grpc-js/package.json'),
    contracts: read('node_modules/@dolittle/runtime.contracts/package.json'),
    betterSqlite3: read('node_modules/better-sqlite3/package.json'),
    sqlite,
    postgres,
  };
}

function formatReport(report: {
  machine: ReturnType<typeof describeMachine>;
  versions: Awaited<ReturnType<typeof versions>>;
  settings: Record<string, unknown>;
  results: readonly StoreResult[];
}): string {
  const { machine, settings } = report;
  const v = report.versions;
  const fixed = (value: number | undefined, digits = 1) =>
    value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
  const count = (value: number | undefined) =>
    value === undefined || !Number.isFinite(value) ? '–' : Math.round(value).toLocaleString('en-US');
  const header = [
    'store',
    'scenario',
    'events',
    'seconds',
    'events/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'producer µs/ev',
    'consumer µs/ev',
    'other cores',
  ];
  const rows: string[][] = [];
  for (const result of report.results) {
    if (result.error !== undefined) {
      rows.push([result.store, `FAILED: ${result.error.split('\n')[0]}`, '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const a = result.throughput;
    if (a) {
      rows.push([
        result.store,
        '(a) commit → consumer scoped handler',
        count(a.events),
        fixed(a.seconds),
        count(a.eventsPerSecond),
        '–',
        '–',
        '–',
        fixed(a.producerCpuUsPerEvent),
        fixed(a.consumerCpuUsPerEvent),
        fixed(a.otherCores, 2),
      ]);
      if (a.consumerLogEventsPerSecond !== undefined) {
        rows.push([
          result.store,
          a.consumerLogObserved ? '(a) commit → consumer scoped log' : '(a) commit → consumer scoped log (≤)',
          count(a.events),
          fixed(a.consumerLogAfterSeconds),
          count(a.consumerLogEventsPerSecond),
          '–',
          '–',
          '–',
          '',
          '',
          '',
        ]);
      }
    }
    const b = result.latency;
    if (b) {
      rows.push([
        result.store,
        `(b) ${b.rate}/s commit → scoped handler`,
        `${count(b.arrived)}/${count(b.sent)}`,
        fixed(b.seconds),
        count(b.arrived / b.seconds),
        fixed(b.p50Ms),
        fixed(b.p99Ms),
        fixed(b.maxMs),
        fixed(b.producerCpuUsPerEvent),
        fixed(b.consumerCpuUsPerEvent),
        fixed(b.otherCores, 2),
      ]);
    }
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  const details = report.results
    .filter((result) => result.throughput !== undefined)
    .map((result) => {
      const a = result.throughput as ThroughputFigure;
      const b = result.latency;
      return `${result.store}: (a) last Commit returned after ${fixed(a.committedAfterSeconds)} s, public filter asked about the last event after ${fixed(a.filteredAfterSeconds)} s, ${count(a.handlerDeliveries)} handler deliveries for ${count(a.events)} events, bench process ${fixed(a.benchCpuUsPerEvent)} µs/event; ${b ? `(b) Commit p50 ${fixed(b.commitP50Ms, 2)} ms, p99 ${fixed(b.commitP99Ms, 2)} ms` : ''}`;
    });
  return [
    'Event horizon: producer Runtime → consumer Runtime (two processes, each its own store)',
    `machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Node ${machine.node}`,
    `versions: runtime ${v.runtime} @ ${v.commit}, contracts ${v.contracts}, bench grpc-js ${v.grpcJs}, better-sqlite3 ${v.betterSqlite3} (SQLite ${v.sqlite ?? '?'})${v.postgres ? `, PostgreSQL ${v.postgres}` : ''}`,
    `settings: ${Object.entries(settings)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', ')}`,
    '',
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
    '',
    ...details,
    'µs/ev: CPU (user + system, /proc/<pid>/stat) of each Runtime process over the measured window ÷ events.',
    'other cores: CPU of every other process (the PostgreSQL server included) over the window ÷ its length.',
    ...warnings(report.results),
    'scoped log: PostgreSQL only, polled every 100 ms ((≤): no poll saw it complete before the handler had every event).',
  ].join('\n');
}

/** A warning per figure taken while other processes used more than a quarter of a core. */
function warnings(results: readonly StoreResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    for (const [name, figure] of [
      ['(a)', result.throughput],
      ['(b)', result.latency],
    ] as const) {
      if (figure === undefined) continue;
      const own = result.store === 'postgres' ? figure.postgresServerCores : 0;
      if (figure.otherCores - own > 0.25) {
        lines.push(
          `WARNING: ${result.store} ${name}: other processes used ${(figure.otherCores - own).toFixed(2)} cores besides the PostgreSQL server (${figure.otherTop.join(', ')}); the figure is not to be trusted`,
        );
      }
    }
  }
  return lines;
}

await runIfMain(import.meta.url, async (argv, benchDir) => {
  await runEventHorizonBench(parseEventHorizonOptions(argv, benchDir));
});
