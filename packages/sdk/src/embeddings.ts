/*
 * Embeddings (spec §2.7): a read model per key that the application changes by naming the state it wants. The
 * definition says which events lead there (`resolveUpdate`, `resolveDelete`) and how each event changes the read
 * model (`on`); the Runtime asks for the events, projects them through `on` until the desired state is reached,
 * commits them as aggregate events (aggregate root = the embedding id, event source = a hash of the key) and keeps
 * the read model. `client.embeddings.update(Employee, key, state)` does it; `get`, `getAll`, `getKeys` read.
 *
 *   const Employee = defineEmbedding({
 *     id: '…', events: { EmployeeHired, EmployeeTransferred, EmployeeRetired },
 *     initial: { name: '', workplace: 'Unassigned' },
 *     resolveUpdate: (current, desired, ctx) => ctx.readModel === 'initial'
 *       ? [EmployeeHired.create({ Name: desired.name })]
 *       : [EmployeeTransferred.create({ Name: desired.name, From: current.workplace, To: desired.workplace })],
 *     resolveDelete: (current) => EmployeeRetired.create({ Name: current.name }),
 *     on: {
 *       EmployeeHired: (_state, event) => ({ name: event.Name, workplace: 'Unassigned' }),
 *       EmployeeTransferred: (state, event) => ({ ...state, workplace: event.To }),
 *       EmployeeRetired: () => 'delete',
 *     },
 *   });
 */
import type { Artifact, EventSourceId, Guid, TenantId } from '@dolittle-ts/fundamentals';
import {
  type ContentOf,
  deserializeContent,
  EventTypeIndex,
  type EventTypeMap,
  type NewEvent,
  serializeContent,
} from './event-types.js';
import { type GuidLike, toGuid } from './ids.js';
import type { Logger } from './logger.js';
import type {
  EmbeddingEvent,
  EmbeddingEventsOutcome,
  EmbeddingProcessor,
  EmbeddingProjectOutcome,
  ReadModelState,
  RequestContext,
} from './transport/transport.js';

/** What `resolveUpdate` and `resolveDelete` get besides the states. */
export interface EmbeddingContext {
  readonly tenant: TenantId;
  readonly key: string;
  /** `initial`: the key has no read model (never had one, or it was deleted); the current state is the initial one. */
  readonly readModel: 'initial' | 'persisted';
  /** Aborted when the connection to the Runtime ends or the client closes. */
  readonly signal: AbortSignal;
}

/** What an `on` function gets besides the state and the event's content. */
export interface EmbeddingProjectContext extends EmbeddingContext {
  /** The key's event source id (CityHash128 of the key, as Dolittle computes it): where its events are stored. */
  readonly eventSourceId: EventSourceId;
  readonly eventType: Artifact;
  readonly public: boolean;
}

/** One of the embedding's events, made with `Type.create(content)` (its event source is ignored: the key decides). */
export type EmbeddingEventOf<Events extends EventTypeMap> = {
  readonly [Name in keyof Events]: NewEvent<ContentOf<Events[Name]>>;
}[keyof Events];

/** One event or several; none (`[]`) only when the state cannot change, which the Runtime reports as a loop. */
export type ResolvedEvents<Events extends EventTypeMap> =
  | EmbeddingEventOf<Events>
  | readonly EmbeddingEventOf<Events>[];

/** Return the next state, or `'delete'` to remove the read model. */
export type EmbeddingProjectResult<State> = State | 'delete';

export type EmbeddingHandlers<State, Events extends EventTypeMap> = {
  readonly [Name in keyof Events]: (
    state: State,
    event: ContentOf<Events[Name]>,
    context: EmbeddingProjectContext,
  ) => EmbeddingProjectResult<State> | Promise<EmbeddingProjectResult<State>>;
};

export interface EmbeddingOptions<State, Events extends EventTypeMap> {
  /** The embedding id: also the aggregate root id its events are committed under. */
  readonly id: GuidLike;
  readonly events: Events;
  /** The read model of a key before its first event. Must be JSON. */
  readonly initial: State;
  /** The events that take the read model from `current` to `desired` (`resolveUpdateToEvents`). */
  readonly resolveUpdate: (
    current: State,
    desired: State,
    context: EmbeddingContext,
  ) => ResolvedEvents<Events> | Promise<ResolvedEvents<Events>>;
  /** The events that delete the read model (`resolveDeletionToEvents`); one of them must project to `'delete'`. */
  readonly resolveDelete: (
    current: State,
    context: EmbeddingContext,
  ) => ResolvedEvents<Events> | Promise<ResolvedEvents<Events>>;
  /** How each event changes the read model (`@on`). */
  readonly on: EmbeddingHandlers<State, Events>;
  readonly alias?: string;
}

export interface EmbeddingDefinition<State = unknown, Events extends EventTypeMap = EventTypeMap> {
  readonly kind: 'embedding';
  readonly id: Guid;
  readonly alias: string | undefined;
  readonly events: Events;
  readonly initial: State;
  readonly resolveUpdate: EmbeddingOptions<State, Events>['resolveUpdate'];
  readonly resolveDelete: EmbeddingOptions<State, Events>['resolveDelete'];
  readonly on: EmbeddingHandlers<State, Events>;
  /** @internal */
  readonly index: EventTypeIndex;
}

