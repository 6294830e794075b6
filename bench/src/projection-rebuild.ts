#!/usr/bin/env node
/*
 * Projection rebuild benchmark. For each store, a Runtime process on a fresh store:
 *
 *   1. --events events (100,000) are committed over gRPC (100-event Commits, 4 clients), each with a `key` property
 *      taking --keys values (10,000) in turn, so every key gets events ÷ keys events;
 *   2. build: a bare projection head (projection-head.ts) registers a projection keyed by that property and answers
 *      every event at once with replace{state}; timed from the registration request until GetOne of the last
 *      event's key shows that event (the read model is written and readable), with the Runtime's CPU meanwhile;
 *   3. GetAll: all read models through Projections.GetAll, the response decoded in full with the contract classes,
 *      --getall-calls times (20) one after the other after 2 unmeasured; every call must return every key with
 *      count = events ÷ keys;
 *   4. rebuild: the head reconnects with a changed initial state, which makes the Runtime rebuild into a new
 *      generation while readers keep the old one; timed like (2) until GetOne shows the new generation's last
 *      event. Meanwhile GetAll is called every second: each call must return all keys, complete, from one
 *      generation (the old one until the switch).
 *
 * Baseline, same run: the store's raw read of the same events through its driver, the Runtime stopped.
 *
 *   node bench/dist/projection-rebuild.js [--store sqlite|postgres|all] [--quick] [--events N] [--keys N]
 *                                         [--getall-calls N] [--profile DIR] [--out FILE]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import artifactPb from '@dolittle/contracts/Artifacts/Artifact_pb.js';
import eventStorePb from '@dolittle/runtime.contracts/Events/EventStore_pb.js';
import uncommittedPb from '@dolittle/runtime.contracts/Events/Uncommitted_pb.js';
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
import { callRequestContext, uuidOf } from './catch-up-wire.js';
import {
  checkReplaceEncoding,
  ProjectionHead,
  ProjectionStoreClient,
  parseReadModel,
  type ReadModels,
} from './projection-head.js';
import { runClosedLoop } from './support/closed-loop.js';
import { withCpuWindow } from './support/cpu-window.js';
import { benchEventTypeId, checkCommitEventsResponse, eventStorePaths } from './support/event-store-wire.js';
import { Latencies, type LatencySummary } from './support/latencies.js';
import { describeMachine, type Machine } from './support/machine.js';
import { runIfMain } from './support/main-module.js';
import { formatCount, formatFigure, formatTable } from './support/table.js';
import { connectClients, type UnaryClient } from './support/unary-client.js';

const { Artifact } = artifactPb;
const { CommitEventsRequest } = eventStorePb;
const { UncommittedEvent } = uncommittedPb;

const benchmark = 'projection-rebuild';

/** The issue's targets, for a 2-core machine. */
export const projectionTargets = {
  /** Build and rebuild, with a head answering at once, on both stores. */
  eventsPerSecond: 20_000,
  /** GetAll of 10,000 read models. */
  getAllMs: 100,
} as const;

export interface ProjectionRebuildOptions {
  readonly stores: readonly StoreName[];
  readonly quick: boolean;
  readonly events: number;
  readonly keys: number;
  readonly sources: number;
  readonly batch: number;
  readonly committers: number;
  readonly getAllCalls: number;
  readonly probeIntervalMs: number;
  readonly profileDir: string | undefined;
  readonly out: string;
  readonly command: string;
}

const usage = `node bench/dist/projection-rebuild.js [--store sqlite|postgres|all] [--quick] [--events N] [--keys N]
    [--getall-calls N] [--profile DIR] [--out FILE]

  --events        events committed before the projection connects (default 100,000; quick 20,000)
  --keys          distinct values of their key property = read models (default 10,000, quick too)
  --getall-calls  measured GetAll calls on the built projection (default 20; quick 10)
  --profile       run the Runtime under the CPU profiler from the first registration on; .cpuprofile files into
                  DIR (figures from a profiled run are not to be quoted)
  --out           the JSON results file (default bench/results/projection-rebuild.json)`;

