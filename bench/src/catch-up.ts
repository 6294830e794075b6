#!/usr/bin/env node
/*
 * Catch-up benchmark: how fast a partitioned event handler that connects late works through a log that is already
 * there, and how soon a live event reaches it. For each store and each partitions-in-flight setting (1: Dolittle 6's
 * one-event-at-a-time; the default, 8), a Runtime process on a fresh store:
 *
 *   1. --events events (100,000) are committed over gRPC in 100-event Commits from 4 clients, spread over --sources
 *      event sources (1,000), before any head connects;
 *   2. catch-up: a lean head (catch-up-head.ts, the contracts spoken by hand, answering at once) registers a
 *      partitioned handler for the event type; timed from the registration request until the head has been given
 *      the last of the events; the Runtime's CPU (from /proc) over the same window;
 *   3. live: one-event Commits at --rate per second (500, open loop) for --duration seconds (60), sent from a worker
 *      thread (catch-up-live-sender.ts: its own heap, so neither side's garbage collection pauses the other);
 *      latency = from the Commit being sent to the head being given that event.
 *
 * Baseline, same run: the store's raw read of the same events through its driver, the Runtime stopped, in the pages
 * the Runtime reads; and the partitions-in-flight 1 run against the default.
 *
 *   node bench/dist/catch-up.js [--store sqlite|postgres|all] [--quick] [--events N] [--sources N] [--rate N]
 *                               [--duration S] [--partitions 1,default] [--profile DIR] [--out FILE]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CatchUpHead, checkHandleResultEncoding } from './catch-up-head.js';
import { type LiveSenderResult, runLiveSender } from './catch-up-live-sender.js';
import {
  type BenchRuntime,
  benchVersions,
  describeVersions,
  parseStores,
  progress,
  type StoreName,
  type StoreReadFigure,
  startBenchRuntime,
  type Versions,
} from './catch-up-setup.js';
import { runClosedLoop } from './support/closed-loop.js';
import { type CpuReading, withCpuWindow } from './support/cpu-window.js';
import {
  benchEventTypeId,
  checkCommitEventsResponse,
  commitEventsTemplate,
  eventStorePaths,
  verifyCommitEventsResponse,
} from './support/event-store-wire.js';
import { Latencies } from './support/latencies.js';
import { describeMachine, type Machine } from './support/machine.js';
import { runIfMain } from './support/main-module.js';
import { formatCount, formatFigure, formatTable } from './support/table.js';
import { connectClients, type UnaryClient } from './support/unary-client.js';

const benchmark = 'catch-up';

/** The issue's targets, for a 2-core machine. */
export const catchUpTargets = {
  /** With the default partitions in flight, on both stores. */
  eventsPerSecond: 20_000,
  liveP99Ms: 10,
} as const;

/** A partitions-in-flight setting: `1` passes `--partitions-in-flight 1`; `default` passes nothing (8). */
export type PartitionsSetting = '1' | 'default';

export interface CatchUpOptions {
  readonly stores: readonly StoreName[];
  readonly quick: boolean;
  readonly events: number;
  readonly sources: number;
  readonly batch: number;
  readonly committers: number;
  readonly rate: number;
  readonly liveSeconds: number;
  readonly partitions: readonly PartitionsSetting[];
  readonly profileDir: string | undefined;
  readonly out: string;
  readonly command: string;
}

const usage = `node bench/dist/catch-up.js [--store sqlite|postgres|all] [--quick] [--events N] [--sources N]
    [--rate N] [--duration S] [--partitions 1,default] [--profile DIR] [--out FILE]

  --events      events committed before the handler connects (default 100,000; quick 20,000), in 100-event Commits
  --sources     event sources (= partitions) they are spread over (default 1,000)
  --rate        live one-event Commits per second (default 500)
  --duration    seconds of the live measurement (default 60; quick 5)
  --partitions  which runs: 1 (--partitions-in-flight 1) and/or default (8) (default: both)
  --profile     run the Runtime under the CPU profiler from the registration on; .cpuprofile files into DIR
                (figures from a profiled run are not to be quoted)
  --out         the JSON results file (default bench/results/catch-up.json)`;

