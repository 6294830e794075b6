/*
 * Growth with the size of the log: one Runtime, warmed up first by commits to a second tenant's log, then the main
 * tenant's log filled step by step to each size (1,000-event Commits from 4 clients, not measured). At each size,
 * first catch-up, then commit latency:
 *
 *   - catch-up: `catchUpEvents` events of an event type of their own for this size are committed at the end of the
 *     log (100-event Commits over `catchUpSources` event sources), then a lean head registers a partitioned handler
 *     for that type only; timed from the registration to the head having been given the last of them. The handler
 *     starts at the beginning of the log, so the events before these are what it has to get past.
 *   - commit: `commitClients` clients × one-event Commits, closed loop, warm-up then a short window.
 *
 * The Runtime's RSS is read idle after start and sampled throughout (fill included) for the peak.
 */
import { randomUUID } from 'node:crypto';
import { type Guid, guidToBytes } from '@dolittle-ts/fundamentals';
import { CatchUpHead } from '../catch-up-head.js';
import { progress, type StoreName } from '../catch-up-setup.js';
import { runClosedLoop } from '../support/closed-loop.js';
import { withCpuWindow } from '../support/cpu-window.js';
import {
  benchEventTypeId,
  checkCommitEventsResponse,
  commitEventsTemplate,
  eventStorePaths,
  verifyCommitEventsResponse,
} from '../support/event-store-wire.js';
import { formatCount, formatFigure } from '../support/table.js';
import { connectClients, type UnaryClient } from '../support/unary-client.js';
import { type CommitWindowFigure, idleRssMiB, measureCommitWindow, RssSampler, withEventType } from './measure.js';
import type { GrowthSizes } from './options.js';
import { startGrowthRuntime } from './runtime.js';

export interface CatchUpAtSize {
  readonly events: number;
  readonly sources: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly runtimeCpuUsPerEvent: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly disconnects: readonly string[];
  readonly otherCpuCores: number;
  readonly otherTop: readonly string[];
}

export interface LogSizeLevel {
  /** The size asked for. */
  readonly target: number;
  /** Events in the log when the catch-up events were added (the fill may overshoot by less than a Commit). */
  readonly logEventsBeforeCatchUp: number;
  /** Events in the log when the commit warm-up started. */
  readonly logEventsBeforeCommits: number;
  readonly fill: { readonly events: number; readonly seconds: number } | undefined;
  readonly catchUp?: CatchUpAtSize;
  readonly commit?: CommitWindowFigure;
  readonly error?: string;
}

export interface LogSizeResults {
  readonly store: StoreName;
  readonly location: string;
  readonly idleRssMiB: number | undefined;
  /** The highest RSS seen from start to the last measurement (fill, catch-up and commits). */
  readonly peakRssMiB: number | undefined;
  readonly levels: readonly LogSizeLevel[];
  readonly error?: string;
}

export async function measureLogSizes(store: StoreName, sizes: GrowthSizes): Promise<LogSizeResults> {
  progress('growth', `${store}: log sizes: starting a Runtime on a fresh store`);
  // The second tenant only takes the warm-up, so the main log starts empty and the first size is measured warm.
  const runtime = await startGrowthRuntime(store, 2);
  const pid = runtime.runtime.pid;
  const levels: LogSizeLevel[] = [];
  let idle: number | undefined;
  let sampler: RssSampler | undefined;
  let clients: UnaryClient[] = [];
  try {
    idle = await idleRssMiB(pid, sizes.idleSettleMs);
    sampler = new RssSampler(pid);
    clients = await connectClients(runtime.address, Math.max(sizes.commitClients, sizes.fillClients));
    let logged = 0;
    const fillTemplate = commitEventsTemplate(sizes.fillBatch);
    const commitTemplate = commitEventsTemplate(1);
    const warmupTemplate = commitEventsTemplate(1, runtime.tenants[1]);
    let warmups = 0;
    await measureCommitWindow({
      runtimePid: pid,
      postgres: store === 'postgres',
      clients: clients.slice(0, sizes.commitClients),
      request: () => warmupTemplate.stamp(warmups++),
      warmupMs: sizes.processWarmupMs,
      windowMs: 1,
    });
    for (const target of sizes.logSizes) {
      const fill = target > logged ? await fillLog(clients, sizes, target - logged, fillTemplate) : undefined;
      if (fill !== undefined) {
        logged += fill.events;
        progress(
          'growth',
          `${store}: filled to ${formatCount(logged)} events (${formatCount(fill.events / fill.seconds)} events/s)`,
        );
      }
      const level: { -readonly [K in keyof LogSizeLevel]: LogSizeLevel[K] } = {
        target,
        logEventsBeforeCatchUp: logged,
        logEventsBeforeCommits: logged,
        fill,
      };
      levels.push(level);
      try {
        level.catchUp = await catchUpAtSize(runtime.address, pid, store, clients, sizes, logged);
        logged += sizes.catchUpEvents;
        progress(
          'growth',
          `${store}: log ${formatCount(level.logEventsBeforeCatchUp)}: caught up ${formatCount(level.catchUp.events)} events at ${formatCount(level.catchUp.eventsPerSecond)}/s`,
        );
        level.logEventsBeforeCommits = logged;
        let next = 0;
        const commits = await measureCommitWindow({
          runtimePid: pid,
          postgres: store === 'postgres',
          clients: clients.slice(0, sizes.commitClients),
          request: () => commitTemplate.stamp(next++),
          warmupMs: sizes.warmupMs,
          windowMs: sizes.commitWindowMs,
        });
        logged += commits.eventsWritten;
        level.commit = commits.figure;
        progress(
          'growth',
          `${store}: log ${formatCount(level.logEventsBeforeCommits)}: commit p50 ${formatFigure(commits.figure.p50Ms)} ms, p99 ${formatFigure(commits.figure.p99Ms)} ms, ${formatCount(commits.figure.eventsPerSecond)} events/s`,
        );
      } catch (error) {
        level.error = (error as Error).message;
        progress('growth', `${store}: log ${formatCount(target)}: FAILED: ${(error as Error).stack ?? String(error)}`);
        break;
      }
    }
    return { store, location: runtime.location, idleRssMiB: idle, peakRssMiB: sampler.stop(), levels };
  } catch (error) {
    progress('growth', `${store}: log sizes FAILED: ${(error as Error).stack ?? String(error)}`);
    progress('growth', `Runtime log (tail): ${runtime.runtime.stderr().slice(-2000)}`);
    return {
      store,
      location: runtime.location,
      idleRssMiB: idle,
      peakRssMiB: sampler?.stop(),
      levels,
      error: (error as Error).message,
    };
  } finally {
    for (const client of clients) client.close();
    await runtime.dispose();
  }
}

