import {
  type ArtifactId,
  type EventLogSequenceNumber,
  emptyGuid,
  eventLogStream,
  type Guid,
  type PartitionId,
  RegistrationFailed,
  type ScopeId,
  type StreamId,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import type { StreamProcessorKey, StreamRef, TenantStore } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import type { EventWatcher } from './event-watcher.js';
import { streamClaim } from './filter.js';
import { runFilterProcessor } from './filter-processor.js';
import { runPartitionedProcessor } from './partitioned-processor.js';
import type { EventProcessor, ProcessingContext } from './processing-result.js';
import { type ProcessingEnvironment, type Registration, runForEveryTenant } from './registration.js';
import { loadOrCreateState } from './stream-processor-state.js';
import { createStreamSource } from './stream-source.js';
import { runUnpartitionedProcessor } from './unpartitioned-processor.js';

export interface EventHandlerDefinition {
  readonly scope: ScopeId;
  readonly id: Guid;
  readonly types: readonly ArtifactId[];
  readonly partitioned: boolean;
}

interface PersistedFilterDefinition {
  readonly types: readonly string[];
  readonly partitioned: boolean;
}

export function eventHandlerKeys(definition: EventHandlerDefinition) {
  const stream = definition.id as string as StreamId;
  const filter: StreamProcessorKey = {
    scope: definition.scope,
    processorId: definition.id,
    sourceStream: eventLogStream,
  };
  const processor: StreamProcessorKey = { scope: definition.scope, processorId: definition.id, sourceStream: stream };
  const target: StreamRef = { scope: definition.scope, stream, public: false };
  return { filter, processor, target };
}

/**
 * Checks a registration against what a tenant has persisted, and persists the new definition. Refused when the
 * handler's stream already holds events filtered with other event types (adding or removing types that were already
 * filtered would make the stream disagree with its definition), or when partitioning changed.
 */
export async function prepareEventHandler(store: TenantStore, definition: EventHandlerDefinition): Promise<void> {
  if (definition.id === (emptyGuid as string)) {
    throw new RegistrationFailed(
      'event-handler',
      definition.id,
      'the empty id is the event log, which cannot be written',
    );
  }
  const { definitions, processorStates } = store;
  const keys = eventHandlerKeys(definition);
  const persisted = await definitions.get('filter', definition.scope, definition.id);
  const processorState = await processorStates.get(keys.processor);
  if (processorState !== undefined && (processorState.kind === 'partitioned') !== definition.partitioned) {
    throw new RegistrationFailed(
      'event-handler',
      definition.id,
      `it was registered ${processorState.kind} before and cannot become ${definition.partitioned ? 'partitioned' : 'unpartitioned'} (tenant ${store.tenantId})`,
    );
  }
  const types = [...new Set(definition.types as readonly string[])].sort();
  if (persisted !== undefined) {
    const previous = JSON.parse(persisted) as PersistedFilterDefinition | { readonly filter: string };
    if ('filter' in previous) {
      throw new RegistrationFailed(
        'event-handler',
        definition.id,
        `its stream was written by a ${previous.filter} filter with the same id and cannot be taken over by an event handler (tenant ${store.tenantId})`,
      );
    }
    const before = new Set(previous.types);
    const now = new Set(types);
    const changed = [...types.filter((t) => !before.has(t)), ...previous.types.filter((t) => !now.has(t))];
    if (changed.length > 0) {
      const filterState = await processorStates.get(keys.filter);
      const filtered = filterState?.position ?? 0;
      const found = await firstEventOfTypes(store, definition.scope, new Set(changed), filtered);
      if (found !== undefined) {
        throw new RegistrationFailed(
          'event-handler',
          definition.id,
          `the new filter definition has added or removed event types that have already been filtered (event type ${found.type} at sequence number ${found.sequenceNumber}, tenant ${store.tenantId})`,
        );
      }
    }
  }
  const next: PersistedFilterDefinition = { types, partitioned: definition.partitioned };
  if (persisted !== JSON.stringify(next))
    await definitions.set('filter', definition.scope, definition.id, JSON.stringify(next));
}

async function firstEventOfTypes(store: TenantStore, scope: ScopeId, types: ReadonlySet<string>, before: number) {
  for (let from = 0; from < before; ) {
    const page = await store.events.read(scope, {
      from: from as EventLogSequenceNumber,
      limit: Math.min(5000, before - from),
    });
    if (page.length === 0) return undefined;
    for (const event of page) {
      if (types.has(event.type.id)) return { type: event.type.id, sequenceNumber: event.sequenceNumber };
    }
    from = (page[page.length - 1]?.sequenceNumber ?? before) + 1;
  }
  return undefined;
}

export interface RunEventHandlerOptions {
  readonly store: TenantStore;
  readonly definition: EventHandlerDefinition;
  readonly processor: EventProcessor;
  readonly watcher: EventWatcher;
  readonly context: ProcessingContext;
  readonly logger: Logger;
  readonly partitionsInFlight: number;
}

/**
 * Runs one tenant's event handler: a type filter over the (scoped) event log writing the stream `eventHandlerId`
 * (partitioned by event source when partitioned), and a processor over that stream calling the head. Resolves when
 * the context's signal aborts (the head went away); rejects if either part fails for another reason.
 */
export async function runEventHandler(options: RunEventHandlerOptions): Promise<void> {
  const { store, definition, watcher, logger } = options;
  const { streams, processorStates } = store;
  // One part failing stops the other too; both have stopped before this settles.
  const parts = new AbortController();
  const stopParts = () => parts.abort();
  options.context.signal.addEventListener('abort', stopParts, { once: true });
  if (options.context.signal.aborted) parts.abort();
  const context = { ...options.context, signal: parts.signal };
  const keys = eventHandlerKeys(definition);
  const types = new Set<string>(definition.types);
  const filterState = await loadOrCreateState(processorStates, keys.filter, false);
  const processorState = await loadOrCreateState(processorStates, keys.processor, definition.partitioned);
  const log = logger.child({ eventHandler: definition.id, scope: definition.scope, tenant: store.tenantId });

  const filter = runFilterProcessor(
    {
      key: keys.filter,
      source: createStreamSource(store, { kind: 'event-log', scope: definition.scope }, watcher),
      states: processorStates,
      streams,
      watcher,
      target: keys.target,
      context,
      logger: log,
      deterministic: true,
      filter: {
        filter: (event) =>
          types.has(event.type.id)
            ? {
                kind: 'included',
                partition: definition.partitioned
                  ? (event.eventSourceId as string as PartitionId)
                  : unspecifiedPartition,
              }
            : { kind: 'excluded' },
      },
    },
    filterState.kind === 'unpartitioned' ? filterState : { ...filterState, kind: 'unpartitioned', failure: undefined },
  );
  const processorOptions = {
    key: keys.processor,
    source: createStreamSource(store, { kind: 'stream', ...keys.target }, watcher),
    states: processorStates,
    watcher,
    processor: options.processor,
    context,
    logger: log,
  };
  const processor =
    processorState.kind === 'partitioned'
      ? runPartitionedProcessor({ ...processorOptions, partitionsInFlight: options.partitionsInFlight }, processorState)
      : runUnpartitionedProcessor(processorOptions, processorState);
  // A reconnecting head must never meet a filter still writing: wait for both parts whatever happens.
  const [filtered, processed] = await Promise.allSettled([
    filter.catch((error: unknown) => {
      parts.abort();
      throw error;
    }),
    processor.catch((error: unknown) => {
      parts.abort();
      throw error;
    }),
  ]);
  options.context.signal.removeEventListener('abort', stopParts);
  if (filtered.status === 'rejected' && !options.context.signal.aborted) throw filtered.reason;
  if (processed.status === 'rejected' && !options.context.signal.aborted) throw processed.reason;
}

/**
 * Registers an event handler for every configured tenant: refused while another head has it (or a filter writes its
 * stream), or when its definition changed incompatibly. Throws RegistrationFailed.
 */
export async function registerEventHandler(
  env: ProcessingEnvironment,
  definition: EventHandlerDefinition,
  processor: EventProcessor,
): Promise<Registration> {
  const release = env.active.claim(streamClaim(eventHandlerKeys(definition).target));
  if (release === undefined) {
    throw new RegistrationFailed('event-handler', definition.id, 'it is already registered by a connected head');
  }
  try {
    for (const tenant of env.tenants.all()) await prepareEventHandler(tenant.store, definition);
  } catch (error) {
    release();
    throw error;
  }
  const log = env.logger.child({ eventHandler: definition.id, scope: definition.scope });
  return runForEveryTenant(env.tenants, release, log, (tenant, signal) =>
    runEventHandler({
      store: tenant.store,
      definition,
      processor,
      watcher: tenant.watcher,
      context: { tenant: tenant.id, scope: definition.scope, partitioned: definition.partitioned, signal },
      logger: log,
      partitionsInFlight: env.partitionsInFlight,
    }),
  );
}
