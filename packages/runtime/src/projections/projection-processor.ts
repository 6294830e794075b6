import { type EventLogSequenceNumber, type StreamPosition, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReadModelChange, StreamProcessorState, TenantStore } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import { type EventWatcher, KnownEnd, yieldToEventLoop } from '../processing/event-watcher.js';
import type { ProcessingContext, ProcessingResult, RetryState } from '../processing/processing-result.js';
import { failureAfter, untilRetry } from '../processing/retry-schedule.js';
import { loadOrCreateState } from '../processing/stream-processor-state.js';
import type { ProjectionDefinition, ProjectionSelector } from './projection-definition.js';
import { projectionKey } from './projection-key.js';
import { projectionProcessorKey, readModelSet } from './projection-registry.js';

export interface ProjectionCurrentState {
  readonly type: 'initial' | 'persisted';
  readonly key: string;
  readonly state: string;
}

export type ProjectionOutcome =
  | { readonly kind: 'replace'; readonly state: string }
  | { readonly kind: 'delete' }
  | Extract<ProcessingResult, { kind: 'failed' }>;

/** The head's side of a projection: given the current read model and an event, the next read model. */
export interface ProjectionHead {
  project(
    current: ProjectionCurrentState,
    event: CommittedEvent,
    retry: RetryState | undefined,
    context: ProcessingContext,
  ): Promise<ProjectionOutcome>;
}

export interface RunProjectionOptions {
  readonly store: TenantStore;
  readonly definition: ProjectionDefinition;
  readonly generation: number;
  readonly head: ProjectionHead;
  readonly watcher: EventWatcher;
  readonly context: ProcessingContext;
  readonly logger: Logger;
  /** Called whenever the projection has processed the whole log (e.g. to promote a rebuild). */
  readonly onCaughtUp?: () => Promise<void>;
  /**
   * Events of different keys in flight at once (default 256: enough to keep a head busy across the round trip);
   * one key's events are always projected in order.
   */
  readonly keysInFlight?: number;
  readonly batchSize?: number;
  readonly pollFallbackMs?: number;
}

type Unpartitioned = Extract<StreamProcessorState, { kind: 'unpartitioned' }>;
type Failed = Extract<ProcessingResult, { kind: 'failed' }>;

/**
 * Runs one tenant's projection over the (scoped) event log. Events are projected in batches; a batch's read models
 * are read in one go, and inside a batch events of different keys go to the head concurrently while each key's
 * events stay in order. A batch's read-model changes and the new position are written in one transaction, so no
 * event is ever applied twice or lost.
 *
 * A failure stops the projection at the failing event (everything before it is kept, nothing after it) and, unlike
 * Dolittle 6 which halts for good, it is retried after the head's retry timeout. A key that cannot be read from an
 * event parks the projection (retrying cannot change the event): the definition has to change.
 */
