/*
 * The scenarios, each against a running Runtime through lean clients. Every scenario warms up first, then measures
 * throughput, latency and the CPU of the Runtime, of this load generator and (on PostgreSQL) of the database server
 * over exactly the measured window.
 */
import { randomUUID } from 'node:crypto';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import { runClosedLoop } from '../support/closed-loop.js';
import { type CpuReading, withCpuWindow } from '../support/cpu-window.js';
import {
  type AggregateInstance,
  checkAggregateEventsResponse,
  checkCommitEventsResponse,
  commitAggregateEventsRequest,
  commitEventsTemplate,
  eventStorePaths,
  fetchForAggregateRequest,
  type RequestTemplate,
  verifyCommitEventsResponse,
} from '../support/event-store-wire.js';
import { type GroupCommitCounters, type GroupCommitStats, groupCommitBetween } from '../support/group-commit-stats.js';
import type { Latencies } from '../support/latencies.js';
import { processRssMiB } from '../support/process-cpu.js';
import type { UnaryClient } from '../support/unary-client.js';
import type { Sizes, StoreName } from './options.js';

export type ScenarioKey = 'a' | 'b' | 'c' | 'a-empty-log' | 'a-full-log';

export interface ScenarioFigure {
  readonly key: ScenarioKey;
  readonly scenario: string;
  readonly store: StoreName;
  readonly calls: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly callsPerSecond: number;
  /** Per call. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly runtimeCpuUsPerEvent: number;
  readonly loadGeneratorCpuUsPerEvent: number;
  readonly databaseServerCpuUsPerEvent: number | undefined;
  /**
   * Cores' worth of CPU all other processes (kernel threads included) used during the measurement. Near 0 on a
   * quiet machine; above 0.25 the figures are disturbed.
   */
  readonly otherCpuCores: number;
  /** The other processes that used the most CPU during the measurement. */
  readonly otherTop: readonly string[];
  /** What the Runtime's group committer did meanwhile (no transactions for a fetch). */
  readonly groupCommit: GroupCommitStats;
  /** The Runtime's resident memory at the end of the measurement. */
  readonly runtimeRssMiB: number | undefined;
  /** Events in the log when the measurement started. */
  readonly logEventsAtStart: number;
}

/** One Runtime under test and the clients connected to it. */
export interface Session {
  readonly store: StoreName;
  readonly runtimePid: number;
  /** Each on its own connection; scenarios use the first n. */
  readonly clients: readonly UnaryClient[];
  readonly sizes: Sizes;
  /** Events committed to the main tenant's log so far (every commit is checked, so this is exact). */
  loggedEvents: number;
  /** Events committed (to any tenant) or fetched so far: what a profile's time is divided by. */
  eventsHandled: number;
  /** A second tenant whose log nothing but the empty-log measurement writes to. */
  readonly emptyLogTenant: string;
  /** Called as each measurement starts (after its warm-up), e.g. to start the Runtime's CPU profiler. */
  readonly onMeasure?: () => void;
  /** Reads the Runtime's group-commit counters for a tenant (from its metrics endpoint). */
  readonly groupCommit: (tenant: string) => Promise<GroupCommitCounters>;
}

interface Measured<T> {
  readonly result: T;
  readonly cpu: CpuReading;
  readonly groupCommit: GroupCommitStats;
}

/** Runs `work` as a measurement: CPU of every party and the Runtime's group-commit counters around it. */
async function measure<T>(session: Session, tenant: string, work: () => Promise<T>): Promise<Measured<T>> {
  session.onMeasure?.();
  const before = await session.groupCommit(tenant);
  const { result, cpu } = await withCpuWindow(
    { runtimePid: session.runtimePid, postgresServer: session.store === 'postgres' },
    work,
  );
  const after = await session.groupCommit(tenant);
  return { result, cpu, groupCommit: groupCommitBetween(before, after) };
}

