// What the processing suites share: a record of every call an SDK event handler or filter callback received (with
// its event context), polling until the record says enough, fresh event types per test, and small commit helpers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CommittedEvent,
  type EventContext,
  EventSourceId,
  EventType,
  EventTypeId,
  Generation,
  type IEventStore,
  type UncommittedEvent,
} from '@dolittle/sdk.events';
import type { SdkClient, SdkLogEntry } from '../sdk';

/** One call of a handler or filter callback, as the SDK gave it. */
export interface Delivery {
  /** Which handler or filter of the test got it. */
  readonly by: string;
  /** The event content (a class instance when the type is registered, plain JSON otherwise). */
  readonly event: Record<string, unknown>;
  readonly constructorName: string;
  readonly sequenceNumber: number;
  readonly eventSource: string;
  /** `occurred` in milliseconds since the epoch. */
  readonly occurred: number;
  /** The tenant of the execution context the SDK built from the Runtime's request. */
  readonly tenant: string;
  /** `Date.now()` when the callback was entered. */
  readonly at: number;
  /** Set by the test (e.g. which Runtime process was running). */
  readonly epoch: number;
}

/** Records deliveries; tests read them and wait on them. */
export class Deliveries {
  readonly #entries: Delivery[] = [];
  readonly #inFlight = new Map<string, number>();
  readonly #maxInFlight = new Map<string, number>();
  readonly #busyPartitions = new Set<string>();
  readonly #overlaps: string[] = [];
  /** Stamped on every delivery recorded from now on. */
  epoch = 0;

  /**
   * Records a delivery and runs `work` (e.g. a delay, or a throw) while counting what is in flight: per handler and
   * tenant (`maxInFlight`), and per handler, tenant and event source (a second event of one partition arriving while
   * the first is still being handled is an `overlap`).
   */
  async handle(by: string, event: unknown, context: EventContext, work?: () => unknown): Promise<void> {
    const delivery = this.record(by, event, context);
    const lane = `${by}/${delivery.tenant}`;
    const partition = `${lane}/${delivery.eventSource}`;
    if (this.#busyPartitions.has(partition)) {
      this.#overlaps.push(
        `${by}: #${delivery.sequenceNumber} of ${delivery.eventSource} arrived while its partition was busy`,
      );
    }
    this.#busyPartitions.add(partition);
    const inFlight = (this.#inFlight.get(lane) ?? 0) + 1;
    this.#inFlight.set(lane, inFlight);
    this.#maxInFlight.set(lane, Math.max(inFlight, this.#maxInFlight.get(lane) ?? 0));
    try {
      await work?.();
    } finally {
      this.#busyPartitions.delete(partition);
      this.#inFlight.set(lane, (this.#inFlight.get(lane) ?? 1) - 1);
    }
  }

