#!/usr/bin/env node
/*
 * Soak (a program, not a test; not in CI): mixed multi-tenant load against a Runtime process that is killed -9 and
 * restarted every few minutes, for a set time. Every --report-every seconds it prints the Runtime's RSS, its open
 * handles (entries of /proc/<pid>/fd) and the commit latency of that interval; at the end it checks, on the store
 * itself, that nothing acknowledged was lost (see soak/verify.ts) and that the event handler was given every
 * event at least once, in order per partition.
 *
 *   node reliability/dist/soak.js [--minutes 10] [--kill-every 120] [--store sqlite|postgres] [--report-every 10]
 *                                 [--tenants 4] [--workers-per-tenant 2] [--rate 200]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type RuntimeProcess, startRuntimeProcess, writeConfigDir } from '@dolittle-ts/compat/harness';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import { type EventStoreClient, eventStoreClient } from '@dolittle-ts/runtime/testing';
import type { CommittedEvent } from '@dolittle-ts/store';
import { HandlerTracker } from './soak/handler-tracker.js';
import { MixedLoad } from './soak/load.js';
import { openHandles, percentile, rssMiB } from './soak/process-stats.js';
import { readLogs, verify } from './soak/verify.js';
import { postgresUnderTest, type StoreUnderTest, sqliteUnderTest } from './stores.js';

const usage = `node reliability/dist/soak.js [--minutes 10] [--kill-every 120] [--store sqlite|postgres]
    [--report-every 10] [--tenants 4] [--workers-per-tenant 2] [--rate 200]

  --minutes             how long the load runs (default 10)
  --kill-every          seconds between kill -9s of the Runtime (default 120; 0: never)
  --store               sqlite (a temporary data dir) or postgres (a fresh database on DOLITTLE_TEST_POSTGRES,
                        default postgres://postgres@127.0.0.1:5432/test, dropped afterwards) (default sqlite)
  --report-every        seconds between report lines (default 10)
  --tenants             tenants configured and loaded (default 4)
  --workers-per-tenant  concurrent committers per tenant (default 2)
  --rate                commits per second over all workers, at most (default 200)`;

interface SoakOptions {
  readonly minutes: number;
  readonly killEverySeconds: number;
  readonly store: 'sqlite' | 'postgres';
  readonly reportEverySeconds: number;
  readonly tenants: number;
  readonly workersPerTenant: number;
  readonly rate: number;
}

function parseOptions(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      minutes: { type: 'string', default: '10' },
      'kill-every': { type: 'string', default: '120' },
      store: { type: 'string', default: 'sqlite' },
      'report-every': { type: 'string', default: '10' },
      tenants: { type: 'string', default: '4' },
      'workers-per-tenant': { type: 'string', default: '2' },
      rate: { type: 'string', default: '200' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const number = (name: string, value: string, min: number, whole = false): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || (whole && !Number.isInteger(parsed)))
      throw new Error(`--${name} must be ${whole ? 'a whole number' : 'a number'} ≥ ${min}, not "${value}"\n${usage}`);
    return parsed;
  };
  if (values.store !== 'sqlite' && values.store !== 'postgres')
    throw new Error(`--store must be sqlite or postgres, not "${values.store}"\n${usage}`);
  return {
    minutes: number('minutes', values.minutes, 0.1),
    killEverySeconds: number('kill-every', values['kill-every'], 0),
    store: values.store,
    reportEverySeconds: number('report-every', values['report-every'], 1),
    tenants: number('tenants', values.tenants, 1, true),
    workersPerTenant: number('workers-per-tenant', values['workers-per-tenant'], 1, true),
    rate: number('rate', values.rate, 1),
  };
}

const columns = [
  't s',
  'pid',
  'RSS MiB',
  'open fds',
  'commits',
  'events',
  'commits/s',
  'p50 ms',
  'p99 ms',
  'failed',
  'acked events',
  'handler seen',
  'kills',
];
const widths = [6, 8, 8, 8, 8, 8, 9, 8, 8, 7, 12, 12, 5];
const row = (cells: readonly string[]) => cells.map((cell, i) => cell.padStart(widths[i] ?? 8)).join('  ');

async function soak(options: SoakOptions): Promise<boolean> {
  const tenants = [developmentTenant, ...Array.from({ length: options.tenants - 1 }, () => randomUUID())];
  const store: StoreUnderTest = options.store === 'postgres' ? await postgresUnderTest() : await sqliteUnderTest();
  const dataDir = mkdtempSync(join(tmpdir(), `dolittle-soak-${options.store}-`));
  const configDir = writeConfigDir({ tenants });
  let runtime: RuntimeProcess | undefined;
  let client: EventStoreClient | undefined;
  const handler = new HandlerTracker();
  const stopLoad = new AbortController();
  try {
    console.log(
      `soak: ${options.minutes} min on ${options.store}, kill -9 every ${options.killEverySeconds || '–'} s, ` +
        `${options.tenants} tenants × ${options.workersPerTenant} workers, ≤ ${options.rate} commits/s ` +
        `(60% Commits of 1 event, 25% of 2–10, 5% of 100, 10% CommitForAggregate of 1–5), one partitioned event handler`,
    );
    runtime = await startRuntimeProcess({
      store: store.runtimeStore,
      dataDir,
      configDir: configDir.path,
      logLevel: 'warn',
      metrics: false,
      readyTimeoutMs: 60_000,
    });
    client = eventStoreClient(runtime.privatePort);
    await handler.connect(runtime.privatePort);
    const load = new MixedLoad({
      tenants,
      workersPerTenant: options.workersPerTenant,
      rate: options.rate,
      client: () => client as EventStoreClient,
      signal: stopLoad.signal,
    });
    load.start();
    console.log(row(columns));

    const started = performance.now();
    const end = started + options.minutes * 60_000;
    let nextReport = started + options.reportEverySeconds * 1000;
    let nextKill = options.killEverySeconds > 0 ? started + options.killEverySeconds * 1000 : Number.POSITIVE_INFINITY;
    let kills = 0;
    const restarts: { afterMs: number; handlerBackMs: number }[] = [];
    const trend: { rss: number; fds: number; p99: number }[] = [];
    let lastReport = started;
    while (performance.now() < end) {
      await sleep(Math.max(10, Math.min(nextReport, nextKill, end) - performance.now()));
      const now = performance.now();
      if (now >= nextReport) {
        const interval = load.takeInterval();
        const rss = rssMiB(runtime.pid);
        const fds = openHandles(runtime.pid);
        const p99 = percentile(interval.latencies, 99);
        trend.push({ rss: rss ?? Number.NaN, fds: fds ?? Number.NaN, p99 });
        console.log(
          row([
            ((now - started) / 1000).toFixed(0),
            String(runtime.pid),
            rss === undefined ? '–' : rss.toFixed(1),
            fds === undefined ? '–' : String(fds),
            String(interval.acknowledged),
            String(interval.events),
            ((interval.acknowledged * 1000) / (now - lastReport)).toFixed(0),
            percentile(interval.latencies, 50).toFixed(1),
            p99.toFixed(1),
            String(interval.failed),
            String(load.totals.events),
            String(handler.distinct),
            String(kills),
          ]),
        );
        lastReport = now;
        nextReport += options.reportEverySeconds * 1000;
      }
      if (now >= nextKill && now < end) {
        const killedAt = performance.now();
        const oldPid = runtime.pid;
        await runtime.kill();
        kills++;
        runtime = await restartAfterCrash(runtime);
        const back = performance.now();
        client.close();
        client = eventStoreClient(runtime.privatePort);
        await handler.connect(runtime.privatePort);
        restarts.push({ afterMs: back - killedAt, handlerBackMs: performance.now() - killedAt });
        console.log(
          `  kill -9 of pid ${oldPid}; new pid ${runtime.pid} ready after ${(back - killedAt).toFixed(0)} ms, handler registered after ${(performance.now() - killedAt).toFixed(0)} ms`,
        );
        nextKill += options.killEverySeconds * 1000;
      }
    }
    stopLoad.abort();
    await load.stopped();
    console.log(
      `load stopped: ${load.totals.acknowledged} commits acknowledged (${load.totals.events} events), ` +
        `${load.totals.unacknowledged} calls failed (in flight at a kill or while the Runtime was down)`,
    );

    // The log's true contents, read from the store with the Runtime stopped; then the handler is given the time it
    // needs to reach the end of every tenant's log.
    await runtime.stop();
    handler.close();
    let logs = await withProvider(store, dataDir, (provider) => readLogs(provider, tenants));
    runtime = await runtime.restart({ samePorts: false });
    await handler.connect(runtime.privatePort);
    const drained = await waitForHandler(handler, logs, 30_000, 600_000);
    console.log(
      drained
        ? `handler: reached the end of every tenant's log (${handler.deliveries} deliveries, ${handler.redeliveries} redeliveries)`
        : `handler: did NOT reach the end of every tenant's log`,
    );
    handler.close();
    await runtime.stop();
    const findings = await withProvider(store, dataDir, async (provider) => {
      logs = await readLogs(provider, tenants);
      return verify(provider, logs, load.commits, handler);
    });

    console.log('\nper tenant:');
    console.log(
      row(['tenant', 'events', 'acked', 'unacked in log', 'unacked absent', 'aggregates', 'handler seen'].map(String)),
    );
    for (const t of findings.tenants) {
      console.log(
        row([
          t.tenant.slice(0, 8),
          String(t.events),
          String(t.acknowledgedCommits),
          String(t.unacknowledgedInLog),
          String(t.unacknowledgedAbsent),
          String(t.aggregates),
          String(t.handlerSeen),
        ]),
      );
    }
    const finite = (values: number[]) => values.filter(Number.isFinite);
    const rssValues = finite(trend.map((t) => t.rss));
    const fdValues = finite(trend.map((t) => t.fds));
    const p99Values = finite(trend.map((t) => t.p99));
    console.log(
      `\nover time: RSS ${Math.min(...rssValues).toFixed(0)}–${Math.max(...rssValues).toFixed(0)} MiB (first ${rssValues[0]?.toFixed(0)}, last ${rssValues.at(-1)?.toFixed(0)}); ` +
        `open fds ${Math.min(...fdValues)}–${Math.max(...fdValues)} (first ${fdValues[0]}, last ${fdValues.at(-1)}); ` +
        `interval p99 ${Math.min(...p99Values).toFixed(1)}–${Math.max(...p99Values).toFixed(1)} ms; ` +
        `${kills} kill -9s, Runtime back after ${restarts.map((r) => `${(r.afterMs / 1000).toFixed(1)} s`).join(', ') || '–'}`,
    );
    if (findings.problems.length === 0 && drained) {
      console.log(
        'RESULT: PASS: nothing acknowledged was lost, no partial or altered commit, dense sequence numbers, aggregate versions match, the handler was given every event (at least once, first arrivals in order per partition)',
      );
      return true;
    }
    console.log('RESULT: FAIL');
    for (const problem of findings.problems) console.log(`  - ${problem}`);
    return false;
  } finally {
    stopLoad.abort();
    handler.close();
    client?.close();
    if (runtime?.running) await runtime.kill();
    configDir.remove();
    rmSync(dataDir, { recursive: true, force: true });
    await store.dispose();
  }
}

async function withProvider<T>(
  store: StoreUnderTest,
  dataDir: string,
  work: (provider: ReturnType<StoreUnderTest['openDirectly']>) => Promise<T>,
): Promise<T> {
  const provider = store.openDirectly(dataDir);
  try {
    return await work(provider);
  } finally {
    await provider.close();
  }
}

/** Restarts a killed Runtime; the killed process's PostgreSQL session may hold the writer lock for a moment. */
async function restartAfterCrash(runtime: RuntimeProcess): Promise<RuntimeProcess> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runtime.restart({ samePorts: false });
    } catch (error) {
      if (attempt >= 50 || !/lock|held|another/i.test(String(error))) throw error;
      await sleep(200);
    }
  }
}

