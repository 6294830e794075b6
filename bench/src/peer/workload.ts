/*
 * The same workloads for every target, in one order on a fresh store:
 *
 *   0. one append, so that a store creating its schema on first use has done so (not a figure);
 *   1. appends of 1 event from 32 clients, closed loop, for `appendSeconds` or until 20% of `consumerEvents` are
 *      written, whichever comes first (streams: 1,000 event sources in turn);
 *      where some failed, also from 1 client, to show what the store does without that concurrency;
 *   2. appends of 100 events (one stream each) from 4 clients, closed loop, for `appendSeconds` or until 60% of
 *      `consumerEvents` are written;
 *   3. a stream of 10,000 events (100-event appends with the version checked) read back whole, `readRepeats` times;
 *   4. 100-event appends from 4 clients (1 if concurrent appends failed) until the log holds `consumerEvents`
 *      events (not a figure);
 *   5. a consumer started from the beginning: time until it has been given every event of the log (or, when it
 *      stops short, until the last event it gave: it is then marked incomplete);
 *   6. with that consumer still running, `liveSeconds` more of the 32 × 1-event appends; then wait until it has been
 *      given every acknowledged event, or has given nothing new for `settleSeconds`: what it missed is lost.
 *
 * Appends that fail are counted (not retried) and their events are not expected from the consumer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from '../catch-up-setup.js';
import { runClosedLoop } from '../support/closed-loop.js';
import { withCpuWindow } from '../support/cpu-window.js';
import { Latencies } from '../support/latencies.js';
import { benchEventData, type PeerConsumer, type PeerTarget, type StoreInspection } from './target.js';

export interface WorkloadOptions {
  readonly appendSeconds: number;
  readonly readStreamEvents: number;
  readonly readRepeats: number;
  readonly consumerEvents: number;
  readonly consumerTimeoutSeconds: number;
  readonly liveSeconds: number;
  /** How long a consumer may give nothing new before what it has not given counts as missing. */
  readonly settleSeconds: number;
}

export interface AppendFigure {
  readonly eventsPerAppend: number;
  readonly clients: number;
  /** Every append tried, failed ones included (so are their latencies). */
  readonly appends: number;
  readonly events: number;
  readonly failed: number;
  readonly firstFailure: string | undefined;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly otherCpuCores: number;
}

export interface ReadFigure {
  readonly events: number;
  readonly repeats: number;
  readonly p50Ms: number;
  readonly eventsPerSecond: number;
}

export interface ConsumerFigure {
  readonly events: number;
  /** From starting the consumer to the last event it was given (the last it ever gave, when incomplete). */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly completed: boolean;
  /** The longest time between two deliveries during the catch-up. */
  readonly longestPauseMs: number;
  readonly otherCpuCores: number;
}

/** What the consumer was given of what was acknowledged, after the live appends. */
export interface DeliveryCheck {
  readonly acknowledged: number;
  readonly delivered: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly unknown: number;
  readonly liveAppends: number;
  readonly liveFailed: number;
  /** From the last live append's answer to the consumer having everything (undefined if it never did). */
  readonly caughtUpAfterMs: number | undefined;
  /** A few missing `order` numbers, for a reader to look up. */
  readonly missingSample: readonly number[];
}

export interface WorkloadResult {
  readonly singles?: AppendFigure;
  /** Appends that failed while writing the consumer's log (not a figure; retried). */
  readonly topUpFailed?: number;
  /** Only when 1-event appends from 32 clients failed: the same from 1 client. */
  readonly singlesOneClient?: AppendFigure;
  readonly batches?: AppendFigure;
  readonly read?: ReadFigure;
  readonly consumer?: ConsumerFigure;
  readonly delivery?: DeliveryCheck;
  readonly durability?: string;
  /** The store read directly after the delivery check, where the target does it. */
  readonly stored?: StoreInspection;
  readonly incidents?: readonly string[];
  readonly error?: string;
}

const sourceCount = 1_000;

/** Which events were acknowledged, and how often each was delivered. */
class Ledger {
  #next = 0;
  #acknowledged = new Uint8Array(1 << 16);
  #delivered = new Uint16Array(1 << 16);
  acknowledgedCount = 0;
  deliveredDistinct = 0;
  duplicates = 0;
  unknown = 0;
  lastDeliveryAt = 0;