function figure(
  session: Session,
  key: ScenarioKey,
  scenario: string,
  {
    result: run,
    cpu,
    groupCommit,
  }: Measured<{ calls: number; events: number; elapsedMs: number; latencies: Latencies }>,
  logEventsAtStart: number,
): ScenarioFigure {
  const latency = run.latencies.summary();
  return {
    key,
    scenario,
    store: session.store,
    calls: run.calls,
    events: run.events,
    elapsedMs: run.elapsedMs,
    eventsPerSecond: (run.events / run.elapsedMs) * 1000,
    callsPerSecond: (run.calls / run.elapsedMs) * 1000,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    maxMs: latency.max,
    runtimeCpuUsPerEvent: (cpu.runtimeSeconds * 1e6) / run.events,
    loadGeneratorCpuUsPerEvent: (cpu.loadGeneratorSeconds * 1e6) / run.events,
    databaseServerCpuUsPerEvent:
      cpu.databaseServerSeconds === undefined ? undefined : (cpu.databaseServerSeconds * 1e6) / run.events,
    otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
    otherTop: cpu.otherTop,
    groupCommit,
    runtimeRssMiB: processRssMiB(session.runtimePid),
    logEventsAtStart,
  };
}

/**
 * `clients` workers each committing `eventsPerCommit`-event `Commit`s back to back. Every response is scanned
 * (no failure, right event count); one in 1,000 per worker is decoded in full and checked.
 */
async function commitLoad(
  session: Session,
  key: ScenarioKey,
  scenario: string,
  clients: number,
  eventsPerCommit: number,
  tenant: string = developmentTenant,
): Promise<ScenarioFigure> {
  if (session.clients.length < clients)
    throw new Error(`the session has ${session.clients.length} clients, ${clients} needed`);
  const templates: RequestTemplate[] = Array.from({ length: clients }, () =>
    commitEventsTemplate(eventsPerCommit, tenant),
  );
  // The main tenant's events are counted in the session; the second tenant's log holds only what this run writes.
  const main = tenant === developmentTenant;
  let written = 0;
  const counters = new Array<number>(clients).fill(0);
  const call = async (worker: number) => {
    const n = counters[worker] as number;
    counters[worker] = n + 1;
    const request = (templates[worker] as RequestTemplate).stamp(n);
    const response = await (session.clients[worker] as UnaryClient).unary(eventStorePaths.commit, request);
    if (n % 1000 === 0) verifyCommitEventsResponse(request, response);
    else checkCommitEventsResponse(response, eventsPerCommit);
    written += eventsPerCommit;
    session.eventsHandled += eventsPerCommit;
    if (main) session.loggedEvents += eventsPerCommit;
    return eventsPerCommit;
  };
  await runClosedLoop({ workers: clients, durationMs: session.sizes.warmupMs, call });
  const logEventsAtStart = main ? session.loggedEvents : written;
  const measured = await measure(session, tenant, () =>
    runClosedLoop({ workers: clients, durationMs: session.sizes.durationMs, call }),
  );
  return figure(session, key, scenario, measured, logEventsAtStart);
}

/**
 * (a) 32 concurrent clients committing 1 event each: to the main tenant's log as it is (`a`, a fresh log when it is
 * the first scenario; `a-full-log` once it has been filled), or to the second tenant's log, empty but for what
 * this measurement and its warm-up write (`a-empty-log`).
 */
export function singleEventCommits(
  session: Session,
  key: 'a' | 'a-empty-log' | 'a-full-log' = 'a',
): Promise<ScenarioFigure> {
  const clients = session.sizes.singleEventClients;
  const title = `(a) Commit, ${clients} clients × 1 event`;
  switch (key) {
    case 'a':
      return commitLoad(session, key, `${title}${session.loggedEvents === 0 ? ', fresh log' : ''}`, clients, 1);
    case 'a-empty-log':
      return commitLoad(session, key, `${title}, empty log (2nd tenant)`, clients, 1, session.emptyLogTenant);
    case 'a-full-log':
      return commitLoad(
        session,
        key,
        `${title}, log ≥ ${session.sizes.fullLogEvents.toLocaleString('en-US')} events`,
        clients,
        1,
      );
  }
}

/** (b) 4 clients committing 100-event batches. */
export function batchedCommits(session: Session): Promise<ScenarioFigure> {
  const { batchClients, batchSize } = session.sizes;
  return commitLoad(session, 'b', `(b) Commit, ${batchClients} clients × ${batchSize} events`, batchClients, batchSize);
}

/**
 * (c) FetchForAggregate of an aggregate root instance with 10,000 events (written first with CommitForAggregate in
 * batches), one fetch at a time, timed until the whole response has arrived.
 */