export type EmbeddingStateOf<E> = E extends { readonly kind: 'embedding'; readonly initial: infer State }
  ? State
  : never;

export function defineEmbedding<State, const Events extends EventTypeMap>(
  options: EmbeddingOptions<State, Events>,
): EmbeddingDefinition<State, Events> {
  const index = new EventTypeIndex(options.events);
  for (const name of Object.keys(options.events)) {
    if (typeof (options.on as Record<string, unknown>)[name] !== 'function') {
      throw new TypeError(`defineEmbedding: on.${name} must be a function`);
    }
  }
  if (typeof options.resolveUpdate !== 'function' || typeof options.resolveDelete !== 'function') {
    throw new TypeError('defineEmbedding: resolveUpdate and resolveDelete must be functions');
  }
  if (JSON.stringify(options.initial) === undefined) throw new TypeError('defineEmbedding: initial must be JSON');
  return Object.freeze({
    kind: 'embedding',
    id: toGuid(options.id, 'defineEmbedding({ id })'),
    alias: options.alias,
    events: options.events,
    initial: options.initial,
    resolveUpdate: options.resolveUpdate,
    resolveDelete: options.resolveDelete,
    on: options.on,
    index,
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function embeddingProcessor(definition: EmbeddingDefinition, logger: Logger): EmbeddingProcessor {
  const name = definition.alias ?? definition.id;
  const handlers = definition.on as EmbeddingHandlers<unknown, EventTypeMap>;
  const contextOf = (current: ReadModelState, request: RequestContext): EmbeddingContext => ({
    tenant: request.tenant,
    key: current.key,
    readModel: current.type,
    signal: request.signal,
  });

  /** Checks what a resolve function returned and serializes it (validating content against schemas). */
  async function eventsOf(resolved: unknown, what: string): Promise<EmbeddingEvent[]> {
    const list: unknown[] = Array.isArray(resolved) ? resolved : [resolved];
    return Promise.all(
      list.map(async (event, i) => {
        const candidate = event as Partial<NewEvent> | null | undefined;
        const type = candidate?.type;
        if (type?.kind !== 'event-type' || !('content' in (candidate ?? {}))) {
          throw new TypeError(`${what} returned something that is not an event at [${i}]: use Type.create(content)`);
        }
        if (definition.index.nameOf(type.artifact) === undefined) {
          throw new TypeError(`${what} returned event type ${String(type)}, which is not in the embedding's events`);
        }
        return {
          type: type.artifact,
          public: candidate?.public ?? type.public,
          content: await serializeContent(type, candidate?.content),
        };
      }),
    );
  }

  async function resolve(
    what: 'resolveUpdate' | 'resolveDelete',
    current: ReadModelState,
    request: RequestContext,
    run: (state: unknown, context: EmbeddingContext) => unknown,
  ): Promise<EmbeddingEventsOutcome> {
    try {
      const state: unknown = JSON.parse(current.state);
      const events = await eventsOf(await run(state, contextOf(current, request)), what);
      return { kind: 'events', events };
    } catch (error) {
      const reason = reasonOf(error);
      logger.warn(`embedding ${name}: ${what} failed for key ${JSON.stringify(current.key)}`, { reason });
      return { kind: 'failed', reason };
    }
  }

  return {
    kind: 'embedding',
    id: definition.id,
    types: definition.index.artifacts(),
    initialState: JSON.stringify(definition.initial),
    compare: (current, desired, request) =>
      resolve('resolveUpdate', current, request, (state, context) =>
        definition.resolveUpdate(state, JSON.parse(desired), context),
      ),
    delete: (current, request) =>
      resolve('resolveDelete', current, request, (state, context) => definition.resolveDelete(state, context)),
    async project(current, event, request): Promise<EmbeddingProjectOutcome> {
      try {
        const eventName = definition.index.nameOf(event.type);
        const handler = eventName === undefined ? undefined : handlers[eventName];
        const type = eventName === undefined ? undefined : definition.events[eventName];
        if (handler === undefined || type === undefined) {
          throw new Error(`embedding ${name} has no handler for event type ${event.type.id}@${event.type.generation}`);
        }
        const content = await deserializeContent(type, event.content);
        const next = await handler(JSON.parse(current.state), content, {
          ...contextOf(current, request),
          eventSourceId: event.eventSourceId,
          eventType: event.type,
          public: event.public,
        });
        if (next === 'delete') return { kind: 'delete' };
        const json = JSON.stringify(next);
        if (json === undefined) throw new Error(`embedding ${name} returned a state that is not JSON`);
        return { kind: 'replace', state: json };
      } catch (error) {
        const reason = reasonOf(error);
        logger.warn(`embedding ${name} failed to project an event for key ${JSON.stringify(current.key)}`, {
          reason,
        });
        return { kind: 'failed', reason };
      }
    },
  };
}