/** Parses the flags; an unknown one is refused. */
export function parseProjectionRebuildOptions(argv: readonly string[], benchDir: string): ProjectionRebuildOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string' },
      quick: { type: 'boolean', default: false },
      events: { type: 'string' },
      keys: { type: 'string' },
      'getall-calls': { type: 'string' },
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
    const parsed = Math.round(Number(given));
    if (!(parsed > 0)) throw new Error(`--${name} must be a positive number, not "${given}"\n${usage}`);
    return parsed;
  };
  const quick = values.quick === true;
  const batch = 100;
  const events = Math.round(positive('events', values.events, quick ? 20_000 : 100_000) / batch) * batch;
  const keys = positive('keys', values.keys, 10_000);
  if (keys > events) throw new Error(`--keys (${keys}) cannot exceed --events (${events})`);
  return {
    stores: parseStores(text(values.store)),
    quick,
    events,
    keys,
    sources: 1_000,
    batch,
    committers: 4,
    getAllCalls: positive('getall-calls', values['getall-calls'], quick ? 10 : 20),
    probeIntervalMs: 1_000,
    profileDir: text(values.profile) === undefined ? undefined : resolve(text(values.profile) as string),
    out: resolve(text(values.out) ?? join(benchDir, 'results', 'projection-rebuild.json')),
    command: `node bench/dist/projection-rebuild.js ${argv.join(' ')}`.trim(),
  };
}

export type BuildPhase = 'build' | 'rebuild';

export interface BuildFigure {
  readonly phase: BuildPhase;
  readonly events: number;
  readonly keys: number;
  /** Registration attempts refused before one was accepted (the old head's registration still held). */
  readonly refusedRegistrations: number;
  readonly registeredAfterMs: number;
  /** Registration request → the head answered the last event. */
  readonly headDoneSeconds: number;
  /** Registration request → GetOne shows the last event's read model (written, and the generation readers see). */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly requests: number;
  readonly retries: number;
  readonly unexpectedStates: number;
  readonly runtimeCpuUsPerEvent: number;
  readonly headCpuUsPerEvent: number;
  readonly databaseServerCpuUsPerEvent: number | undefined;
  readonly otherCpuCores: number;
  readonly otherTop: readonly string[];
}

export interface GetAllFigure {
  readonly when: 'built' | 'during rebuild';
  readonly calls: number;
  readonly latency: LatencySummary;
  readonly readModels: number;
  readonly kibibytes: number;
  /** Calls that returned every key, each complete (count = events ÷ keys), all of one generation. */
  readonly complete: number;
  /** Calls that saw the old generation (v1) and the new one (v2). */
  readonly oldGeneration: number;
  readonly newGeneration: number;
  readonly problems: readonly string[];
}

export interface StoreResult {
  readonly store: StoreName;
  readonly location: string;
  readonly precommit?: { readonly events: number; readonly seconds: number; readonly eventsPerSecond: number };
  readonly builds: readonly BuildFigure[];
  readonly getAll: readonly GetAllFigure[];
  readonly storeRead?: StoreReadFigure;
  readonly profile?: string;
  readonly error?: string;
}

export interface ProjectionRebuildResults {
  readonly benchmark: 'projection-rebuild';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly versions: Versions;
  readonly settings: {
    readonly events: number;
    readonly keys: number;
    readonly eventSources: number;
    readonly commitBatch: number;
    readonly getAllCalls: number;
    readonly probeIntervalMs: number;
    readonly projection: string;
  };
  readonly targets: typeof projectionTargets;
  readonly stores: readonly StoreResult[];
}

const keyProperty = 'key';
const initialStates = { build: '{"count":0}', rebuild: '{"count":0,"v":2}' } as const;