/**
 * Resolves true once the handler has seen every event of every tenant's log; false if it saw nothing new for
 * `stallMs` (stuck) or the whole wait passed `capMs`. Prints its progress every 10 s.
 */
async function waitForHandler(
  handler: HandlerTracker,
  logs: ReadonlyMap<string, readonly CommittedEvent[]>,
  stallMs: number,
  capMs: number,
): Promise<boolean> {
  const started = performance.now();
  let total = 0;
  for (const events of logs.values()) total += events.length;
  const missing = () => {
    let count = 0;
    for (const [tenant, events] of logs) {
      const view = handler.view(tenant);
      for (const event of events) if (!view.seen.has(event.sequenceNumber)) count++;
    }
    return count;
  };
  let lastSeen = handler.distinct;
  let lastProgress = started;
  let lastPrint = started;
  for (let left = missing(); left > 0; left = missing()) {
    const now = performance.now();
    if (handler.distinct !== lastSeen) {
      lastSeen = handler.distinct;
      lastProgress = now;
    }
    if (now - lastProgress > stallMs || now - started > capMs) {
      console.log(
        `  handler: ${left} of ${total} events still not given after ${((now - started) / 1000).toFixed(0)} s (${now - lastProgress > stallMs ? `nothing new for ${stallMs / 1000} s` : 'time is up'})`,
      );
      return false;
    }
    if (now - lastPrint >= 10_000) {
      console.log(
        `  handler: ${left} of ${total} events not given yet, ${((now - started) / 1000).toFixed(0)} s after the restart`,
      );
      lastPrint = now;
    }
    await sleep(250);
  }
  return true;
}

try {
  const passed = await soak(parseOptions(process.argv.slice(2)));
  process.exitCode = passed ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
}
