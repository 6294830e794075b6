/*
 * Closed-loop load: each worker sends its next call as soon as the previous one answered, so the offered load is
 * exactly `workers` calls in flight. A run ends after a duration, or after a number of calls, whichever comes first.
 */
import { Latencies } from './latencies.js';

export interface ClosedLoopOptions {
  readonly workers: number;
  readonly durationMs?: number;
  /** Most calls over all workers. */
  readonly maxCalls?: number;
  /**
   * One call by `worker`, its `n`-th (counting from 0 per worker); resolves to the number of events it carried.
   * A rejection stops the run and is rethrown.
   */
  readonly call: (worker: number, n: number) => Promise<number>;
}

export interface ClosedLoopResult {
  readonly calls: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly latencies: Latencies;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const { workers, durationMs = Number.POSITIVE_INFINITY, maxCalls = Number.POSITIVE_INFINITY, call } = options;
  if (!Number.isFinite(durationMs) && !Number.isFinite(maxCalls)) throw new Error('give a duration or a call count');
  const latencies = new Latencies();
  const started = performance.now();
  const deadline = started + durationMs;
  let issued = 0;
  let events = 0;
  let failure: unknown;

  const worker = async (index: number) => {
    for (let n = 0; failure === undefined && issued < maxCalls && performance.now() < deadline; n++) {
      issued++;
      const sent = performance.now();
      let carried: number;
      try {
        // Not `events += await …`: that would read `events` before the await and lose the other workers' counts.
        carried = await call(index, n);
      } catch (error) {
        failure ??= error;
        return;
      }
      latencies.record(performance.now() - sent);
      events += carried;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  if (failure !== undefined) throw failure;
  return { calls: latencies.count, events, elapsedMs: performance.now() - started, latencies };
}
