import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import {
  type Artifact,
  asArtifactId,
  asEventSourceId,
  asPartitionId,
  asTenantId,
  createGuid,
  defaultScope,
  type EventSourceId,
  type Guid,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { StoreProvider, TenantStore } from '@dolittle-ts/store';
import { buildExecutionContext, eventsCommit } from '@dolittle-ts/store/conformance';
import { createPostgresStoreProvider } from '@dolittle-ts/store-postgres';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import { pino } from 'pino';
import { Committer } from '../../events/committer.js';
import {
  type EventHandlerDefinition,
  eventHandlerKeys,
  prepareEventHandler,
  runEventHandler,
} from '../event-handler.js';
import { EventWatcher, notifyCommitted } from '../event-watcher.js';
import { runFilterProcessor } from '../filter-processor.js';
import { runPartitionedProcessor } from '../partitioned-processor.js';
import type { ProcessingContext } from '../processing-result.js';
import { loadOrCreateState } from '../stream-processor-state.js';
import { createStreamSource } from '../stream-source.js';
import {
  eventSourceCount,
  eventTypeCount,
  handledTypes,
  type PlannedEvent,
  plannedEvents,
  type Scenario,
} from './scenario.js';
import { type Delivery, HeadGone, SimulatedHead } from './simulated-head.js';

/*
 * Runs a generated scenario against the real engine: a tenant store (SQLite in memory; or a SQLite file or a
 * PostgreSQL schema, closed and reopened on each restart), the real Committer notifying a real EventWatcher, and
 * `runEventHandler` (or the same filter + partitioned processor wired with smaller batches) calling a SimulatedHead.
 */

/** Where the tenant store lives; a file or a PostgreSQL schema is closed and reopened on each restart. */
export type Storage =
  | { readonly kind: 'memory' }
  | { readonly kind: 'file'; readonly directory: string }
  | { readonly kind: 'postgres'; readonly connectionString: string };

export interface HarnessOptions {
  readonly storage: Storage;
  readonly partitioned: boolean;
  readonly partitionsInFlight: number;
  /**
   * Run the type filter and the partitioned processor directly with these knobs instead of `runEventHandler` (which
   * uses the defaults: batches of 100, 1000 events of read-ahead).
   */
  readonly knobs?: { readonly batchSize: number; readonly maxReadAhead: number };
  /** How long every handled event gets to be handled once the scenario's steps are done. */
  readonly livenessTimeoutMs: number;
}

/** An event as committed, with what the scenario planned for it. */
export interface CommittedRecord {
  readonly n: number;
  readonly sequenceNumber: number;
  readonly eventSourceId: EventSourceId;
  readonly source: number;
  readonly type: number;
  readonly typeId: string;
  readonly handled: boolean;
}

export interface Observation {
  readonly committed: readonly CommittedRecord[];
  readonly deliveries: readonly Delivery[];
  /** False when some handled event was still not handled `livenessTimeoutMs` after the last step. */
  readonly live: boolean;
  readonly incarnations: number;
  readonly maxPartitionsInFlight: number;
  readonly overlaps: readonly string[];
  /** Errors the processor stopped with (other than the head going away on a restart). */
  readonly errors: readonly string[];
  readonly elapsedMs: number;
}

const logger = pino({ level: process.env.DOLITTLE_TEST_LOG ?? 'silent' });

interface Open {
  readonly store: TenantStore;
  readonly watcher: EventWatcher;
  readonly committer: Committer;
}

export async function runScenario(scenario: Scenario, options: HarnessOptions): Promise<Observation> {
  const started = performance.now();
  const tenant: TenantId = asTenantId(createGuid());
  const sources = Array.from({ length: eventSourceCount }, () => asEventSourceId(createGuid()));
  const types: Artifact[] = Array.from({ length: eventTypeCount }, () => ({
    id: asArtifactId(createGuid()),
    generation: 1,
  }));
  const definition: EventHandlerDefinition = {
    scope: defaultScope,
    id: createGuid(),
    types: types.filter((_, i) => handledTypes.has(i)).map((t) => t.id),
    partitioned: options.partitioned,
  };
  const plan = plannedEvents(scenario);
  const head = new SimulatedHead(plan);
  const committed: CommittedRecord[] = [];
  const errors: string[] = [];
  const provider = providerFor(options.storage);

  const openTenant = async (): Promise<Open> => {
    const store = await provider.open(tenant);
    const watcher = new EventWatcher();
    const committer = new Committer({
      tenantId: tenant,
      store: store.events,
      onCommitted: (last, events) => notifyCommitted(watcher, last, events),
    });
    return { store, watcher, committer };
  };

  let open = await openTenant();
  let incarnation = 0;
  let nextN = 0;
  let controller = new AbortController();
  let running: Promise<void> = Promise.resolve();

  const start = async () => {
    await prepareEventHandler(open.store, definition);
    controller = new AbortController();
    head.startIncarnation(incarnation);
    const context: ProcessingContext = {
      tenant,
      scope: defaultScope,
      partitioned: options.partitioned,
      signal: controller.signal,
    };
    const run =
      options.knobs === undefined
        ? runEventHandler({
            store: open.store,
            definition,
            processor: head,
            watcher: open.watcher,
            context,
            logger,
            partitionsInFlight: options.partitionsInFlight,
          })
        : runWithKnobs(open, definition, head, context, options.partitionsInFlight, options.knobs);
    const signal = controller.signal;
    running = run.catch((error: unknown) => {
      // A head that goes away rejects its pending call; the unpartitioned processor passes that on.
      if (signal.aborted && error instanceof HeadGone) return;
      errors.push(`incarnation ${incarnation}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    });
  };

  const stop = async () => {
    // Abort between turns of the event loop, never in the middle of one (see SimulatedHead).
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        controller.abort();
        resolve();
      }),
    );
    await running;
    // runEventHandler settles as soon as one of its two parts rejects; give the other part time to see the abort.
    await nextTurn();
    await nextTurn();
  };

  /** Writes commits at once (the Committer batches them) and records what the store gave each event. */
  const commitAll = async (batch: readonly (readonly PlannedEvent[])[]) => {
    const commits = batch.map((events) => {
      const ns = events.map(() => nextN++);
      const commit = eventsCommit(
        events.map((e, i) => ({
          eventSourceId: sources[e.source] as EventSourceId,
          type: types[e.type] as Artifact,
          public: false,
          content: JSON.stringify({ n: ns[i] }),
        })),
        buildExecutionContext({ tenantId: tenant }),
      );
      return { events, ns, outcome: open.committer.commit(commit) };
    });
    for (const { events, ns, outcome } of commits) {
      const result = await outcome;
      if (!result.ok) throw new Error(`a scenario commit failed: ${JSON.stringify(result.failure)}`);
      result.events.forEach((event, i) => {
        const planned = events[i];
        if (planned === undefined) throw new Error('the store returned more events than were committed');
        committed.push({
          n: ns[i] as number,
          sequenceNumber: event.sequenceNumber,
          eventSourceId: event.eventSourceId,
          source: planned.source,
          type: planned.type,
          typeId: event.type.id,
          handled: handledTypes.has(planned.type),
        });
      });
    }
  };

  const restart = async () => {
    await stop();
    if (options.storage.kind !== 'memory') {
      await open.committer.drain();
      await open.store.close();
      open = await openTenant();
    }
    incarnation++;
    await start();
  };

  try {
    await start();
    for (const step of scenario.steps) {
      if (errors.length > 0) break;
      if (step.kind === 'pause') {
        await delay(step.ms);
      } else if (step.kind === 'restart') {
        await restart();
      } else {
        await commitAll(step.commits);
      }
    }
    const expected = new Set(committed.filter((c) => c.handled).map((c) => c.n));
    const live = errors.length === 0 && (await head.allHandled(expected, options.livenessTimeoutMs));
    await stop();
    return {
      committed,
      deliveries: head.deliveries,
      live,
      incarnations: incarnation + 1,
      maxPartitionsInFlight: head.maxPartitionsInFlight,
      overlaps: head.overlaps,
      errors,
      elapsedMs: performance.now() - started,
    };
  } finally {
    controller.abort();
    await running;
    await open.committer.drain();
    await open.store.close();
    await provider.close();
  }
}

function providerFor(storage: Storage): StoreProvider {
  switch (storage.kind) {
    case 'memory':
      return createSqliteStoreProvider({ memory: true });
    case 'file':
      return createSqliteStoreProvider({ directory: storage.directory });
    case 'postgres':
      return createPostgresStoreProvider({ connectionString: storage.connectionString });
  }
}

/** What `runEventHandler` does for a partitioned handler, with the processor's batch and read-ahead knobs exposed. */
async function runWithKnobs(
  open: Open,
  definition: EventHandlerDefinition,
  head: SimulatedHead,
  context: ProcessingContext,
  partitionsInFlight: number,
  knobs: { readonly batchSize: number; readonly maxReadAhead: number },
): Promise<void> {
  const { store, watcher } = open;
  const { streams, processorStates } = store;
  const keys = eventHandlerKeys(definition);
  const types = new Set<string>(definition.types);
  const filterState = await loadOrCreateState(processorStates, keys.filter, false);
  const processorState = await loadOrCreateState(processorStates, keys.processor, true);
  if (filterState.kind !== 'unpartitioned' || processorState.kind !== 'partitioned') {
    throw new Error('runWithKnobs runs a partitioned handler only');
  }
  await Promise.all([
    runFilterProcessor(
      {
        key: keys.filter,
        source: createStreamSource(store, { kind: 'event-log', scope: definition.scope }, watcher),
        states: processorStates,
        streams,
        watcher,
        target: keys.target,
        context,
        logger,
        batchSize: knobs.batchSize,
        filter: {
          filter: (event) =>
            types.has(event.type.id)
              ? { kind: 'included', partition: asPartitionId(event.eventSourceId as string as Guid) }
              : { kind: 'excluded' },
        },
      },
      filterState,
    ),
    runPartitionedProcessor(
      {
        key: keys.processor,
        source: createStreamSource(store, { kind: 'stream', ...keys.target }, watcher),
        states: processorStates,
        watcher,
        processor: head,
        context,
        logger,
        batchSize: knobs.batchSize,
        maxReadAhead: knobs.maxReadAhead,
        partitionsInFlight,
      },
      processorState,
    ),
  ]);
}