  take(count: number): number[] {
    const first = this.#next;
    this.#next += count;
    this.#grow(this.#next);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  acknowledge(orders: readonly number[]): void {
    for (const order of orders) {
      if (this.#acknowledged[order] === 0) this.acknowledgedCount++;
      this.#acknowledged[order] = 1;
    }
  }

  /** The longest time between two deliveries (a consumer that stalls, e.g. behind the server's xmin horizon). */
  longestPauseMs = 0;

  deliver = (order: number): void => {
    const now = performance.now();
    if (this.lastDeliveryAt > 0) this.longestPauseMs = Math.max(this.longestPauseMs, now - this.lastDeliveryAt);
    this.lastDeliveryAt = now;
    if (!Number.isInteger(order) || order < 0 || order >= this.#next) {
      this.unknown++;
      return;
    }
    const times = this.#delivered[order] as number;
    if (times === 0) this.deliveredDistinct++;
    else this.duplicates++;
    this.#delivered[order] = Math.min(times + 1, 65_535);
  };

  /** Acknowledged events the consumer was never given, and how many there are. */
  missing(sample = 10): { count: number; sample: number[] } {
    const found: number[] = [];
    let count = 0;
    for (let order = 0; order < this.#next; order++) {
      if (this.#acknowledged[order] === 1 && this.#delivered[order] === 0) {
        count++;
        if (found.length < sample) found.push(order);
      }
    }
    return { count, sample: found };
  }

  #grow(size: number): void {
    if (size <= this.#acknowledged.length) return;
    let length = this.#acknowledged.length;
    while (length < size) length *= 2;
    const acknowledged = new Uint8Array(length);
    acknowledged.set(this.#acknowledged);
    this.#acknowledged = acknowledged;
    const delivered = new Uint16Array(length);
    delivered.set(this.#delivered);
    this.#delivered = delivered;
  }
}

export async function runWorkload(target: PeerTarget, options: WorkloadOptions): Promise<WorkloadResult> {
  const ledger = new Ledger();
  const sources = Array.from({ length: sourceCount }, () => crypto.randomUUID());
  const log = (message: string) => progress('peer-emmett', `${target.label}: ${message}`);
  const cpuOptions = { runtimePid: target.pid ?? process.pid, postgresServer: target.store === 'postgres' };
  let result: WorkloadResult = {};
  let consumer: PeerConsumer | undefined;
  let appendCall = 0;

  /** One closed-loop append phase; failed appends are counted, their events not acknowledged. */
  const appendPhase = async (eventsPerAppend: number, clients: number, durationMs: number, maxEvents: number) => {
    let failed = 0;
    let firstFailure: string | undefined;
    const { result: run, cpu } = await withCpuWindow(cpuOptions, () =>
      runClosedLoop({
        workers: clients,
        durationMs,
        maxCalls: Math.max(1, Math.floor(maxEvents / eventsPerAppend)),
        call: async () => {
          const orders = ledger.take(eventsPerAppend);
          const stream = sources[appendCall++ % sourceCount] as string;
          try {
            await target.append(stream, orders.map(benchEventData));
          } catch (error) {
            failed++;
            firstFailure ??= (error as Error).message ?? String(error);
            return 0;
          }
          ledger.acknowledge(orders);
          return eventsPerAppend;
        },
      }),
    );
    const summary = run.latencies.summary();
    return {
      eventsPerAppend,
      clients,
      appends: run.calls,
      events: run.events,
      failed,
      firstFailure,
      seconds: run.elapsedMs / 1000,
      eventsPerSecond: (run.events / run.elapsedMs) * 1000,
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
    } satisfies AppendFigure;
  };

  try {
    // One append first, so a store that creates its schema on first use has done so before anything is timed.
    const warmUp = ledger.take(1);
    await target.append(sources[0] as string, warmUp.map(benchEventData));
    ledger.acknowledge(warmUp);

    const appendMs = options.appendSeconds * 1000;
    const singles = await appendPhase(1, 32, appendMs, Math.floor(options.consumerEvents * 0.2));
    result = { ...result, singles };
    log(`1 event × 32 clients: ${Math.round(singles.eventsPerSecond)} events/s (${singles.failed} failed)`);
    if (singles.failed > 0) {
      // What the store does without the concurrency it failed under: context for the figure above, not a peer of it.
      const serial = await appendPhase(1, 1, appendMs, Math.floor(options.consumerEvents * 0.1));
      result = { ...result, singlesOneClient: serial };
      log(`1 event × 1 client: ${Math.round(serial.eventsPerSecond)} events/s (${serial.failed} failed)`);
    }
    const batches = await appendPhase(100, 4, appendMs, Math.floor(options.consumerEvents * 0.6));
    result = { ...result, batches };
    log(`100 events × 4 clients: ${Math.round(batches.eventsPerSecond)} events/s (${batches.failed} failed)`);

    const read = await readPhase(target, ledger, options);
    result = { ...result, read };
    log(`read a ${read.events}-event stream: p50 ${read.p50Ms.toFixed(1)} ms`);

    const missingForConsumer = options.consumerEvents - ledger.acknowledgedCount;
    let topUpFailed = 0;
    if (missingForConsumer > 0) {
      // Not a figure: the log for the consumer. One client where concurrent appends failed, so it gets written;
      // what fails or is left over is appended one at a time, failures retried with new events.
      const topUpClients = batches.failed > 0 ? 1 : 4;
      const topUp = await appendPhase(100, topUpClients, Number.POSITIVE_INFINITY, missingForConsumer);
      topUpFailed += topUp.failed;
      for (let attempt = 0; ledger.acknowledgedCount < options.consumerEvents; attempt++) {
        if (topUpFailed > 1_000) throw new Error(`${topUpFailed} appends failed while writing the consumer's log`);
        const orders = ledger.take(Math.min(100, options.consumerEvents - ledger.acknowledgedCount));
        try {
          await target.append(sources[attempt % sourceCount] as string, orders.map(benchEventData));
          ledger.acknowledge(orders);
        } catch {
          topUpFailed++;
        }
      }
    }
    if (topUpFailed > 0) result = { ...result, topUpFailed };
    const events = ledger.acknowledgedCount;
    log(`the log holds ${events} acknowledged events; starting the consumer`);

    let started = 0;
    let completed = false;
    const { cpu } = await withCpuWindow(cpuOptions, async () => {
      started = performance.now();
      consumer = await target.startConsumer(ledger.deliver);
      const deadline = started + options.consumerTimeoutSeconds * 1000;
      // Until it has everything, or has given nothing new for the settle time (it will not get the rest).
      for (;;) {
        if (ledger.deliveredDistinct >= events || performance.now() > deadline) break;
        const quietSince = ledger.lastDeliveryAt > started ? ledger.lastDeliveryAt : started + 10_000;
        if (performance.now() - quietSince > options.settleSeconds * 1000) break;
        await sleep(2);
      }
      completed = ledger.deliveredDistinct >= events;
    });
    const end = ledger.lastDeliveryAt > started ? ledger.lastDeliveryAt : performance.now();
    const seconds = (end - started) / 1000;
    const consumerFigure: ConsumerFigure = {
      events,
      seconds,
      eventsPerSecond: ledger.deliveredDistinct / seconds,
      delivered: ledger.deliveredDistinct,
      duplicates: ledger.duplicates,
      completed,
      longestPauseMs: ledger.longestPauseMs,
      otherCpuCores: cpu.otherSeconds / cpu.wallSeconds,
    };
    result = { ...result, consumer: consumerFigure };
    log(
      `consumer: ${consumerFigure.delivered}/${events} in ${seconds.toFixed(2)} s (${Math.round(consumerFigure.eventsPerSecond)} events/s)`,
    );

    const live = await appendPhase(1, 32, options.liveSeconds * 1000, Number.POSITIVE_INFINITY);
    const liveDone = performance.now();
    let caughtUpAfterMs: number | undefined;
    for (;;) {
      if (ledger.deliveredDistinct >= ledger.acknowledgedCount) {
        caughtUpAfterMs = Math.max(0, ledger.lastDeliveryAt - liveDone);
        break;
      }
      const quietFor = performance.now() - Math.max(ledger.lastDeliveryAt, liveDone);
      if (quietFor > options.settleSeconds * 1000) break;
      await sleep(5);
    }
    // Anything given twice or unknown shows up a little later too: give a poller one more round.
    await sleep(200);
    const missing = ledger.missing();
    const delivery: DeliveryCheck = {
      acknowledged: ledger.acknowledgedCount,
      delivered: ledger.deliveredDistinct,
      missing: missing.count,
      duplicates: ledger.duplicates,
      unknown: ledger.unknown,
      liveAppends: live.appends,
      liveFailed: live.failed,
      caughtUpAfterMs,
      missingSample: missing.sample,
    };
    result = { ...result, delivery };
    const stored = await target.inspectStore();
    if (stored !== undefined) result = { ...result, stored };
    log(
      `delivery check: ${delivery.delivered}/${delivery.acknowledged} delivered, ${delivery.missing} missing, ${delivery.duplicates} twice`,
    );
    const running = consumer as PeerConsumer | undefined;
    consumer = undefined;
    await running?.stop();
    result = { ...result, durability: await target.describeDurability() };
  } catch (error) {
    log(`FAILED: ${(error as Error).stack ?? String(error)}`);
    result = { ...result, error: (error as Error).message ?? String(error) };
  } finally {
    await consumer?.stop().catch(() => {});
  }
  const incidents = target.incidents();
  return incidents.length > 0 ? { ...result, incidents } : result;
}

async function readPhase(target: PeerTarget, ledger: Ledger, options: WorkloadOptions): Promise<ReadFigure> {
  const batch = 100;
  for (let version = 0; version < options.readStreamEvents; version += batch) {
    const orders = ledger.take(batch);
    await target.appendToReadStream(orders.map(benchEventData), version);
    ledger.acknowledge(orders);
  }
  const latencies = new Latencies();
  for (let i = 0; i < options.readRepeats; i++) {
    const started = performance.now();
    const count = await target.readStream();
    latencies.record(performance.now() - started);
    if (count !== options.readStreamEvents) {
      throw new Error(`the read stream holds ${count} events, not ${options.readStreamEvents}`);
    }
  }
  const { p50 } = latencies.summary();
  return {
    events: options.readStreamEvents,
    repeats: latencies.count,
    p50Ms: p50,
    eventsPerSecond: (options.readStreamEvents / p50) * 1000,
  };
}
