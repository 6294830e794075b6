import { type EventLogSequenceNumber, type StreamPosition, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReadModelChange, StreamProcessorState, TenantStore } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import { type EventWatcher, sleep, yieldToEventLoop } from '../processing/event-watcher.js';
import type { ProcessingContext, ProcessingResult, RetryState } from '../processing/processing-result.js';
import { failureAfter } from '../processing/retry-schedule.js';
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
  /** Events of different keys in flight at once; one key's events are always projected in order. */
  readonly keysInFlight?: number;
  readonly batchSize?: number;
  readonly pollFallbackMs?: number;
}

type Unpartitioned = Extract<StreamProcessorState, { kind: 'unpartitioned' }>;
type Failed = Extract<ProcessingResult, { kind: 'failed' }>;

/**
 * Runs one tenant's projection over the (scoped) event log. Events are projected in batches; inside a batch events
 * of different keys go to the head concurrently while each key's events stay in order. A batch's read-model
 * changes and the new position are written in one transaction, so no event is ever applied twice or lost.
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
  const keysInFlight = Math.max(1, options.keysInFlight ?? 64);
  const batchSize = options.batchSize ?? 1000;
  const pollFallbackMs = options.pollFallbackMs ?? 60_000;
  const source = { kind: 'event-log', scope: definition.scope } as const;
  const loaded = await loadOrCreateState(processorStates, key, false);
  let state: Unpartitioned =
    loaded.kind === 'unpartitioned' ? loaded : { ...loaded, kind: 'unpartitioned', failure: undefined };

  while (!signal.aborted) {
    let retry: RetryState | undefined;
    if (state.failure !== undefined) {
      const { retryAt } = state.failure;
      await sleep(retryAt === undefined ? Number.MAX_SAFE_INTEGER : retryAt.getTime() - Date.now(), signal);
      if (signal.aborted) return;
      retry = { reason: state.failure.reason, retryCount: state.failure.attempts - 1 };
    }
    await yieldToEventLoop();
    const events = await store.events.read(definition.scope, {
      from: state.position as number as EventLogSequenceNumber,
      limit: batchSize,
    });
    if (signal.aborted) return;
    if (events.length === 0) {
      if (state.failure !== undefined) {
        state = { ...state, failure: undefined };
        await processorStates.set(key, state);
      }
      await options.onCaughtUp?.();
      await watcher.wait(source, state.position, { timeoutMs: pollFallbackMs, signal });
      continue;
    }

    const batch = await projectBatch(events, retry);
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
    await readModels.apply(set, batch.changes, { key, state: next });
    state = next;
    if (failure !== undefined) {
      logger.warn(
        { tenant: store.tenantId, position: batch.upTo, reason: failure.reason, retryAt: failure.retryAt },
        failure.retryAt === undefined
          ? 'projection failed; parked until its definition changes'
          : 'projection failed; it will retry',
      );
    }
  }

  async function projectBatch(events: readonly CommittedEvent[], retry: RetryState | undefined) {
    const cache = new Map<string, { state: string | undefined; persisted: boolean }>();
    const changes: (ReadModelChange & { position: number })[] = [];
    const tails = new Map<string, Promise<void>>();
    const inFlight = new Set<Promise<void>>();
    let failedAt = Number.POSITIVE_INFINITY;
    let failedWith: Failed | undefined;
    const fail = (position: number, result: Failed) => {
      if (position < failedAt) {
        failedAt = position;
        failedWith = result;
      }
    };
    let aborted = false;

    const current = async (readModelKey: string): Promise<ProjectionCurrentState> => {
      let entry = cache.get(readModelKey);
      if (entry === undefined) {
        const stored = await readModels.get(set, readModelKey);
        entry = { state: stored, persisted: stored !== undefined };
        cache.set(readModelKey, entry);
      }
      return entry.state === undefined
        ? { type: 'initial', key: readModelKey, state: definition.initialState }
        : { type: 'persisted', key: readModelKey, state: entry.state };
    };

    for (const [index, event] of events.entries()) {
      if (event.sequenceNumber > failedAt || signal.aborted) break;
      const selector = selectors.get(event.type.id);
      if (selector === undefined) continue;
      const keyed = projectionKey(selector.key, event, unspecifiedPartition, definition.id);
      if (!keyed.ok) {
        fail(event.sequenceNumber, { kind: 'failed', reason: keyed.reason, retry: false, retryAfterMs: 0 });
        break;
      }
      const readModelKey = keyed.key;
      while (inFlight.size >= keysInFlight) await Promise.race(inFlight);
      const previous = tails.get(readModelKey) ?? Promise.resolve();
      const work = previous.then(async () => {
        if (event.sequenceNumber > failedAt || aborted) return;
        const outcome = await head.project(
          await current(readModelKey),
          event,
          index === 0 ? retry : undefined,
          context,
        );
        if (outcome.kind === 'failed') {
          fail(event.sequenceNumber, outcome);
          return;
        }
        const next = outcome.kind === 'replace' ? outcome.state : undefined;
        cache.set(readModelKey, { state: next, persisted: true });
        changes.push({ key: readModelKey, state: next, position: event.sequenceNumber });
      });
      const tracked = work.catch((error: unknown) => {
        // The head went away (or the call failed outside the protocol): stop without recording a failure.
        aborted = true;
        if (!signal.aborted) throw error;
      });
      tails.set(
        readModelKey,
        tracked.catch(() => {}),
      );
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked)).catch(() => {});
    }
    const results = await Promise.allSettled(inFlight);
    for (const result of results) if (result.status === 'rejected') throw result.reason;

    const lastEvent = events[events.length - 1] as CommittedEvent;
    let upTo = failedAt === Number.POSITIVE_INFINITY ? lastEvent.sequenceNumber + 1 : failedAt;
    if (aborted || signal.aborted) {
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
