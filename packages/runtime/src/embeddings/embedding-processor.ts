import {
  type AggregateRootVersion,
  defaultScope,
  type EventLogSequenceNumber,
  type EventSourceId,
  type ExecutionContext,
  StoreConsistency,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent, EmbeddingState, EmbeddingStates } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import { sleep } from '../processing/event-watcher.js';
import type { Tenant } from '../tenancy/tenants.js';
import { aggregateRootOf, type EmbeddingDefinition } from './embedding-definition.js';
import type { EmbeddingEvent, EmbeddingHead, HeadCallContext } from './embedding-head.js';
import { eventSourceIdForKey } from './embedding-key.js';
import type { EmbeddingCurrentState } from './embedding-state.js';
import { SerialQueue } from './serial-queue.js';
import { projectEvents, type TransitionGoal, transition } from './state-transitions.js';

export interface EmbeddingProcessorOptions {
  readonly tenant: Tenant;
  readonly states: EmbeddingStates;
  readonly definition: EmbeddingDefinition;
  readonly head: EmbeddingHead;
  /** The context background refreshes call the head under: the registering head's, for this tenant. */
  readonly executionContext: ExecutionContext;
  readonly logger: Logger;
  /** Aborted when the head disconnects or the Runtime stops: queued jobs fail, the refresh loop ends. */
  readonly signal: AbortSignal;
  /** Updates, deletes and refreshes queued or running at most; more are refused. Default 1000. */
  readonly maxPendingJobs?: number;
  /** Attempts of one update or delete whose commit meets events committed meanwhile. Default 5. */
  readonly maxCommitAttempts?: number;
  /** Longest wait for an event-log notification before looking anyway. Default 60 s. */
  readonly pollFallbackMs?: number;
}

/** An update's or delete's result: the read model now stored, or why nothing was committed or stored. */
export type EmbeddingOutcome =
  | { readonly ok: true; readonly state: string }
  | { readonly ok: false; readonly reason: string; readonly loop: boolean };

/** A key's read model caught up with its aggregate, or how far the catch-up got before the head failed. */
type Loaded =
  | { readonly ok: true; readonly current: EmbeddingCurrentState; readonly stored: EmbeddingState | undefined }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly progress: EmbeddingCurrentState;
      readonly stored: EmbeddingState | undefined;
    };

const readBatch = 1000;

/**
 * One embedding for one tenant (Dolittle's `EmbeddingProcessor`). Updates, deletes and background refreshes run one
 * at a time through a queue, so a key is never worked on twice at once and every job starts from what the previous
 * one stored.
 *
 * Update and delete: load the key's read model and catch it up with its aggregate's events, run the state
 * transition through the head, commit all its events as one aggregate commit at the version loaded, then store the
 * new read model. A commit that meets events committed meanwhile (by someone else) is retried from a fresh load.
 * Nothing is committed or stored when the head fails, a loop is detected or the attempts run out; if the Runtime
 * stops between the commit and the store, the next refresh projects the committed events.
 *
 * Background refresh: at start every stored key is caught up; then, after each event-log notification, the new
 * events of this embedding's aggregate are read and the keys they belong to are caught up by projecting them
 * through the head. A key whose refresh failed is tried again after `pollFallbackMs`.
 */
export class EmbeddingProcessor {
  readonly #tenant: Tenant;
  readonly #states: EmbeddingStates;
  readonly #definition: EmbeddingDefinition;
  readonly #head: EmbeddingHead;
  readonly #executionContext: ExecutionContext;
  readonly #logger: Logger;
  readonly #signal: AbortSignal;
  readonly #queue: SerialQueue;
  readonly #maxCommitAttempts: number;
  readonly #pollFallbackMs: number;
  readonly #types: ReadonlySet<string>;
  /** Stored keys by their event source id, to find the keys a new aggregate event belongs to. */
  readonly #keys = new Map<EventSourceId, string>();
  /** Keys whose last refresh failed. */
  readonly #stale = new Set<string>();

  constructor(options: EmbeddingProcessorOptions) {
    this.#tenant = options.tenant;
    this.#states = options.states;
    this.#definition = options.definition;
    this.#head = options.head;
    this.#executionContext = { ...options.executionContext, tenantId: options.tenant.id };
    this.#logger = options.logger.child({ tenant: options.tenant.id });
    this.#signal = options.signal;
    this.#queue = new SerialQueue(options.maxPendingJobs ?? 1000);
    this.#maxCommitAttempts = Math.max(1, options.maxCommitAttempts ?? 5);
    this.#pollFallbackMs = options.pollFallbackMs ?? 60_000;
    this.#types = new Set(options.definition.events.map((e) => e.id));
  }

  /** Brings the key's read model to `desired` (JSON-equal), committing the events the head says lead there. */
  update(key: string, desired: string, executionContext: ExecutionContext): Promise<EmbeddingOutcome> {
    return this.#job(() => this.#converge(key, { kind: 'update', desired }, executionContext));
  }

  /** Deletes the key's read model, committing the events the head says delete it. A key without one is left alone. */
  delete(key: string, executionContext: ExecutionContext): Promise<EmbeddingOutcome> {
    return this.#job(() => this.#converge(key, { kind: 'delete' }, executionContext));
  }