export async function runProjection(options: RunProjectionOptions): Promise<void> {
  const { store, definition, generation, head, watcher, context, logger } = options;
  const signal = context.signal;
  const { processorStates } = store;
  const readModels = store.projections;
  const set = readModelSet(definition.scope, definition.id, generation);
  const key = projectionProcessorKey(definition.scope, definition.id, generation);
  const selectors = new Map<string, ProjectionSelector>(definition.selectors.map((s) => [s.type, s]));
  const keysInFlight = Math.max(1, options.keysInFlight ?? 256);
  const batchSize = options.batchSize ?? 1000;
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  const source = { kind: 'event-log', scope: definition.scope } as const;
  const loaded = await loadOrCreateState(processorStates, key, false);
  let state: Unpartitioned =
    loaded.kind === 'unpartitioned' ? loaded : { ...loaded, kind: 'unpartitioned', failure: undefined };

  // While a batch is projected, the next one is read (`prefetched`) and the previous one is written (`writing`): a
  // batch is written only once the one before it is, and its read models are read over the states of the batch
  // still being written, so it never sees stale ones. A batch that fails or stops is written before anything else.
  let prefetched: { readonly from: number; readonly events: Promise<readonly CommittedEvent[]> } | undefined;
  let writing: { readonly done: Promise<void>; readonly states: ReadonlyMap<string, string | undefined> } | undefined;
  const written = async () => {
    const pending = writing;
    writing = undefined;
    await pending?.done;
  };
  const logEnd = new KnownEnd(watcher, source);
  const read = async (from: number): Promise<readonly CommittedEvent[]> => {
    const recent = watcher.recent(source, from, batchSize);
    const events =
      recent !== undefined
        ? recent.map((entry) => entry.event)
        : logEnd.nothingFrom(from)
          ? []
          : await store.events.read(definition.scope, { from: from as EventLogSequenceNumber, limit: batchSize });
    const last = events[events.length - 1];
    logEnd.read(from, batchSize, events.length, last === undefined ? from : last.sequenceNumber + 1);
    return events;
  };

  // One waiter for every wait for new events of the log.
  const waiter = watcher.waiter(source, signal);
  try {
    while (!signal.aborted) {
      let retry: RetryState | undefined;
      if (state.failure !== undefined) {
        await untilRetry(state.failure, signal);
        if (signal.aborted) return;
        retry = { reason: state.failure.reason, retryCount: state.failure.attempts - 1 };
      }
      await yieldToEventLoop();
      const ahead = prefetched;
      prefetched = undefined;
      const events = await (ahead?.from === state.position ? ahead.events : read(state.position));
      if (signal.aborted) return;
      if (events.length === 0) {
        await written();
        if (state.failure !== undefined) {
          state = { ...state, failure: undefined };
          await processorStates.set(key, state);
        }
        await options.onCaughtUp?.();
        await waiter.wait(state.position, pollFallbackMs);
        continue;
      }
      const end = (events[events.length - 1] as CommittedEvent).sequenceNumber + 1;
      if (events.length === batchSize) {
        prefetched = { from: end, events: read(end) };
        // Dropped unread when this batch stops early; its failure then matters no more than the read itself.
        prefetched.events.catch(() => {});
      }

      const batch = await projectBatch(events, retry, writing?.states);
      if (signal.aborted && batch.failure === undefined && batch.upTo === state.position) return;
      const now = new Date();
      const failure =
        batch.failure === undefined
          ? undefined
          : failureAfter(
              batch.failure.result,
              batch.failure.position === state.position && state.failure !== undefined ? state.failure.attempts + 1 : 1,
              now,
            );
      const next: Unpartitioned = {
        kind: 'unpartitioned',
        position: batch.upTo as StreamPosition,
        failure,
        lastSuccessfullyProcessed: batch.upTo !== state.position ? now : state.lastSuccessfullyProcessed,
      };
      await written();
      const done = readModels.apply(set, batch.changes, { key, state: next });
      state = next;
      if (batch.upTo === end && failure === undefined && !signal.aborted) {
        // Awaited by `written` before the next write or anything that needs it durable; never left unobserved.
        done.catch(() => {});
        writing = { done, states: new Map(batch.changes.map((change) => [change.key, change.state])) };
        continue;
      }
      await done;
      if (failure !== undefined) {
        logger.warn(
          { tenant: store.tenantId, position: batch.upTo, reason: failure.reason, retryAt: failure.retryAt },
          failure.retryAt === undefined
            ? 'projection failed; parked until its definition changes'
            : 'projection failed; it will retry',
        );
      }
    }
  } finally {
    waiter.close();
    await written();
  }

  /**
   * Projects one batch: keys every selected event (a key that cannot be read fails the batch there), reads the
   * current read models of all its keys in one go (`unwritten`: the states of the previous batch, which may still be
   * being written, win), then projects each key's events in order, up to `keysInFlight` keys at once. Returns the
   * changes of every event before the first failure or unfinished event, and that position.
   */
  async function projectBatch(
    events: readonly CommittedEvent[],
    retry: RetryState | undefined,
    unwritten: ReadonlyMap<string, string | undefined> | undefined,
  ) {
    let failedAt = Number.POSITIVE_INFINITY;
    let failedWith: Failed | undefined;
    const fail = (position: number, result: Failed) => {
      if (position < failedAt) {
        failedAt = position;
        failedWith = result;
      }
    };

    // Each key's events (indices into `events`), keys in the order of their first event.
    const byKey = new Map<string, number[]>();
    for (let index = 0; index < events.length; index++) {
      const event = events[index] as CommittedEvent;
      const selector = selectors.get(event.type.id);
      if (selector === undefined) continue;
      const keyed = projectionKey(selector.key, event, unspecifiedPartition, definition.id);
      if (!keyed.ok) {
        fail(event.sequenceNumber, { kind: 'failed', reason: keyed.reason, retry: false, retryAfterMs: 0 });
        break;
      }
      const indices = byKey.get(keyed.key);
      if (indices === undefined) byKey.set(keyed.key, [index]);
      else indices.push(index);
    }
    const stored = byKey.size === 0 ? new Map<string, string>() : await readModels.getMany(set, [...byKey.keys()]);

    const changes: (ReadModelChange & { position: number })[] = [];
    const keys = byKey.entries();
    let stopped = false;
    let error: { readonly cause: unknown } | undefined;
    const projectKeys = async () => {
      for (let next = keys.next(); !next.done; next = keys.next()) {
        const [readModelKey, indices] = next.value;
        let state = unwritten?.has(readModelKey) ? unwritten.get(readModelKey) : stored.get(readModelKey);
        for (const index of indices) {
          const event = events[index] as CommittedEvent;
          if (event.sequenceNumber > failedAt) break;
          if (stopped || signal.aborted) return;
          const current: ProjectionCurrentState =
            state === undefined
              ? { type: 'initial', key: readModelKey, state: definition.initialState }
              : { type: 'persisted', key: readModelKey, state };
          let outcome: ProjectionOutcome;
          try {
            outcome = await head.project(current, event, index === 0 ? retry : undefined, context);
          } catch (cause) {
            // The head went away (or the call failed outside the protocol): stop without recording a failure.
            stopped = true;
            if (!signal.aborted) error ??= { cause };
            return;
          }
          if (outcome.kind === 'failed') {
            fail(event.sequenceNumber, outcome);
            break;
          }
          state = outcome.kind === 'replace' ? outcome.state : undefined;
          changes.push({ key: readModelKey, state, position: event.sequenceNumber });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(keysInFlight, byKey.size) }, projectKeys));
    if (error !== undefined) throw error.cause;

    const lastEvent = events[events.length - 1] as CommittedEvent;
    let upTo = failedAt === Number.POSITIVE_INFINITY ? lastEvent.sequenceNumber + 1 : failedAt;
    if (stopped || signal.aborted) {
      // Keep only what is certain: everything before the first event that did not finish.
      upTo = Math.min(upTo, firstUnfinished(events, changes, selectors, upTo));
    }
    const kept = changes.filter((c) => c.position < upTo).sort((a, b) => a.position - b.position);
    return {
      upTo,
      changes: kept.map(({ key: k, state: s }) => ({ key: k, state: s })),
      failure: failedWith === undefined || upTo !== failedAt ? undefined : { position: failedAt, result: failedWith },
    };
  }
}

/** The position of the first selected event without a recorded change (events of other types count as done). */
function firstUnfinished(
  events: readonly CommittedEvent[],
  changes: readonly { position: number }[],
  selectors: ReadonlyMap<string, ProjectionSelector>,
  limit: number,
): number {
  const done = new Set(changes.map((c) => c.position));
  for (const event of events) {
    if (event.sequenceNumber >= limit) break;
    if (selectors.has(event.type.id) && !done.has(event.sequenceNumber)) return event.sequenceNumber;
  }
  return limit;
}
