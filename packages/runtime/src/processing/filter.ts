import {
  defaultScope,
  type EventLogSequenceNumber,
  emptyGuid,
  eventLogStream,
  type Guid,
  RegistrationFailed,
  type ScopeId,
  type StreamId,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import type { StreamProcessorKey, StreamRef, TenantStore } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import type { EventWatcher } from './event-watcher.js';
import { runFilterProcessor } from './filter-processor.js';
import type { EventFilter, ProcessingContext } from './processing-result.js';
import { type ProcessingEnvironment, type Registration, runForEveryTenant } from './registration.js';
import { loadOrCreateState } from './stream-processor-state.js';
import { createStreamSource } from './stream-source.js';

export type FilterKind = 'unpartitioned' | 'partitioned' | 'public';

/** A filter the head runs: it decides per event whether it goes into the stream `id` (and its partition). */
export interface FilterDefinition {
  readonly scope: ScopeId;
  readonly id: Guid;
  readonly kind: FilterKind;
}

export function filterKeys(definition: FilterDefinition) {
  const stream = definition.id as string as StreamId;
  const scope = definition.kind === 'public' ? defaultScope : definition.scope;
  const key: StreamProcessorKey = { scope, processorId: definition.id, sourceStream: eventLogStream };
  const target: StreamRef = { scope, stream, public: definition.kind === 'public' };
  return { key, target };
}

/** The claim that keeps two heads (or a handler and a filter) from writing the same stream at once. */
export function streamClaim(target: StreamRef): string {
  return `${target.public ? 'public-stream' : 'stream'}/${target.scope}/${target.stream}`;
}

/** Checks a client filter's registration against what the tenant persisted, and persists its definition. */
export async function prepareFilter(store: TenantStore, definition: FilterDefinition): Promise<void> {
  if (definition.id === (emptyGuid as string)) {
    throw new RegistrationFailed('filter', definition.id, 'the empty id is the event log, which cannot be written');
  }
  const { definitions } = store;
  const { target } = filterKeys(definition);
  const persisted = await definitions.get('filter', target.scope, definition.id);
  const next = JSON.stringify({ filter: definition.kind });
  if (persisted !== undefined && persisted !== next) {
    const previous = JSON.parse(persisted) as { filter?: string };
    const was = previous.filter === undefined ? 'an event handler' : `a ${previous.filter} filter`;
    throw new RegistrationFailed(
      'filter',
      definition.id,
      `its stream was written by ${was} and cannot be taken over by a ${definition.kind} filter (tenant ${store.tenantId})`,
    );
  }
  if (persisted === undefined) await definitions.set('filter', target.scope, definition.id, next);
}

/**
 * Re-runs the head's filter over the events it already filtered and compares the result with its stream (count,
 * sequence numbers, and partitions for partitioned filters), as Dolittle does on re-registration. Returns why they
 * differ, or undefined when they agree (or nothing was filtered yet).
 */
export async function validateFilter(
  store: TenantStore,
  definition: FilterDefinition,
  filter: EventFilter,
  context: ProcessingContext,
): Promise<string | undefined> {
  const { streams, processorStates } = store;
  const { key, target } = filterKeys(definition);
  const state = await processorStates.get(key);
  const filtered = state?.position ?? 0;
  if (filtered === 0) return undefined;
  const stream: { sequenceNumber: number; partition: string }[] = [];
  for (;;) {
    const page = await streams.read(target, { from: stream.length as StreamPosition, limit: 1000 });
    if (page.length === 0) break;
    for (const entry of page) stream.push({ sequenceNumber: entry.event.sequenceNumber, partition: entry.partition });
  }
  let index = 0;
  for (let from = 0; from < filtered; ) {
    const page = await store.events.read(key.scope, {
      from: from as EventLogSequenceNumber,
      limit: Math.min(1000, filtered - from),
    });
    if (page.length === 0) break;
    for (const event of page) {
      if (context.signal.aborted) return undefined;
      const result =
        definition.kind === 'public' && !event.public
          ? { kind: 'excluded' as const }
          : await filter.filter(event, undefined, context);
      if (result.kind === 'failed')
        return `the filter failed while re-filtering event ${event.sequenceNumber}: ${result.reason}`;
      if (result.kind === 'excluded') continue;
      const existing = stream[index++];
      if (existing === undefined)
        return 'the number of events included in the new stream generated from the filter does not match the old stream';
      if (existing.sequenceNumber !== event.sequenceNumber) {
        return `the new stream generated from the filter includes event ${event.sequenceNumber} where the old stream has event ${existing.sequenceNumber}`;
      }
      if (definition.kind !== 'unpartitioned' && existing.partition !== result.partition) {
        return `the new stream generated from the filter puts event ${event.sequenceNumber} in partition ${result.partition}, the old stream in ${existing.partition}`;
      }
    }
    from = (page[page.length - 1]?.sequenceNumber ?? filtered) + 1;
  }
  if (index !== stream.length)
    return 'the number of events included in the new stream generated from the filter does not match the old stream';
  return undefined;
}

export interface RunFilterOptions {
  readonly store: TenantStore;
  readonly definition: FilterDefinition;
  readonly filter: EventFilter;
  readonly watcher: EventWatcher;
  readonly context: ProcessingContext;
  readonly logger: Logger;
}

/** Runs one tenant's client filter over the (scoped) event log into its stream until the head goes away. */
export async function runClientFilter(options: RunFilterOptions): Promise<void> {
  const { store, definition, watcher, context, logger } = options;
  const { streams, processorStates } = store;
  const { key, target } = filterKeys(definition);
  const state = await loadOrCreateState(processorStates, key, false);
  const publicOnly = definition.kind === 'public';
  await runFilterProcessor(
    {
      key,
      source: createStreamSource(store, { kind: 'event-log', scope: key.scope }, watcher),
      states: processorStates,
      streams,
      watcher,
      target,
      context,
      logger: logger.child({ filter: definition.id, scope: key.scope, tenant: store.tenantId }),
      // Public filters only ever see public events; private ones are excluded without asking the head.
      filter: publicOnly
        ? {
            filter: (event, retry, ctx) =>
              event.public ? options.filter.filter(event, retry, ctx) : { kind: 'excluded' },
          }
        : options.filter,
    },
    state.kind === 'unpartitioned' ? state : { ...state, kind: 'unpartitioned', failure: undefined },
  );
}

/**
 * Registers a head's filter for every configured tenant. Throws RegistrationFailed when its stream is taken or was
 * written by another kind of processor. `run` first re-filters what the filter already filtered and stops with
 * RegistrationFailed if the result differs from its stream (as Dolittle does, after the registration was accepted).
 */
export async function registerFilter(
  env: ProcessingEnvironment,
  definition: FilterDefinition,
  filter: EventFilter,
): Promise<Registration> {
  const { target } = filterKeys(definition);
  const release = env.active.claim(streamClaim(target));
  if (release === undefined) {
    throw new RegistrationFailed('filter', definition.id, 'its stream is already written by a connected head');
  }
  try {
    for (const tenant of env.tenants.all()) await prepareFilter(tenant.store, definition);
  } catch (error) {
    release();
    throw error;
  }
  const log = env.logger.child({ filter: definition.id, scope: target.scope, kind: definition.kind });
  return runForEveryTenant(env.tenants, release, log, async (tenant, signal) => {
    const context = {
      tenant: tenant.id,
      scope: target.scope,
      partitioned: definition.kind !== 'unpartitioned',
      signal,
    };
    const invalid = await validateFilter(tenant.store, definition, filter, context);
    if (invalid !== undefined) {
      throw new RegistrationFailed(
        'filter',
        definition.id,
        `its stream does not match the filter (tenant ${tenant.id}): ${invalid}`,
      );
    }
    await runClientFilter({ store: tenant.store, definition, filter, watcher: tenant.watcher, context, logger: log });
  });
}
