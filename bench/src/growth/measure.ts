/*
 * What both halves of the growth benchmark measure: a closed-loop window of one-event Commits (latency,
 * throughput, the CPU of everything else on the machine meanwhile) and the Runtime's resident memory over time.
 */
import { runClosedLoop } from '../support/closed-loop.js';
import { withCpuWindow } from '../support/cpu-window.js';
import {
  checkCommitEventsResponse,
  eventStorePaths,
  RequestTemplate,
  verifyCommitEventsResponse,
} from '../support/event-store-wire.js';
import { processRssMiB } from '../support/process-cpu.js';
import type { UnaryClient } from '../support/unary-client.js';

export interface CommitWindowFigure {
  readonly clients: number;
  readonly calls: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly runtimeCpuUsPerEvent: number;
  /** Cores' worth of CPU every other process (not the Runtime, this process or PostgreSQL) used meanwhile. */
  readonly otherCpuCores: number;
  readonly otherTop: readonly string[];
}

export interface CommitWindowOptions {
  readonly runtimePid: number;
  readonly postgres: boolean;
  readonly clients: readonly UnaryClient[];
  /** The request of worker `worker`'s `n`-th call (a one-event Commit). */
  readonly request: (worker: number, n: number) => Buffer;
  readonly warmupMs: number;
  readonly windowMs: number;
}

/**
 * Every client commits one event per call, back to back, for a warm-up and then the measured window. Every response
 * is scanned for a failure and its event count; each worker's first response of a window is decoded in full and
 * checked against its request. Returns the measured window and how many events both phases wrote.
 */
export async function measureCommitWindow(
  options: CommitWindowOptions,
): Promise<{ figure: CommitWindowFigure; eventsWritten: number }> {
  const { clients } = options;
  const call = async (worker: number, n: number) => {
    const request = options.request(worker, n);
    const response = await (clients[worker] as UnaryClient).unary(eventStorePaths.commit, request);
    if (n === 0) verifyCommitEventsResponse(request, response);
    else checkCommitEventsResponse(response, 1);
    return 1;
  };
  const warmup = await runClosedLoop({ workers: clients.length, durationMs: options.warmupMs, call });
  const { result, cpu } = await withCpuWindow(
    { runtimePid: options.runtimePid, postgresServer: options.postgres },
    () => runClosedLoop({ workers: clients.length, durationMs: options.windowMs, call }),
  );
  const latency = result.latencies.summary();
  return {
    eventsWritten: warmup.events + result.events,
    figure: {
      clients: clients.length,
      calls: result.calls,
      seconds: result.elapsedMs / 1000,
      eventsPerSecond: (result.events / result.elapsedMs) * 1000,
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      maxMs: latency.max,
      runtimeCpuUsPerEvent: (cpu.runtimeSeconds * 1e6) / result.events,
      otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
      otherTop: cpu.otherTop,
    },
  };
}

/** Reads a process's RSS every `intervalMs` while running and keeps the highest reading. */
export class RssSampler {
  #peakMiB = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #pid: number;

  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  get peakMiB(): number {
    return this.#peakMiB;
  }

  /** Stops sampling (after one last reading) and returns the peak. */
  stop(): number {
    this.#sample();
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#peakMiB;
  }

  #sample(): void {
    const rss = processRssMiB(this.#pid);
    if (rss !== undefined && rss > this.#peakMiB) this.#peakMiB = rss;
  }
}

/** The RSS of a Runtime left alone for `settleMs` after it reported ready. */
export async function idleRssMiB(pid: number, settleMs: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const rss = processRssMiB(pid);
  if (rss === undefined) throw new Error(`the Runtime (pid ${pid}) is gone: no /proc/${pid}/status`);
  return rss;
}

/** A copy of `template` whose event type id (the 16 bytes of `from`) is `to` everywhere it occurs. */
export function withEventType(template: RequestTemplate, from: Uint8Array, to: Uint8Array): RequestTemplate {
  const bytes = Buffer.from(template.bytes);
  let replaced = 0;
  for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + from.length)) {
    bytes.set(to, at);
    replaced++;
  }
  if (replaced === 0) throw new Error('the event type id is not in the request template');
  return new RequestTemplate(bytes, template.slots);
}