  /** The most events one handler had in flight at once for one tenant (deliveries through `handle` only). */
  maxInFlight(by: string): number {
    let max = 0;
    for (const [lane, value] of this.#maxInFlight) if (lane.startsWith(`${by}/`)) max = Math.max(max, value);
    return max;
  }

  /** Events that arrived while an earlier event of their partition was still being handled. */
  overlaps(): string[] {
    return [...this.#overlaps];
  }

  record(by: string, event: unknown, context: EventContext): Delivery {
    const delivery: Delivery = {
      by,
      event: (event ?? {}) as Record<string, unknown>,
      constructorName: (event as object | null)?.constructor?.name ?? 'none',
      sequenceNumber: context.sequenceNumber,
      eventSource: context.eventSourceId.value.toString(),
      occurred: context.occurred.toMillis(),
      tenant: context.executionContext.tenantId.value.toString(),
      at: Date.now(),
      epoch: this.epoch,
    };
    this.#entries.push(delivery);
    return delivery;
  }

  /** Every delivery, or those of one handler/filter. */
  of(by?: string): Delivery[] {
    return by === undefined ? [...this.#entries] : this.#entries.filter((delivery) => delivery.by === by);
  }

  /** Waits until `done(deliveries)` holds; fails with `describe()` after `timeoutMs`. */
  async waitFor(what: string, done: (all: Delivery[]) => boolean, timeoutMs = 10_000): Promise<void> {
    await eventually(
      what,
      () => done(this.of()),
      timeoutMs,
      () => summarize(this.of()),
    );
  }
}

/** Polls `condition` every 25 ms until it holds or `timeoutMs` passed. */
export async function eventually(
  what: string,
  condition: () => boolean,
  timeoutMs = 10_000,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
    await sleep(25);
  }
}

function summarize(deliveries: readonly Delivery[]): string {
  const counts = new Map<string, number>();
  for (const delivery of deliveries) counts.set(delivery.by, (counts.get(delivery.by) ?? 0) + 1);
  const tail = deliveries
    .slice(-15)
    .map((d) => `  ${d.by} #${d.sequenceNumber} ${d.eventSource.slice(0, 8)} ${JSON.stringify(d.event)} @${d.tenant}`);
  return `deliveries so far: ${JSON.stringify(Object.fromEntries(counts))}\nlast ones:\n${tail.join('\n')}`;
}

/** A fresh event type (generation 1), so each test's handlers see only that test's events. */
export function freshEventType(): EventType {
  return new EventType(EventTypeId.from(randomUUID()), Generation.first);
}

export function newEventSource(): EventSourceId {
  return EventSourceId.from(randomUUID());
}

export interface ToCommit {
  /** A registered event type's instance, or plain JSON with `type`. */
  readonly content: object;
  readonly source: EventSourceId;
  /** Omitted: the content's class decides (a registered event type). */
  readonly type?: EventType;
  readonly isPublic?: boolean;
}

/** Commits the events in one call; fails the test if the Runtime refuses. Returns the committed events in order. */
export async function commitEvents(store: IEventStore, events: readonly ToCommit[]): Promise<CommittedEvent[]> {
  const uncommitted: UncommittedEvent[] = events.map((event) => ({
    content: event.content,
    eventSourceId: event.source,
    ...(event.type ? { eventType: event.type } : {}),
    public: event.isPublic ?? false,
  }));
  const result = await store.commit(uncommitted);
  assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
  const committed = result.events.toArray();
  assert.equal(committed.length, events.length);
  return committed;
}

/** `commitEvents`, retried while the Runtime is not reachable yet (right after a restart). */
export async function commitEventsWhenReachable(
  store: IEventStore,
  events: readonly ToCommit[],
  timeoutMs = 15_000,
): Promise<CommittedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await commitEvents(store, events);
    } catch (error) {
      const unavailable = /UNAVAILABLE|14 /.test(String(error));
      if (!unavailable || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** The SDK's log lines about one processor (`Registering EventHandler <id> …`, `… registered with the Runtime …`). */
export function processorLog(sdk: SdkClient, id: string): SdkLogEntry[] {
  return sdk.logs().filter((entry) => entry.message.includes(id));
}

/** How often the SDK reported a processor registered (`<kind> <id> registered with the Runtime`). */
export function registrations(sdk: SdkClient, id: string): number {
  return processorLog(sdk, id).filter((entry) => entry.message.includes('registered with the Runtime')).length;
}

/** How often the SDK started registering a processor (once per connection attempt, every second when refused). */
export function registrationAttempts(sdk: SdkClient, id: string): number {
  return processorLog(sdk, id).filter((entry) => entry.message.startsWith('Registering ')).length;
}

/** Asserts that the SDK logged nothing at warn or error level (processor failures, registration errors). */
export function assertNoSdkProblems(sdk: SdkClient, except: (entry: SdkLogEntry) => boolean = () => false): void {
  const problems = sdk.logs().filter((entry) => (entry.level === 'error' || entry.level === 'warn') && !except(entry));
  assert.deepEqual(
    problems.map((entry) => `${entry.level}: ${entry.message}`),
    [],
    'the SDK logged problems',
  );
}

/** Groups values by a key, keeping their order. */
export function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}