  /** The background refresh; resolves once the signal is aborted. Never rejects. */
  async run(): Promise<void> {
    const source = { kind: 'event-log', scope: defaultScope } as const;
    let position: number | undefined;
    let lastStaleRetry = Date.now();
    while (!this.#signal.aborted) {
      try {
        if (position === undefined) {
          // Read the position first: whatever is committed while the stored keys are caught up is read after.
          const next = await this.#tenant.store.events.nextSequenceNumber(defaultScope);
          await this.#enqueue(() => this.#refreshAll());
          position = next;
          continue;
        }
        await this.#tenant.watcher.wait(source, position, { timeoutMs: this.#pollFallbackMs, signal: this.#signal });
        if (this.#signal.aborted) return;
        const { keys, next } = await this.#keysWithNewEvents(position);
        position = next;
        if (this.#stale.size > 0 && Date.now() - lastStaleRetry >= this.#pollFallbackMs) {
          for (const key of this.#stale) keys.add(key);
          lastStaleRetry = Date.now();
        }
        if (keys.size > 0) await this.#enqueue(() => this.#refreshKeys(keys));
      } catch (error) {
        if (this.#signal.aborted) return;
        this.#logger.warn({ err: error }, 'embedding refresh failed; trying again in 1 s');
        await sleep(1000, this.#signal);
      }
    }
  }

  async #job(work: () => Promise<EmbeddingOutcome>): Promise<EmbeddingOutcome> {
    const queued = this.#queue.run(async () => {
      if (this.#signal.aborted) return disconnected;
      try {
        return await work();
      } catch (error) {
        // A head call rejects when the head went away; the signal tells that apart from a real error.
        if (this.#signal.aborted) return disconnected;
        throw error;
      }
    });
    if (queued === undefined) {
      return {
        ok: false,
        reason: `${this.#queue.pending} updates, deletes and refreshes of this embedding are already waiting; try again later`,
        loop: false,
      };
    }
    return queued;
  }

  /** Queues background work, waiting for room if the queue is full. */
  async #enqueue(work: () => Promise<void>): Promise<void> {
    for (;;) {
      const queued = this.#queue.run(async () => {
        if (!this.#signal.aborted) await work();
      });
      if (queued !== undefined) return queued;
      await sleep(100, this.#signal);
      if (this.#signal.aborted) return;
    }
  }

  async #converge(key: string, goal: TransitionGoal, executionContext: ExecutionContext): Promise<EmbeddingOutcome> {
    const eventSourceId = eventSourceIdForKey(key);
    const context: HeadCallContext = { executionContext, signal: this.#signal };
    let conflicts = 0;
    for (;;) {
      const loaded = await this.#load(key, eventSourceId, context);
      if (!loaded.ok) return { ok: false, reason: loaded.reason, loop: false };
      const start = loaded.current;
      if (goal.kind === 'delete' && start.type !== 'persisted') {
        return { ok: true, state: start.type === 'deleted' ? start.lastState : start.state };
      }
      const outcome = await transition(this.#head, start, goal, {
        eventSourceId,
        initialState: this.#definition.initialState,
        context,
      });
      if (outcome.kind === 'failed') return { ok: false, reason: outcome.reason, loop: outcome.loop };
      const reached = outcome.current;
      const stored: EmbeddingState =
        goal.kind === 'update' || reached.type !== 'deleted'
          ? { state: reached.state, version: reached.version, removed: false }
          : { state: reached.lastState, version: reached.version, removed: true };
      if (outcome.events.length === 0) {
        if (!sameStored(loaded.stored, stored)) await this.#store(key, eventSourceId, stored);
        return { ok: true, state: stored.state };
      }
      const committed = await this.#tenant.committer.commit({
        kind: 'aggregate',
        executionContext,
        aggregateRootId: aggregateRootOf(this.#definition),
        eventSourceId,
        expectedVersion: start.version,
        events: outcome.events.map((e) => ({ type: e.type, public: e.public, content: e.content })),
      });
      if (committed.ok) {
        await this.#store(key, eventSourceId, stored);
        return { ok: true, state: stored.state };
      }
      if (committed.failure.kind !== 'AggregateRootConcurrencyConflict') {
        return { ok: false, reason: 'the head returned no events to commit', loop: false };
      }
      conflicts++;
      this.#logger.debug(
        { key, expected: committed.failure.expected, actual: committed.failure.actual, attempt: conflicts },
        'embedding commit met events committed meanwhile; starting over',
      );
      if (conflicts >= this.#maxCommitAttempts) {
        return {
          ok: false,
          reason: `other events were committed to its aggregate (root ${this.#definition.id}, event source ${eventSourceId}) while it was being changed, ${conflicts} times in a row (last: expected version ${committed.failure.expected}, actual ${committed.failure.actual})`,
          loop: false,
        };
      }
    }
  }