/** Commits `events` more events in `fillBatch`-event Commits (rounded up to whole Commits); not measured. */
async function fillLog(
  clients: readonly UnaryClient[],
  sizes: GrowthSizes,
  events: number,
  template: ReturnType<typeof commitEventsTemplate>,
): Promise<{ events: number; seconds: number }> {
  let n = 0;
  const run = await runClosedLoop({
    workers: sizes.fillClients,
    maxCalls: Math.ceil(events / sizes.fillBatch),
    call: async (worker) => {
      const response = await (clients[worker] as UnaryClient).unary(eventStorePaths.commit, template.stamp(n++));
      return checkCommitEventsResponse(response, sizes.fillBatch);
    },
  });
  return { events: run.events, seconds: run.elapsedMs / 1000 };
}

const catchUpBatch = 100;

async function catchUpAtSize(
  address: string,
  runtimePid: number,
  store: StoreName,
  clients: readonly UnaryClient[],
  sizes: GrowthSizes,
  logged: number,
): Promise<CatchUpAtSize> {
  // An event type of its own, so the handler has exactly these events to handle and the rest of the log to pass.
  const eventTypeId = randomUUID();
  const template = withEventType(
    commitEventsTemplate(catchUpBatch),
    guidToBytes(benchEventTypeId as Guid),
    guidToBytes(eventTypeId as Guid),
  );
  const variants = Math.max(1, Math.round(sizes.catchUpSources / catchUpBatch));
  let n = 0;
  await runClosedLoop({
    workers: sizes.fillClients,
    maxCalls: Math.ceil(sizes.catchUpEvents / catchUpBatch),
    call: async (worker) => {
      const call = n++;
      const request = template.stamp(call % variants);
      const response = await (clients[worker] as UnaryClient).unary(eventStorePaths.commit, request);
      if (call === 0) verifyCommitEventsResponse(request, response);
      return checkCommitEventsResponse(response, catchUpBatch);
    },
  });
  const events = Math.ceil(sizes.catchUpEvents / catchUpBatch) * catchUpBatch;
  const head = new CatchUpHead({
    address,
    eventHandlerId: randomUUID(),
    eventTypeId,
    // Arrivals are tracked by sequence number: room for the whole log.
    capacity: logged + events + 1,
  });
  try {
    let started = 0;
    const { cpu } = await withCpuWindow({ runtimePid, postgresServer: store === 'postgres' }, async () => {
      started = performance.now();
      await head.register();
      await head.waitFor(events, Math.max(300_000, (logged + events) / 2));
    });
    const seconds = (head.lastArrivalAt - started) / 1000;
    return {
      events,
      sources: variants * catchUpBatch,
      seconds,
      eventsPerSecond: events / seconds,
      runtimeCpuUsPerEvent: (cpu.runtimeSeconds * 1e6) / events,
      duplicates: head.duplicates,
      outOfOrder: head.outOfOrder,
      disconnects: [...head.disconnects],
      otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
      otherTop: cpu.otherTop,
    };
  } finally {
    head.close();
  }
}