export async function runProjectionRebuild(options: ProjectionRebuildOptions): Promise<ProjectionRebuildResults> {
  checkReplaceEncoding();
  const startedAt = new Date();
  const stores: StoreResult[] = [];
  for (const store of options.stores) stores.push(await runOnStore(store, options));
  const results: ProjectionRebuildResults = {
    benchmark: 'projection-rebuild',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command,
    quick: options.quick,
    machine: describeMachine(),
    versions: await benchVersions(options.stores),
    settings: {
      events: options.events,
      keys: options.keys,
      eventSources: options.sources,
      commitBatch: options.batch,
      getAllCalls: options.getAllCalls,
      probeIntervalMs: options.probeIntervalMs,
      projection: `one event type, key from the event property "${keyProperty}", default scope; the head answers every event at once with replace{~35-byte JSON}`,
    },
    targets: projectionTargets,
    stores,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatProjectionReport(results));
  console.log(`\nJSON: ${options.out}`);
  if (stores.some((store) => store.error !== undefined)) process.exitCode = 1;
  return results;
}

const keyOf = (n: number) => `k${String(n).padStart(5, '0')}`;

async function runOnStore(store: StoreName, options: ProjectionRebuildOptions): Promise<StoreResult> {
  progress(benchmark, `${store}: starting a Runtime on a fresh store`);
  const bench = await startBenchRuntime({
    store,
    profileDir: options.profileDir && join(options.profileDir, store),
  });
  let result: StoreResult = { store, location: bench.location, builds: [], getAll: [] };
  let clients: UnaryClient[] = [];
  const heads: ProjectionHead[] = [];
  let reader: ProjectionStoreClient | undefined;
  try {
    clients = await connectClients(bench.address, options.committers);
    const precommit = await commitKeyedEvents(clients, options);
    result = { ...result, precommit };
    progress(
      benchmark,
      `${store}: committed ${formatCount(precommit.events)} events in ${precommit.seconds.toFixed(1)} s (${formatCount(precommit.eventsPerSecond)}/s)`,
    );
    for (const client of clients) client.close();
    clients = [];

    const projectionId = randomUUID();
    reader = new ProjectionStoreClient(bench.address, projectionId);
    await reader.ready();
    const headFor = (phase: BuildPhase) => {
      const head = new ProjectionHead({
        address: bench.address,
        projectionId,
        eventTypeId: benchEventTypeId,
        keyProperty,
        initialState: initialStates[phase],
        version: phase === 'build' ? 1 : 2,
      });
      heads.push(head);
      return head;
    };

    const firstHead = headFor('build');
    const build = await measureBuild(bench, firstHead, reader, options, 'build');
    result = { ...result, builds: [build] };
    announce(store, build);
    const built = await measureGetAll(reader, options);
    result = { ...result, getAll: [built] };
    progress(
      benchmark,
      `${store}: GetAll of ${formatCount(built.readModels)}: p50 ${formatFigure(built.latency.p50)} ms, p99 ${formatFigure(built.latency.p99)} ms`,
    );

    firstHead.close();
    const during = new GetAllProbe(reader, options);
    const rebuild = await measureBuild(bench, headFor('rebuild'), reader, options, 'rebuild', during);
    result = { ...result, builds: [build, rebuild], getAll: [built, during.figure()] };
    announce(store, rebuild);
    const after = checkReadModels(await reader.getAll(), options, 2);
    if (after.length > 0) throw new Error(`after the rebuild: ${after.join('; ')}`);

    for (const head of heads) head.close();
    reader.close();
    reader = undefined;
    const profile = await bench.stop();
    if (profile !== undefined) result = { ...result, profile };
    const storeRead = await bench.readEventLog(options.events, 1_000);
    result = { ...result, storeRead };
    progress(benchmark, `${store}: raw read of the log: ${formatCount(storeRead.eventsPerSecond)} events/s`);
  } catch (error) {
    progress(benchmark, `${store}: FAILED: ${(error as Error).stack ?? String(error)}`);
    progress(benchmark, await bench.describeFailure());
    result = { ...result, error: (error as Error).message };
  } finally {
    for (const head of heads) head.close();
    reader?.close();
    for (const client of clients) client.close();
    await bench.dispose();
  }
  return result;
}