/** Parses the flags; an unknown one is refused. */
export function parseCatchUpOptions(argv: readonly string[], benchDir: string): CatchUpOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string' },
      quick: { type: 'boolean', default: false },
      events: { type: 'string' },
      sources: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      partitions: { type: 'string' },
      profile: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const positive = (name: string, value: unknown, fallback: number): number => {
    const given = text(value);
    if (given === undefined) return fallback;
    const parsed = Number(given);
    if (!(parsed > 0)) throw new Error(`--${name} must be a positive number, not "${given}"\n${usage}`);
    return parsed;
  };
  const quick = values.quick === true;
  const batch = 100;
  const events = Math.round(positive('events', values.events, quick ? 20_000 : 100_000) / batch) * batch;
  const partitions = (text(values.partitions) ?? '1,default').split(',').map((p) => p.trim());
  for (const p of partitions) {
    if (p !== '1' && p !== 'default') throw new Error(`--partitions takes 1 and/or default, not "${p}"\n${usage}`);
  }
  return {
    stores: parseStores(text(values.store)),
    quick,
    events,
    sources: Math.round(positive('sources', values.sources, 1_000)),
    batch,
    committers: 4,
    rate: positive('rate', values.rate, 500),
    liveSeconds: positive('duration', values.duration, quick ? 5 : 60),
    partitions: partitions as PartitionsSetting[],
    profileDir: text(values.profile) === undefined ? undefined : resolve(text(values.profile) as string),
    out: resolve(text(values.out) ?? join(benchDir, 'results', 'catch-up.json')),
    command: `node bench/dist/catch-up.js ${argv.join(' ')}`.trim(),
  };
}

