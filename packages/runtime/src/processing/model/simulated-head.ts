import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import type { PartitionId, StreamPosition } from '@dolittle-ts/fundamentals';
import type { StreamEvent } from '@dolittle-ts/store';
import type { EventProcessor, ProcessingContext, ProcessingResult, RetryState } from '../processing-result.js';
import type { PlannedEvent } from './scenario.js';

export type DeliveryOutcome = 'succeeded' | 'failed' | 'abandoned';

/** One call of the head, as the head saw it. */
export interface Delivery {
  /** The event's index in the scenario (from its content). */
  readonly n: number;
  readonly sequenceNumber: number;
  readonly position: StreamPosition;
  readonly partition: PartitionId;
  readonly eventSourceId: string;
  readonly typeId: string;
  readonly retry: RetryState | undefined;
  /** Which start of the processor delivered it (0 = the first). */
  readonly incarnation: number;
  /** Date.now() when the call came in and when it was answered. */
  readonly calledAt: number;
  answeredAt: number;
  outcome: DeliveryOutcome;
  /** The retry timeout the head asked for, when it failed the event. */
  retryAfterMs?: number;
}

/** Thrown when the processor's signal aborted while the head was working: the head is gone, as a real one would be. */
export class HeadGone extends Error {
  constructor() {
    super('the simulated head went away');
    this.name = 'HeadGone';
  }
}

/**
 * A head whose answers come from the scenario: each event fails `failures` times (retry = true, after
 * `retryAfterMs`) and then succeeds, answering after the planned latency. It records every call, the most partitions
 * it saw in flight at once, and calls that overlapped inside one partition.
 *
 * A failure only counts once it reached the processor. The head decides when its latency is over and answers in the
 * same turn; the harness aborts only between turns, so an answer given while the signal was not aborted is always
 * taken into account by the processor, and an answer that would come after the abort is a rejection instead.
 */
export class SimulatedHead implements EventProcessor {
  readonly deliveries: Delivery[] = [];
  readonly #plan: readonly PlannedEvent[];
  readonly #failed = new Map<number, number>();
  readonly #succeeded = new Set<number>();
  readonly #inFlight = new Map<PartitionId, number>();
  #incarnation = 0;
  #maxPartitionsInFlight = 0;
  /** Calls that started while another call of the same partition was still running. */
  readonly overlaps: string[] = [];
  #waiter: { readonly expected: ReadonlySet<number>; readonly resolve: () => void } | undefined;

  constructor(plan: readonly PlannedEvent[]) {
    this.#plan = plan;
  }

  get maxPartitionsInFlight(): number {
    return this.#maxPartitionsInFlight;
  }

  get incarnation(): number {
    return this.#incarnation;
  }

  /** Called by the harness before each start of the processor. */
  startIncarnation(incarnation: number): void {
    this.#incarnation = incarnation;
    this.#inFlight.clear();
  }

  hasSucceeded(n: number): boolean {
    return this.#succeeded.has(n);
  }

  /** Resolves true once every event in `expected` was handled successfully, false after `timeoutMs`. */
  async allHandled(expected: ReadonlySet<number>, timeoutMs: number): Promise<boolean> {
    if ([...expected].every((n) => this.#succeeded.has(n))) return true;
    const done = new Promise<true>((resolve) => {
      this.#waiter = { expected, resolve: () => resolve(true) };
    });
    const timeout = new AbortController();
    try {
      return await Promise.race([
        done,
        delay(timeoutMs, false, { signal: timeout.signal }).catch(() => false as const),
      ]);
    } finally {
      timeout.abort();
      this.#waiter = undefined;
    }
  }

  async process(
    event: StreamEvent,
    retry: RetryState | undefined,
    context: ProcessingContext,
  ): Promise<ProcessingResult> {
    const n = (JSON.parse(event.event.content) as { n: number }).n;
    const planned = this.#plan[n];
    const delivery: Delivery = {
      n,
      sequenceNumber: event.event.sequenceNumber,
      position: event.position,
      partition: event.partition,
      eventSourceId: event.event.eventSourceId,
      typeId: event.event.type.id,
      retry,
      incarnation: this.#incarnation,
      calledAt: Date.now(),
      answeredAt: Number.NaN,
      outcome: 'abandoned',
    };
    this.deliveries.push(delivery);
    if (planned === undefined) throw new Error(`the head got event n=${n}, which the scenario never committed`);

    const running = this.#inFlight.get(event.partition) ?? 0;
    if (running > 0) this.overlaps.push(`n=${n} started while ${running} other call(s) of its partition ran`);
    this.#inFlight.set(event.partition, running + 1);
    this.#maxPartitionsInFlight = Math.max(this.#maxPartitionsInFlight, this.#inFlight.size);
    try {
      if (planned.latency === 'immediate') await nextTurn();
      else if (planned.latency === 'timer') await delay(1 + (n % 3));
      delivery.answeredAt = Date.now();
      if (context.signal.aborted) throw new HeadGone();
      const failedSoFar = this.#failed.get(n) ?? 0;
      if (failedSoFar < planned.failures) {
        this.#failed.set(n, failedSoFar + 1);
        delivery.outcome = 'failed';
        delivery.retryAfterMs = planned.retryAfterMs;
        return {
          kind: 'failed',
          reason: `planned failure ${failedSoFar + 1} of ${planned.failures}`,
          retry: true,
          retryAfterMs: planned.retryAfterMs,
        };
      }
      delivery.outcome = 'succeeded';
      this.#succeeded.add(n);
      const waiter = this.#waiter;
      if (waiter !== undefined && [...waiter.expected].every((e) => this.#succeeded.has(e))) waiter.resolve();
      return { kind: 'succeeded' };
    } finally {
      const left = (this.#inFlight.get(event.partition) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(event.partition);
      else this.#inFlight.set(event.partition, left);
    }
  }
}