function announce(store: StoreName, figure: BuildFigure): void {
  progress(
    benchmark,
    `${store}: ${figure.phase}: ${formatCount(figure.events)} events in ${figure.seconds.toFixed(2)} s: ${formatCount(figure.eventsPerSecond)} events/s, Runtime ${formatFigure(figure.runtimeCpuUsPerEvent)} µs/event`,
  );
}

/** Event `i` (in the order built, not necessarily the log's) has key `keyOf(i mod keys)`, event source `i mod sources`. */
async function commitKeyedEvents(clients: readonly UnaryClient[], options: ProjectionRebuildOptions) {
  const sources = Array.from({ length: options.sources }, () => uuidOf(randomUUID()));
  const type = new Artifact().setId(uuidOf(benchEventTypeId)).setGeneration(1);
  const request = (call: number): Buffer => {
    const events = Array.from({ length: options.batch }, (_, offset) => {
      const i = call * options.batch + offset;
      return new UncommittedEvent()
        .setArtifact(type)
        .setEventsourceid(sources[i % sources.length])
        .setPublic(false)
        .setContent(
          `{"${keyProperty}":"${keyOf(i % options.keys)}","dish":"Bean Blaster Taco","chef":"Mr. Taco","order":${i}}`,
        );
    });
    return Buffer.from(
      new CommitEventsRequest().setCallcontext(callRequestContext()).setEventsList(events).serializeBinary(),
    );
  };
  let next = 0;
  const result = await runClosedLoop({
    workers: clients.length,
    maxCalls: options.events / options.batch,
    call: async (worker) => {
      const response = await (clients[worker] as UnaryClient).unary(eventStorePaths.commit, request(next++));
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

async function measureBuild(
  bench: BenchRuntime,
  head: ProjectionHead,
  reader: ProjectionStoreClient,
  options: ProjectionRebuildOptions,
  phase: BuildPhase,
  probe?: GetAllProbe,
): Promise<BuildFigure> {
  const { events } = options;
  const last = events - 1;
  const version = phase === 'build' ? 1 : 2;
  let started = 0;
  let registeredAt = 0;
  let refused = 0;
  let caughtUpAt = 0;
  const report = setInterval(() => {
    progress(benchmark, `${bench.store}: ${phase}: at event ${formatCount(head.lastSequenceNumber)}`);
  }, 10_000);
  try {
    const { cpu } = await withCpuWindow(
      { runtimePid: bench.runtime.pid, postgresServer: bench.store === 'postgres' },
      async () => {
        bench.startProfiling();
        // A new head is refused while the Runtime still holds the previous one's registration: try again, as the
        // SDK does, and time from the attempt that was accepted.
        for (;;) {
          started = performance.now();
          try {
            await head.register();
            break;
          } catch (error) {
            if (++refused > 50 || !/already registered/.test((error as Error).message)) throw error;
            await sleep(100);
          }
        }
        registeredAt = performance.now();
        probe?.start();
        await head.waitForSequenceNumber(last, Math.max(180_000, events * 5));
        // The head has answered the last event; poll until readers see its read model.
        const lastKey = head.lastKey;
        for (const deadline = performance.now() + 60_000; ; ) {
          const model = parseReadModel(await reader.getOne(lastKey));
          if (model !== undefined && model.v === version && model.last === last) break;
          if (performance.now() > deadline)
            throw new Error(`${phase}: GetOne(${lastKey}) did not show event ${last} within 60 s of the head`);
          await sleep(2);
        }
        caughtUpAt = performance.now();
        await probe?.stop();
      },
    );
    const seconds = (caughtUpAt - started) / 1000;
    const perEvent = (cpuSeconds: number) => (cpuSeconds * 1e6) / events;
    return {
      phase,
      events,
      keys: options.keys,
      refusedRegistrations: refused,
      registeredAfterMs: registeredAt - started,
      headDoneSeconds: (head.lastRequestAt - started) / 1000,
      seconds,
      eventsPerSecond: events / seconds,
      requests: head.requests,
      retries: head.retries,
      unexpectedStates: head.unexpectedStates,
      runtimeCpuUsPerEvent: perEvent(cpu.runtimeSeconds),
      headCpuUsPerEvent: perEvent(cpu.loadGeneratorSeconds),
      databaseServerCpuUsPerEvent:
        cpu.databaseServerSeconds === undefined ? undefined : perEvent(cpu.databaseServerSeconds),
      otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
      otherTop: cpu.otherTop,
    };
  } finally {
    clearInterval(report);
    await probe?.stop();
  }
}

/** What is wrong with a GetAll answer: missing keys, incomplete read models, mixed generations. */
function checkReadModels(
  readModels: ReadModels,
  options: ProjectionRebuildOptions,
  ...versions: readonly number[]
): string[] {
  const problems: string[] = [];
  if (readModels.states.size !== options.keys)
    problems.push(`${readModels.states.size} read models, not ${options.keys}`);
  const perKey = (n: number) => Math.floor(options.events / options.keys) + (n < options.events % options.keys ? 1 : 0);
  const seen = new Set<number>();
  let wrong = 0;
  for (let n = 0; n < options.keys; n++) {
    const state = readModels.states.get(keyOf(n));
    const model = state === undefined ? undefined : parseReadModel(state);
    if (model === undefined || model.count !== perKey(n) || !versions.includes(model.v)) wrong++;
    else seen.add(model.v);
  }
  if (wrong > 0) problems.push(`${wrong} read models missing or not counting every event of their key`);
  if (seen.size > 1) problems.push(`read models of generations ${[...seen].join(' and ')} in one answer`);
  return problems;
}

function generationOf(readModels: ReadModels): number | undefined {
  const first = readModels.states.values().next().value;
  return first === undefined ? undefined : parseReadModel(first)?.v;
}

/** GetAll on the built projection, one call after the other, every answer checked. */
async function measureGetAll(reader: ProjectionStoreClient, options: ProjectionRebuildOptions): Promise<GetAllFigure> {
  for (let n = 0; n < 2; n++) await reader.getAll();
  const latencies = new Latencies();
  const problems = new Set<string>();
  let complete = 0;
  let bytes = 0;
  let readModels = 0;
  for (let n = 0; n < options.getAllCalls; n++) {
    const sent = performance.now();
    const answer = await reader.getAll();
    latencies.record(performance.now() - sent);
    const found = checkReadModels(answer, options, 1);
    if (found.length === 0) complete++;
    for (const problem of found) problems.add(problem);
    bytes = answer.bytes;
    readModels = answer.states.size;
  }
  return {
    when: 'built',
    calls: latencies.count,
    latency: latencies.summary(),
    readModels,
    kibibytes: bytes / 1024,
    complete,
    oldGeneration: complete,
    newGeneration: 0,
    problems: [...problems],
  };
}

/** GetAll every `probeIntervalMs` while a rebuild runs: readers must keep seeing one complete generation. */
class GetAllProbe {
  readonly #reader: ProjectionStoreClient;
  readonly #options: ProjectionRebuildOptions;
  readonly #latencies = new Latencies();
  readonly #problems = new Set<string>();
  #complete = 0;
  #old = 0;
  #new = 0;
  #bytes = 0;
  #readModels = 0;
  #running: Promise<void> | undefined;
  #stop = new AbortController();

  constructor(reader: ProjectionStoreClient, options: ProjectionRebuildOptions) {
    this.#reader = reader;
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  figure(): GetAllFigure {
    return {
      when: 'during rebuild',
      calls: this.#latencies.count,
      latency: this.#latencies.summary(),
      readModels: this.#readModels,
      kibibytes: this.#bytes / 1024,
      complete: this.#complete,
      oldGeneration: this.#old,
      newGeneration: this.#new,
      problems: [...this.#problems],
    };
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal;
    // The first call soon after the registration, so even a short rebuild is probed.
    await sleep(100, undefined, { signal }).catch(() => {});
    while (!signal.aborted) {
      const sent = performance.now();
      try {
        const answer = await this.#reader.getAll();
        this.#latencies.record(performance.now() - sent);
        const found = checkReadModels(answer, this.#options, 1, 2);
        if (found.length === 0) this.#complete++;
        for (const problem of found) this.#problems.add(problem);
        if (generationOf(answer) === 2) this.#new++;
        else this.#old++;
        this.#bytes = answer.bytes;
        this.#readModels = answer.states.size;
      } catch (error) {
        this.#problems.add(`GetAll failed: ${(error as Error).message}`);
      }
      await sleep(this.#options.probeIntervalMs, undefined, { signal }).catch(() => {});
    }
  }
}

export function formatProjectionReport(results: ProjectionRebuildResults): string {
  const { machine, settings } = results;
  const lines: string[] = [];
  lines.push(`Projection rebuild — ${results.startedAt}${results.quick ? ' (quick)' : ''}`);
  lines.push(`command:    ${results.command}`);
  lines.push(
    `machine:    ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Linux ${machine.kernel}`,
  );
  lines.push(describeVersions(results.versions));
  lines.push(
    `settings:   ${formatCount(settings.events)} events, ${formatCount(settings.keys)} keys (read models), ${formatCount(settings.eventSources)} event sources, committed first in ${settings.commitBatch}-event Commits; ${settings.projection}`,
  );
  lines.push('            Runtime: default settings, log level warn, metrics on');
  lines.push('');

  const buildRows = results.stores.flatMap((store) => {
    if (store.builds.length === 0) return [[store.store, `FAILED: ${(store.error ?? '').split('\n')[0]}`]];
    const rows = store.builds.map((f) => [
      store.store,
      f.phase === 'build' ? 'build (new projection)' : 'rebuild (initial state changed)',
      formatCount(f.events),
      formatCount(f.keys),
      formatFigure(f.registeredAfterMs),
      formatFigure(f.headDoneSeconds),
      formatFigure(f.seconds),
      formatCount(f.eventsPerSecond),
      formatFigure(f.runtimeCpuUsPerEvent),
      formatFigure(f.headCpuUsPerEvent),
      formatFigure(f.databaseServerCpuUsPerEvent),
      f.otherCpuCores.toFixed(2),
      f.retries + f.unexpectedStates === 0 ? 'ok' : `${f.retries} retries, ${f.unexpectedStates} unexpected states`,
      `≥ ${formatCount(projectionTargets.eventsPerSecond)}/s ${f.eventsPerSecond >= projectionTargets.eventsPerSecond ? 'met' : 'MISSED'}`,
    ]);
    if (store.error !== undefined) rows.push([store.store, `FAILED: ${store.error.split('\n')[0]}`]);
    return rows;
  });
  lines.push("Build and rebuild: registration → the last event's read model readable (GetOne)");
  lines.push(
    formatTable(
      [
        'store',
        'phase',
        'events',
        'keys',
        'registered ms',
        'head done s',
        'caught up s',
        'events/s',
        'Runtime CPU µs/ev',
        'head CPU µs/ev',
        'PG server CPU µs/ev',
        'other CPU cores',
        'head saw',
        'target',
      ],
      buildRows,
    ),
  );
  lines.push('');

  const getAllRows = results.stores.flatMap((store) =>
    store.getAll.map((f) => [
      store.store,
      f.when === 'built' ? 'built, idle' : 'during rebuild (1/s)',
      formatCount(f.calls),
      formatCount(f.readModels),
      formatFigure(f.kibibytes),
      formatFigure(f.latency.p50),
      formatFigure(f.latency.p99),
      formatFigure(f.latency.max),
      `${f.complete}/${f.calls}`,
      f.when === 'built' ? '–' : `${f.oldGeneration} old, ${f.newGeneration} new`,
      f.when === 'built'
        ? `≤ ${projectionTargets.getAllMs} ms ${f.latency.p50 <= projectionTargets.getAllMs ? 'met' : 'MISSED'}`
        : '',
    ]),
  );
  if (getAllRows.length > 0) {
    lines.push('GetAll: every read model, response decoded in full with the contract classes');
    lines.push(
      formatTable(
        [
          'store',
          'when',
          'calls',
          'read models',
          'KiB',
          'p50 ms',
          'p99 ms',
          'max ms',
          'complete',
          'generation',
          'target (p50)',
        ],
        getAllRows,
      ),
    );
    const problems = results.stores.flatMap((store) =>
      store.getAll.flatMap((f) => f.problems.map((p) => `${store.store} ${f.when}: ${p}`)),
    );
    for (const problem of problems) lines.push(`PROBLEM: ${problem}`);
    lines.push('');
  }

  const reads = results.stores.filter((store) => store.storeRead !== undefined);
  if (reads.length > 0) {
    lines.push('Baseline: the same events read straight from the store through its driver (Runtime stopped)');
    lines.push(
      formatTable(
        ['store', 'events', 'ms', 'events/s', 'build ÷ raw read', 'rebuild ÷ raw read', 'method'],
        reads.map((store) => {
          const read = store.storeRead as StoreReadFigure;
          const ratio = (phase: BuildPhase) => {
            const f = store.builds.find((b) => b.phase === phase);
            return f === undefined ? '–' : `${(f.eventsPerSecond / read.eventsPerSecond).toFixed(2)}×`;
          };
          return [
            store.store,
            formatCount(read.events),
            formatFigure(read.milliseconds),
            formatCount(read.eventsPerSecond),
            ratio('build'),
            ratio('rebuild'),
            read.method,
          ];
        }),
      ),
    );
    lines.push('');
  }
  lines.push(
    'head done s: registration → the head answered the last event; caught up s: → GetOne of its key shows it (written, and for a rebuild, switched to). events/s = events ÷ caught up s.',
  );
  lines.push(
    'Runtime CPU: utime + stime of the Runtime process (/proc/<pid>/stat) over the window ÷ events; head CPU: this process (head, GetOne polling, GetAll probes); PG server CPU: every postgres process.',
  );
  lines.push(
    `complete: answers holding all ${formatCount(settings.keys)} keys, each counting every event of its key, all of one generation (old = before the rebuild's switch).`,
  );
  const disturbed = results.stores.flatMap((store) => store.builds.filter((f) => f.otherCpuCores > 0.25));
  if (disturbed.length > 0) {
    lines.push(
      `WARNING: other processes used CPU during ${disturbed.map((f) => `${f.phase} (${f.otherTop.join(', ')})`).join('; ')}: rerun on a quiet machine.`,
    );
  }
  for (const store of results.stores) {
    if (store.profile === undefined) continue;
    const events = store.builds.reduce((sum, f) => sum + f.events, 0);
    lines.push(
      `profile (${store.store}): node bench/dist/cpu-profile-summary.js ${store.profile} --per ${events} --top 30`,
    );
  }
  return lines.join('\n');
}

await runIfMain(import.meta.url, async (argv, benchDir) => {
  await runProjectionRebuild(parseProjectionRebuildOptions(argv, benchDir));
});