export async function fetchForAggregate(session: Session): Promise<ScenarioFigure> {
  const { aggregateEvents, aggregateCommitSize, fetchRepeats } = session.sizes;
  const client = session.clients[0] as UnaryClient;
  const aggregate: AggregateInstance = { aggregateRootId: randomUUID(), eventSourceId: randomUUID() };
  for (let version = 0; version < aggregateEvents; version += aggregateCommitSize) {
    const count = Math.min(aggregateCommitSize, aggregateEvents - version);
    const response = await client.unary(
      eventStorePaths.commitForAggregate,
      commitAggregateEventsRequest(aggregate, version, count),
    );
    const committed = checkAggregateEventsResponse(response);
    if (committed.events !== count || committed.aggregateRootVersion !== version + count - 1) {
      throw new Error(
        `CommitForAggregate at version ${version}: expected ${count} events and aggregateRootVersion ${version + count - 1}, got ${committed.events} and ${committed.aggregateRootVersion}`,
      );
    }
    session.loggedEvents += count;
    session.eventsHandled += count;
  }
  const request = fetchForAggregateRequest(aggregate);
  const fetchOnce = async () => {
    const fetched = checkAggregateEventsResponse(await client.unary(eventStorePaths.fetchForAggregate, request));
    if (fetched.events !== aggregateEvents || fetched.aggregateRootVersion !== aggregateEvents - 1) {
      throw new Error(
        `FetchForAggregate: expected ${aggregateEvents} events and aggregateRootVersion ${aggregateEvents - 1}, got ${fetched.events} and ${fetched.aggregateRootVersion}`,
      );
    }
    session.eventsHandled += fetched.events;
    return fetched.events;
  };
  await runClosedLoop({ workers: 1, maxCalls: 2, call: fetchOnce });
  const logEventsAtStart = session.loggedEvents;
  const fetches = await measure(session, developmentTenant, () =>
    runClosedLoop({ workers: 1, maxCalls: fetchRepeats, call: fetchOnce }),
  );
  const measured = figure(
    session,
    'c',
    `(c) FetchForAggregate of ${aggregateEvents.toLocaleString('en-US')} events, 1 client`,
    fetches,
    logEventsAtStart,
  );
  // Throughput here is the rate one fetch delivers events at: events ÷ median fetch time.
  return { ...measured, eventsPerSecond: (aggregateEvents / measured.p50Ms) * 1000 };
}

/** Commits big batches until the log holds `target` events (not measured). Returns how long it took. */
export async function fillLog(session: Session, target: number): Promise<{ events: number; elapsedMs: number }> {
  const { fillBatchSize, fillClients } = session.sizes;
  const missing = target - session.loggedEvents;
  if (missing <= 0) return { events: 0, elapsedMs: 0 };
  const template = commitEventsTemplate(fillBatchSize);
  const calls = Math.ceil(missing / fillBatchSize);
  let n = 0;
  const run = await runClosedLoop({
    workers: Math.min(fillClients, session.clients.length),
    maxCalls: calls,
    call: async (worker) => {
      const response = await (session.clients[worker] as UnaryClient).unary(
        eventStorePaths.commit,
        template.stamp(n++),
      );
      checkCommitEventsResponse(response, fillBatchSize);
      session.loggedEvents += fillBatchSize;
      session.eventsHandled += fillBatchSize;
      return fillBatchSize;
    },
  });
  return { events: run.events, elapsedMs: run.elapsedMs };
}

/** Latencies of (a) at the full log over those at the empty log (the second tenant's). */
export interface LogSizeComparison {
  readonly store: StoreName;
  readonly emptyLog: { readonly events: number; readonly p50Ms: number; readonly p99Ms: number };
  readonly fullLog: { readonly events: number; readonly p50Ms: number; readonly p99Ms: number };
  readonly p50Ratio: number;
  readonly p99Ratio: number;
  readonly fill: { readonly events: number; readonly elapsedMs: number };
}

export function compareLogSizes(
  empty: ScenarioFigure,
  full: ScenarioFigure,
  fill: { events: number; elapsedMs: number },
): LogSizeComparison {
  return {
    store: full.store,
    emptyLog: { events: empty.logEventsAtStart, p50Ms: empty.p50Ms, p99Ms: empty.p99Ms },
    fullLog: { events: full.logEventsAtStart, p50Ms: full.p50Ms, p99Ms: full.p99Ms },
    p50Ratio: full.p50Ms / empty.p50Ms,
    p99Ratio: full.p99Ms / empty.p99Ms,
    fill,
  };
}
