/*
 * The soak's mixed load: workers spread over the tenants, each committing at its share of a target rate a mix of
 * one-event Commits, small and large batches, and CommitForAggregate on an aggregate root instance of its own.
 * Every commit is recorded with its events' contents; once the Runtime acknowledges it, with the sequence numbers
 * it was given. A call that fails (the Runtime was killed) leaves its commit unacknowledged: it may be in the log
 * or not, but only whole. A worker whose aggregate commit went unacknowledged no longer knows that instance's
 * version, so it moves on to a new instance.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AggregateRootId, EventSourceId } from '@dolittle-ts/fundamentals';
import {
  artifact,
  CommitAggregateEventsRequest,
  type CommitAggregateEventsResponse,
  CommitEventsRequest,
  type CommitEventsResponse,
  callContext,
  type EventStoreClient,
  guidToUuid,
  UncommittedAggregateEvents,
  uncommittedEvent,
} from '@dolittle-ts/runtime/testing';

export const soakEventType = '3c1d5e7f-9a2b-4c6d-8e0f-1a3b5c7d9e20';
const soakAggregateRoot = '6e8f0a2c-4b6d-4f81-9a3c-5e7f9b1d3a50' as AggregateRootId;
/** Event sources per worker for plain commits: each is a partition of the handler, so partitions get long. */
const sourcesPerWorker = 4;

export interface CommitRecord {
  readonly id: string;
  readonly tenant: string;
  readonly contents: readonly string[];
  readonly aggregate: { readonly root: AggregateRootId; readonly eventSource: EventSourceId } | undefined;
  /** The sequence numbers the Runtime acknowledged; undefined until (or unless) it did. */
  acknowledged: readonly number[] | undefined;
}

/** What the load did in one reporting interval. */
export interface IntervalCounters {
  acknowledged: number;
  events: number;
  failed: number;
  /** Latency of each acknowledged call, ms. */
  latencies: number[];
}

export interface LoadOptions {
  readonly tenants: readonly string[];
  readonly workersPerTenant: number;
  /** Commits per second over all workers. */
  readonly rate: number;
  /** The current client; swapped by the soak after each restart. */
  readonly client: () => EventStoreClient;
  readonly signal: AbortSignal;
}

export class MixedLoad {
  readonly commits = new Map<string, CommitRecord>();
  interval: IntervalCounters = newInterval();
  totals = { acknowledged: 0, unacknowledged: 0, events: 0 };
  readonly #options: LoadOptions;
  #running: Promise<void>[] = [];

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  start(): void {
    const { tenants, workersPerTenant } = this.#options;
    this.#running = tenants.flatMap((tenant) =>
      Array.from({ length: workersPerTenant }, (_, i) => this.#worker(tenant, `${tenant.slice(0, 4)}-${i}`)),
    );
  }

  /** Resolves once every worker has finished its call in flight (after the signal was aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.#running);
  }

  /** The counters since the last call, and a fresh interval. */
  takeInterval(): IntervalCounters {
    const taken = this.interval;
    this.interval = newInterval();
    return taken;
  }

  async #worker(tenant: string, name: string): Promise<void> {
    const { signal } = this.#options;
    const workers = this.#options.tenants.length * this.#options.workersPerTenant;
    const pauseMs = (1000 * workers) / this.#options.rate;
    const sources = Array.from({ length: sourcesPerWorker }, () => randomUUID() as EventSourceId);
    let aggregate = { root: soakAggregateRoot, eventSource: randomUUID() as EventSourceId };
    let version = 0;
    // Workers start spread over one pause, not all at once.
    await sleep(Math.random() * pauseMs);
    for (let n = 0; !signal.aborted; n++) {
      const started = performance.now();
      const roll = Math.random();
      const onAggregate = roll < 0.1;
      const size = onAggregate
        ? 1 + Math.floor(Math.random() * 5)
        : roll < 0.7
          ? 1
          : roll < 0.95
            ? 2 + Math.floor(Math.random() * 9)
            : 100;
      const id = `${name}-${n}-${randomUUID().slice(0, 8)}`;
      const contents = Array.from({ length: size }, (_, i) =>
        JSON.stringify({ commit: id, i, of: size, tenant, text: `soak ✓ "quoted" \\ 😀 ${'x'.repeat(i % 7)}` }),
      );
      const record: CommitRecord = {
        id,
        tenant,
        contents,
        aggregate: onAggregate ? aggregate : undefined,
        acknowledged: undefined,
      };
      this.commits.set(id, record);
      try {
        const client = this.#options.client();
        record.acknowledged = onAggregate
          ? await commitForAggregate(client, tenant, aggregate, version, contents)
          : await commitEvents(client, tenant, sources[n % sourcesPerWorker] as EventSourceId, contents);
        if (onAggregate) version += size;
        this.interval.acknowledged++;
        this.interval.events += size;
        this.interval.latencies.push(performance.now() - started);
        this.totals.acknowledged++;
        this.totals.events += size;
      } catch {
        this.interval.failed++;
        this.totals.unacknowledged++;
        if (onAggregate) {
          aggregate = { root: soakAggregateRoot, eventSource: randomUUID() as EventSourceId };
          version = 0;
        }
        // The Runtime is down or restarting: back off a little before the next try.
        await sleep(200);
      }
      const wait = pauseMs - (performance.now() - started);
      if (wait > 0 && !signal.aborted) await sleep(wait);
    }
  }
}

function newInterval(): IntervalCounters {
  return { acknowledged: 0, events: 0, failed: 0, latencies: [] };
}

async function commitEvents(
  client: EventStoreClient,
  tenant: string,
  eventSource: EventSourceId,
  contents: readonly string[],
): Promise<number[]> {
  const request = new CommitEventsRequest();
  request.setCallcontext(callContext(tenant));
  request.setEventsList(contents.map((content) => uncommittedEvent(eventSource, soakEventType, content)));
  const response = await client.call<CommitEventsResponse>('commit', request);
  const failure = response.getFailure();
  if (failure !== undefined) throw new Error(failure.getReason());
  return response.getEventsList().map((e) => e.getEventlogsequencenumber());
}

async function commitForAggregate(
  client: EventStoreClient,
  tenant: string,
  aggregate: { root: AggregateRootId; eventSource: EventSourceId },
  expected: number,
  contents: readonly string[],
): Promise<number[]> {
  const request = new CommitAggregateEventsRequest();
  request.setCallcontext(callContext(tenant));
  const events = new UncommittedAggregateEvents();
  events.setAggregaterootid(guidToUuid(aggregate.root));
  events.setEventsourceid(guidToUuid(aggregate.eventSource));
  events.setExpectedaggregaterootversion(expected);
  events.setEventsList(
    contents.map((content) => {
      const event = new UncommittedAggregateEvents.UncommittedAggregateEvent();
      event.setArtifact(artifact(soakEventType));
      event.setContent(content);
      return event;
    }),
  );
  request.setEvents(events);
  const response = await client.call<CommitAggregateEventsResponse>('commitForAggregate', request);
  const failure = response.getFailure();
  if (failure !== undefined) throw new Error(failure.getReason());
  return (response.getEvents()?.getEventsList() ?? []).map((e) => e.getEventlogsequencenumber());
}