  /**
   * The key's stored read model, caught up with the aggregate events committed after it (by an earlier run that
   * stopped before storing, or by someone else). Nothing is stored here.
   */
  async #load(key: string, eventSourceId: EventSourceId, context: HeadCallContext): Promise<Loaded> {
    const stored = await this.#states.get(this.#definition.id, key);
    const current = this.#fromStored(key, stored);
    const events = await this.#eventsAfter(eventSourceId, current.version);
    if (events.length === 0) return { ok: true, current, stored };
    const projected = await projectEvents(this.#head, current, events, {
      eventSourceId,
      initialState: this.#definition.initialState,
      context,
      types: this.#types,
    });
    if (projected.failure !== undefined) {
      return {
        ok: false,
        reason: `the head failed to project event ${current.version + projected.projected} of its aggregate (committed earlier): ${projected.failure}`,
        progress: projected.current,
        stored,
      };
    }
    return { ok: true, current: projected.current, stored };
  }

  #fromStored(key: string, stored: EmbeddingState | undefined): EmbeddingCurrentState {
    const { initialState } = this.#definition;
    if (stored === undefined) return { type: 'initial', key, state: initialState, version: 0 as AggregateRootVersion };
    if (stored.removed) {
      return { type: 'deleted', key, state: initialState, lastState: stored.state, version: stored.version };
    }
    return { type: 'persisted', key, state: stored.state, version: stored.version };
  }

  /** The key's aggregate events from `version` on, in order. */
  async #eventsAfter(eventSourceId: EventSourceId, version: AggregateRootVersion): Promise<EmbeddingEvent[]> {
    const store = this.#tenant.store.events;
    const aggregateRootId = aggregateRootOf(this.#definition);
    const current = await store.aggregateVersion(aggregateRootId, eventSourceId);
    if (current === version) return [];
    if (current < version) {
      throw new StoreConsistency(
        `the read model of embedding ${this.#definition.id} for event source ${eventSourceId} is at version ${version}, but its aggregate has only ${current} events`,
      );
    }
    const fetched = await store.fetchForAggregate(aggregateRootId, eventSourceId);
    return fetched.events
      .filter((event) => (event.aggregate?.version ?? -1) >= version)
      .map((event) => ({ type: event.type, public: event.public, content: event.content }));
  }

  async #store(key: string, eventSourceId: EventSourceId, state: EmbeddingState): Promise<void> {
    await this.#states.set(this.#definition.id, key, state);
    this.#keys.set(eventSourceId, key);
  }

  async #refreshAll(): Promise<void> {
    const all = await this.#states.getAll(this.#definition.id, { includeRemoved: true });
    for (const key of all.keys()) this.#keys.set(eventSourceIdForKey(key), key);
    await this.#refreshKeys(all.keys());
  }

  async #refreshKeys(keys: Iterable<string>): Promise<void> {
    const context: HeadCallContext = { executionContext: this.#executionContext, signal: this.#signal };
    for (const key of keys) {
      if (this.#signal.aborted) return;
      const eventSourceId = eventSourceIdForKey(key);
      try {
        const loaded = await this.#load(key, eventSourceId, context);
        // Whatever was projected is kept, even when the head failed on a later event.
        const current = loaded.ok ? loaded.current : loaded.progress;
        if (current.version !== (loaded.stored?.version ?? 0)) {
          await this.#store(key, eventSourceId, storedFormOf(current));
        }
        if (loaded.ok) {
          this.#stale.delete(key);
        } else {
          this.#stale.add(key);
          this.#logger.warn({ key, reason: loaded.reason }, 'embedding refresh of a key failed; it is retried later');
        }
      } catch (error) {
        if (this.#signal.aborted) return;
        this.#stale.add(key);
        this.#logger.warn({ err: error, key }, 'embedding refresh of a key failed; it is retried later');
      }
    }
  }

  /** Reads the event log from `from` and returns the stored keys whose aggregate got new events. */
  async #keysWithNewEvents(from: number): Promise<{ keys: Set<string>; next: number }> {
    const aggregateRootId = aggregateRootOf(this.#definition);
    const keys = new Set<string>();
    let next = from;
    for (;;) {
      const events: readonly CommittedEvent[] = await this.#tenant.store.events.read(defaultScope, {
        from: next as EventLogSequenceNumber,
        limit: readBatch,
      });
      for (const event of events) {
        if (event.aggregate?.rootId !== aggregateRootId) continue;
        const key = this.#keys.get(event.eventSourceId);
        if (key !== undefined) keys.add(key);
      }
      const last = events[events.length - 1];
      if (last !== undefined) next = last.sequenceNumber + 1;
      if (events.length < readBatch) return { keys, next };
    }
  }
}

const disconnected: EmbeddingOutcome = {
  ok: false,
  reason: 'the head that registered the embedding disconnected (or the Runtime is stopping); try again once it is back',
  loop: false,
};

function storedFormOf(current: EmbeddingCurrentState): EmbeddingState {
  return current.type === 'deleted'
    ? { state: current.lastState, version: current.version, removed: true }
    : { state: current.state, version: current.version, removed: current.type === 'initial' };
}

function sameStored(a: EmbeddingState | undefined, b: EmbeddingState): boolean {
  return a !== undefined && a.state === b.state && a.version === b.version && a.removed === b.removed;
}