export interface PrecommitFigure {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface CatchUpFigure {
  readonly events: number;
  readonly sources: number;
  /** From the registration request to the Runtime's registration response. */
  readonly registeredAfterMs: number;
  /** From the registration request to the first event at the head. */
  readonly firstEventAfterMs: number;
  /** From the registration request to the last event at the head. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly runtimeCpuUsPerEvent: number;
  /** This process (the head) over the same window. */
  readonly headCpuUsPerEvent: number;
  readonly databaseServerCpuUsPerEvent: number | undefined;
  readonly otherCpuCores: number;
  readonly otherTop: readonly string[];
  readonly deliveries: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly retries: number;
  /** Each time the Runtime ended the head's call (the head registered again 1 s later, as the SDK does). */
  readonly disconnects: readonly string[];
}

export interface LiveFigure {
  readonly rate: number;
  readonly seconds: number;
  readonly sent: number;
  readonly arrived: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly commitP50Ms: number;
  readonly commitP99Ms: number;
  readonly runtimeCpuUsPerEvent: number;
  readonly otherCpuCores: number;
  readonly otherTop: readonly string[];
  readonly disconnects: readonly string[];
}

export interface CatchUpRun {
  readonly store: StoreName;
  readonly partitions: PartitionsSetting;
  readonly location: string;
  readonly precommit?: PrecommitFigure;
  readonly catchUp?: CatchUpFigure;
  readonly live?: LiveFigure;
  readonly profile?: string;
  readonly error?: string;
}

export interface CatchUpResults {
  readonly benchmark: 'catch-up';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly versions: Versions;
  readonly settings: {
    readonly events: number;
    readonly sources: number;
    readonly commitBatch: number;
    readonly committers: number;
    readonly liveRate: number;
    readonly liveSeconds: number;
    readonly handler: string;
  };
  readonly targets: typeof catchUpTargets;
  readonly runs: readonly CatchUpRun[];
  readonly storeReads: readonly (StoreReadFigure & { readonly store: StoreName })[];
}

export async function runCatchUp(options: CatchUpOptions): Promise<CatchUpResults> {
  checkHandleResultEncoding();
  const startedAt = new Date();
  const runs: CatchUpRun[] = [];
  const storeReads: (StoreReadFigure & { store: StoreName })[] = [];
  for (const store of options.stores) {
    for (const [index, partitions] of options.partitions.entries()) {
      const readLog = index === options.partitions.length - 1;
      const outcome = await runOne(store, partitions, options, readLog);
      runs.push(outcome.run);
      if (outcome.storeRead) storeReads.push({ store, ...outcome.storeRead });
    }
  }
  const results: CatchUpResults = {
    benchmark: 'catch-up',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: describeMachine(),
    versions: await benchVersions(options.stores),
    settings: {
      events: options.events,
      sources: options.sources,
      commitBatch: options.batch,
      committers: options.committers,
      liveRate: options.rate,
      liveSeconds: options.liveSeconds,
      handler: 'partitioned (by event source), one event type, default scope; the head answers every event at once',
    },
    targets: catchUpTargets,
    runs,
    storeReads,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatCatchUpReport(results));
  console.log(`\nJSON: ${options.out}`);
  if (runs.some((run) => run.error !== undefined)) process.exitCode = 1;
  return results;
}

async function runOne(
  store: StoreName,
  partitions: PartitionsSetting,
  options: CatchUpOptions,
  readLog: boolean,
): Promise<{ run: CatchUpRun; storeRead: StoreReadFigure | undefined }> {
  const label = `${store}, partitions in flight ${partitions === '1' ? '1' : 'default'}`;
  progress(benchmark, `${label}: starting a Runtime on a fresh store`);
  const bench = await startBenchRuntime({
    store,
    extraArgs: partitions === '1' ? ['--partitions-in-flight', '1'] : [],
    profileDir: options.profileDir && join(options.profileDir, `${store}-${partitions}`),
  });
  let run: CatchUpRun = { store, partitions, location: bench.location };
  let storeRead: StoreReadFigure | undefined;
  let clients: UnaryClient[] = [];
  let head: CatchUpHead | undefined;
  try {
    clients = await connectClients(bench.address, options.committers);
    const precommit = await precommitEvents(clients, options);
    run = { ...run, precommit };
    progress(
      benchmark,
      `${label}: committed ${formatCount(precommit.events)} events in ${precommit.seconds.toFixed(1)} s (${formatCount(precommit.eventsPerSecond)}/s)`,
    );
    const liveEvents = Math.ceil(options.rate * options.liveSeconds);
    head = new CatchUpHead({
      address: bench.address,
      eventHandlerId: randomUUID(),
      eventTypeId: benchEventTypeId,
      capacity: options.events + liveEvents,
    });
    const catchUp = await measureCatchUp(bench, head, options, label);
    run = { ...run, catchUp };
    progress(
      benchmark,
      `${label}: caught up ${formatCount(catchUp.events)} events in ${catchUp.seconds.toFixed(2)} s: ${formatCount(catchUp.eventsPerSecond)} events/s, Runtime ${formatFigure(catchUp.runtimeCpuUsPerEvent)} µs/event`,
    );
    await sleep(1_000);
    const live = await measureLive(bench, head, options, liveEvents);
    run = { ...run, live };
    progress(
      benchmark,
      `${label}: live ${options.rate}/s: p50 ${formatFigure(live.p50Ms)} ms, p99 ${formatFigure(live.p99Ms)} ms (${live.arrived}/${live.sent})`,
    );
    head.close();
    head = undefined;
    for (const client of clients) client.close();
    clients = [];
    const profile = await bench.stop();
    if (profile !== undefined) run = { ...run, profile };
    if (readLog) {
      storeRead = await bench.readEventLog(options.events, 1_000);
      progress(benchmark, `${store}: raw read of the log: ${formatCount(storeRead.eventsPerSecond)} events/s`);
    }
  } catch (error) {
    progress(benchmark, `${label}: FAILED: ${(error as Error).stack ?? String(error)}`);
    progress(benchmark, await bench.describeFailure());
    run = { ...run, error: (error as Error).message };
  } finally {
    head?.close();
    for (const client of clients) client.close();
    await bench.dispose();
  }
  return { run, storeRead };
}

/**
 * The log the handler will catch up on: 100-event Commits from `committers` clients, closed loop. Commit `c`
 * carries 100 event sources (one per event), the template's 100 prefixes with `c mod (sources / 100)` stamped in,
 * so the events spread evenly over `sources` event sources, interleaved.
 */
async function precommitEvents(clients: readonly UnaryClient[], options: CatchUpOptions): Promise<PrecommitFigure> {
  const template = commitEventsTemplate(options.batch);
  const variants = Math.max(1, Math.round(options.sources / options.batch));
  const calls = options.events / options.batch;
  let next = 0;
  const result = await runClosedLoop({
    workers: clients.length,
    maxCalls: calls,
    call: async (worker) => {
      const n = next++;
      const request = template.stamp(n % variants);
      const response = await (clients[worker] as UnaryClient).unary(eventStorePaths.commit, request);
      if (n === 0) verifyCommitEventsResponse(request, response);
      return checkCommitEventsResponse(response, options.batch);
    },
  });
  if (result.events !== options.events) throw new Error(`committed ${result.events} events, not ${options.events}`);
  return {
    events: result.events,
    seconds: result.elapsedMs / 1000,
    eventsPerSecond: (result.events / result.elapsedMs) * 1000,
  };
}

async function measureCatchUp(
  bench: BenchRuntime,
  head: CatchUpHead,
  options: CatchUpOptions,
  label: string,
): Promise<CatchUpFigure> {
  const { events } = options;
  let started = 0;
  let registeredAt = 0;
  const report = setInterval(() => {
    progress(benchmark, `${label}: ${formatCount(head.handled)} of ${formatCount(events)} events handled`);
  }, 10_000);
  let measured: { cpu: CpuReading };
  try {
    measured = await withCpuWindow(
      { runtimePid: bench.runtime.pid, postgresServer: bench.store === 'postgres' },
      async () => {
        started = performance.now();
        bench.startProfiling();
        await withTimeout(head.register(), 20_000, 'the event handler registration');
        registeredAt = performance.now();
        await head.waitFor(events, Math.max(180_000, events * 5));
      },
    );
  } finally {
    clearInterval(report);
  }
  const { cpu } = measured;
  const seconds = (head.lastArrivalAt - started) / 1000;
  let first = Number.POSITIVE_INFINITY;
  for (let n = 0; n < events; n++) first = Math.min(first, head.arrivals[n] as number);
  const perEvent = (cpuSeconds: number) => (cpuSeconds * 1e6) / events;
  return {
    events,
    sources: options.sources,
    registeredAfterMs: registeredAt - started,
    firstEventAfterMs: first - started,
    seconds,
    eventsPerSecond: events / seconds,
    runtimeCpuUsPerEvent: perEvent(cpu.runtimeSeconds),
    headCpuUsPerEvent: perEvent(cpu.loadGeneratorSeconds),
    databaseServerCpuUsPerEvent:
      cpu.databaseServerSeconds === undefined ? undefined : perEvent(cpu.databaseServerSeconds),
    otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
    otherTop: cpu.otherTop,
    deliveries: head.deliveries,
    duplicates: head.duplicates,
    outOfOrder: head.outOfOrder,
    retries: head.retries,
    disconnects: [...head.disconnects],
  };
}

/**
 * One-event Commits at `rate` per second, open loop (each sent at its time, whether or not earlier ones answered);
 * each event's latency is from sending its Commit to the head being given it, matched by sequence number.
 */
async function measureLive(
  bench: BenchRuntime,
  head: CatchUpHead,
  options: CatchUpOptions,
  count: number,
): Promise<LiveFigure> {
  const expected = head.handled + count;
  const disconnectsBefore = head.disconnects.length;
  const failures: unknown[] = [];
  let sender: LiveSenderResult | undefined;
  const { cpu } = await withCpuWindow(
    { runtimePid: bench.runtime.pid, postgresServer: bench.store === 'postgres' },
    async () => {
      sender = await runLiveSender({ address: bench.address, rate: options.rate, count, sources: options.sources });
      await head.waitFor(expected, 30_000).catch((error: unknown) => failures.push(error));
    },
  );
  if (sender === undefined) throw new Error('the live sender reported nothing');
  if (sender.failures.length > 0) throw new Error(`live Commits failed: ${sender.failures.slice(0, 3).join('; ')}`);
  if (failures.length > 0) throw failures[0];
  const latencies = new Latencies();
  const commits = new Latencies();
  for (let n = 0; n < count; n++) {
    commits.record(sender.commitMs[n] as number);
    const arrived = head.arrivals[sender.sequenceOf[n] as number];
    if (arrived !== undefined && !Number.isNaN(arrived)) latencies.record(arrived - (sender.sentAt[n] as number));
  }
  const summary = latencies.summary();
  const commitSummary = commits.summary();
  return {
    rate: options.rate,
    seconds: sender.seconds,
    sent: count,
    arrived: summary.count,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    maxMs: summary.max,
    commitP50Ms: commitSummary.p50,
    commitP99Ms: commitSummary.p99,
    runtimeCpuUsPerEvent: (cpu.runtimeSeconds * 1e6) / count,
    otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
    otherTop: cpu.otherTop,
    disconnects: head.disconnects.slice(disconnectsBefore),
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

const partitionsLabel = (p: PartitionsSetting) => (p === '1' ? '1' : 'default (8)');

export function formatCatchUpReport(results: CatchUpResults): string {
  const { machine, settings } = results;
  const lines: string[] = [];
  lines.push(`Catch-up — ${results.startedAt}${results.quick ? ' (quick)' : ''}`);
  lines.push(`command:    ${results.command}`);
  lines.push(
    `machine:    ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Linux ${machine.kernel}`,
  );
  lines.push(describeVersions(results.versions));
  lines.push(
    `settings:   ${formatCount(settings.events)} events over ${formatCount(settings.sources)} event sources, committed first (${settings.commitBatch}-event Commits, ${settings.committers} clients); ${settings.handler}`,
  );
  lines.push(
    `            live: one-event Commits at ${settings.liveRate}/s (open loop) for ${settings.liveSeconds} s; Runtime: log level warn, metrics on`,
  );
  lines.push('');

  const target = (run: CatchUpRun, figure: CatchUpFigure) =>
    run.partitions === 'default'
      ? `≥ ${formatCount(catchUpTargets.eventsPerSecond)}/s ${figure.eventsPerSecond >= catchUpTargets.eventsPerSecond ? 'met' : 'MISSED'}`
      : '(baseline)';
  const checks = (figure: CatchUpFigure) => {
    const problems: string[] = [];
    if (figure.duplicates > 0) problems.push(`${figure.duplicates} twice`);
    if (figure.outOfOrder > 0) problems.push(`${figure.outOfOrder} out of order`);
    if (figure.retries > 0) problems.push(`${figure.retries} retries`);
    if (figure.disconnects.length > 0)
      problems.push(`${figure.disconnects.length} reconnect${figure.disconnects.length > 1 ? 's' : ''} (*)`);
    return problems.length === 0 ? 'all, once, in order' : `all; ${problems.join(', ')}`;
  };
  const defaultRate = (store: StoreName) =>
    results.runs.find((r) => r.store === store && r.partitions === 'default')?.catchUp?.eventsPerSecond;
  const catchUpRows = results.runs.map((run) => {
    const f = run.catchUp;
    if (f === undefined)
      return [run.store, partitionsLabel(run.partitions), `FAILED: ${(run.error ?? '').split('\n')[0]}`];
    const rate = defaultRate(run.store);
    return [
      run.store,
      partitionsLabel(run.partitions),
      formatCount(f.events),
      formatFigure(f.firstEventAfterMs),
      formatFigure(f.seconds),
      formatCount(f.eventsPerSecond),
      formatFigure(f.runtimeCpuUsPerEvent),
      formatFigure(f.headCpuUsPerEvent),
      formatFigure(f.databaseServerCpuUsPerEvent),
      f.otherCpuCores.toFixed(2),
      rate === undefined ? '–' : `${(f.eventsPerSecond / rate).toFixed(2)}×`,
      checks(f),
      target(run, f),
    ];
  });
  lines.push('Catch-up: registration → last event given to the head');
  lines.push(
    formatTable(
      [
        'store',
        'partitions in flight',
        'events',
        'first event ms',
        'seconds',
        'events/s',
        'Runtime CPU µs/ev',
        'head CPU µs/ev',
        'PG server CPU µs/ev',
        'other CPU cores',
        '÷ default',
        'delivered',
        'target',
      ],
      catchUpRows,
    ),
  );
  lines.push('');

  const liveRows = results.runs.flatMap((run) => {
    const f = run.live;
    if (f === undefined) return [];
    return [
      [
        run.store,
        partitionsLabel(run.partitions),
        `${formatCount(f.arrived)}/${formatCount(f.sent)}`,
        formatFigure(f.p50Ms),
        formatFigure(f.p99Ms),
        formatFigure(f.maxMs),
        formatFigure(f.commitP50Ms),
        formatFigure(f.commitP99Ms),
        formatFigure(f.runtimeCpuUsPerEvent),
        f.otherCpuCores.toFixed(2),
        `p99 < ${catchUpTargets.liveP99Ms} ms ${f.p99Ms < catchUpTargets.liveP99Ms ? 'met' : 'MISSED'}`,
      ],
    ];
  });
  if (liveRows.length > 0) {
    lines.push(`Live: one-event Commits at ${settings.liveRate}/s; latency = Commit sent → event given to the head`);
    lines.push(
      formatTable(
        [
          'store',
          'partitions in flight',
          'arrived',
          'p50 ms',
          'p99 ms',
          'max ms',
          'Commit p50 ms',
          'Commit p99 ms',
          'Runtime CPU µs/ev',
          'other CPU cores',
          'target',
        ],
        liveRows,
      ),
    );
    lines.push('');
  }

  if (results.storeReads.length > 0) {
    lines.push('Baseline: the same events read straight from the store through its driver (Runtime stopped)');
    lines.push(
      formatTable(
        ['store', 'events', 'ms', 'events/s', 'catch-up (default) ÷ raw read', 'method'],
        results.storeReads.map((read) => {
          const rate = defaultRate(read.store);
          return [
            read.store,
            formatCount(read.events),
            formatFigure(read.milliseconds),
            formatCount(read.eventsPerSecond),
            rate === undefined ? '–' : `${(rate / read.eventsPerSecond).toFixed(2)}×`,
            read.method,
          ];
        }),
      ),
    );
    lines.push('');
  }
  const precommits = results.runs.filter((run) => run.precommit !== undefined);
  if (precommits.length > 0) {
    lines.push(
      `Pre-commit (not a target): ${precommits
        .map(
          (run) =>
            `${run.store}/${partitionsLabel(run.partitions)} ${formatCount(run.precommit?.eventsPerSecond)} events/s`,
        )
        .join(', ')}`,
    );
  }
  lines.push(
    'Runtime CPU: utime + stime of the Runtime process (/proc/<pid>/stat) over the window ÷ events; head CPU: this process (the head and the committing clients); PG server CPU: every postgres process.',
  );
  lines.push(
    "first event ms: registration → first event at the head. ÷ default: this run's events/s ÷ the default run's. other CPU cores: every other process meanwhile (near 0 on a quiet machine).",
  );
  const disconnected = results.runs.flatMap((run) =>
    [...(run.catchUp?.disconnects ?? []), ...(run.live?.disconnects ?? [])].map(
      (reason) => `${run.store}/${partitionsLabel(run.partitions)}: ${reason}`,
    ),
  );
  if (disconnected.length > 0) {
    lines.push(
      "(*) the Runtime ended the head's call; the head registered again after 1 s, as the SDK does (the time counts):",
    );
    for (const line of disconnected) lines.push(`    ${line}`);
  }
  const disturbed = results.runs.filter(
    (run) => (run.catchUp?.otherCpuCores ?? 0) > 0.25 || (run.live?.otherCpuCores ?? 0) > 0.25,
  );
  if (disturbed.length > 0) {
    lines.push(
      `WARNING: other processes used CPU during ${disturbed
        .map(
          (run) =>
            `${run.store}/${partitionsLabel(run.partitions)} (${[...(run.catchUp?.otherTop ?? []), ...(run.live?.otherTop ?? [])].join(', ')})`,
        )
        .join('; ')}: rerun on a quiet machine.`,
    );
  }
  const profiles = results.runs.filter((run) => run.profile !== undefined);
  for (const run of profiles) {
    lines.push(
      `profile (${run.store}/${partitionsLabel(run.partitions)}): node bench/dist/cpu-profile-summary.js ${run.profile} --per ${(run.catchUp?.events ?? 0) + (run.live?.sent ?? 0)} --top 30`,
    );
  }
  return lines.join('\n');
}

await runIfMain(import.meta.url, async (argv, benchDir) => {
  await runCatchUp(parseCatchUpOptions(argv, benchDir));
});
