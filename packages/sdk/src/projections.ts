/*
 * Projections: read models kept by the Runtime, one per key. `defineProjection({ id, events, initial, on: {
 * DishPrepared: { key: fromProperty('Dish'), project: (state, event, ctx) => next | 'delete' } } })`. The Runtime
 * stores the states; `client.projections.get(Projection, key)` reads them, typed.
 */
import { defaultScope, type Guid, type ScopeId } from '@dolittle-ts/fundamentals';
import { type CommittedEvent, committedEventOf, type EventContext } from './committed-event.js';
import { type ContentOf, deserializeContent, EventTypeIndex, type EventTypeMap } from './event-types.js';
import { type GuidLike, toGuid, toScopeId } from './ids.js';
import type { Logger } from './logger.js';
import { defaultRetryPolicy, failureOf, type RetryPolicy } from './processing/retry-policy.js';
import type { KeySelector, ProjectionOutcome, ProjectionProcessor } from './transport/transport.js';

/** Keys the read model by the event's event source id. */
export function fromEventSource(): { readonly kind: 'event-source' } {
  return { kind: 'event-source' };
}
/** Keys the read model by the event's partition (always the unspecified partition for the event log, as Dolittle 6). */
export function fromPartition(): { readonly kind: 'partition' } {
  return { kind: 'partition' };
}
/** Keys the read model by a top-level property of the content (its string form). */
export function fromProperty<const Property extends string>(
  property: Property,
): {
  readonly kind: 'property';
  readonly property: Property;
} {
  return { kind: 'property', property };
}

export type KeySelectorFor<Content> =
  | { readonly kind: 'event-source' }
  | { readonly kind: 'partition' }
  | { readonly kind: 'property'; readonly property: keyof Content & string };

export interface ProjectionContext<Content> extends EventContext {
  /** The read model's key. */
  readonly key: string;
  /** `initial`: there was no read model for the key; `state` is the initial state. */
  readonly readModel: 'initial' | 'persisted';
  readonly committed: CommittedEvent<Content>;
}

/** Return the next state, or `'delete'` to remove the read model. */
export type ProjectResult<State> = State | 'delete';

export type ProjectionHandlers<State, Events extends EventTypeMap> = {
  readonly [Name in keyof Events]: {
    readonly key: KeySelectorFor<ContentOf<Events[Name]>>;
    readonly project: (
      state: State,
      event: ContentOf<Events[Name]>,
      context: ProjectionContext<ContentOf<Events[Name]>>,
    ) => ProjectResult<State> | Promise<ProjectResult<State>>;
  };
};

export interface ProjectionOptions<State, Events extends EventTypeMap> {
  readonly id: GuidLike;
  readonly events: Events;
  /** The state of a key's read model before its first event. Must be JSON. */
  readonly initial: State;
  readonly on: ProjectionHandlers<State, Events>;
  readonly scope?: GuidLike;
  readonly alias?: string;
  readonly retry?: RetryPolicy;
}

export interface ProjectionDefinition<State = unknown, Events extends EventTypeMap = EventTypeMap> {
  readonly kind: 'projection';
  readonly id: Guid;
  readonly scope: ScopeId;
  readonly alias: string | undefined;
  readonly events: Events;
  readonly initial: State;
  readonly on: ProjectionHandlers<State, Events>;
  readonly retry: RetryPolicy;
  /** @internal */
  readonly index: EventTypeIndex;
}

export type StateOf<P> = P extends ProjectionDefinition<infer State, EventTypeMap> ? State : never;

export function defineProjection<State, const Events extends EventTypeMap>(
  options: ProjectionOptions<State, Events>,
): ProjectionDefinition<State, Events> {
  const index = new EventTypeIndex(options.events);
  for (const name of Object.keys(options.events)) {
    const on = (options.on as Record<string, { project?: unknown; key?: unknown } | undefined>)[name];
    if (typeof on?.project !== 'function' || typeof on.key !== 'object') {
      throw new TypeError(`defineProjection: on.${name} needs a key selector and a project function`);
    }
  }
  if (JSON.stringify(options.initial) === undefined) throw new TypeError('defineProjection: initial must be JSON');
  return Object.freeze({
    kind: 'projection',
    id: toGuid(options.id, 'defineProjection({ id })'),
    scope: options.scope === undefined ? defaultScope : toScopeId(options.scope, 'defineProjection({ scope })'),
    alias: options.alias,
    events: options.events,
    initial: options.initial,
    on: options.on,
    retry: options.retry ?? defaultRetryPolicy,
    index,
  });
}

export function projectionProcessor(definition: ProjectionDefinition, logger: Logger): ProjectionProcessor {
  const name = definition.alias ?? definition.id;
  const handlers = definition.on as ProjectionHandlers<unknown, EventTypeMap>;
  return {
    kind: 'projection',
    id: definition.id,
    scope: definition.scope,
    initialState: JSON.stringify(definition.initial),
    selectors: Object.entries(definition.events).map(([eventName, type]) => ({
      type: type.artifact,
      key: handlers[eventName]?.key as KeySelector,
    })),
    async project(current, stored, request): Promise<ProjectionOutcome> {
      try {
        const eventName = definition.index.nameOf(stored.type);
        const handler = eventName === undefined ? undefined : handlers[eventName];
        const type = eventName === undefined ? undefined : definition.events[eventName];
        if (handler === undefined || type === undefined) {
          throw new Error(
            `projection ${name} has no handler for event type ${stored.type.id}@${stored.type.generation}`,
          );
        }
        const content = await deserializeContent(type, stored.content);
        const state: unknown = JSON.parse(current.state);
        const next = await handler.project(state, content, {
          tenant: request.tenant,
          eventSourceId: stored.eventSourceId,
          sequenceNumber: stored.sequenceNumber,
          occurred: stored.occurred,
          eventType: stored.type,
          public: stored.public,
          executionContext: stored.executionContext,
          external: stored.external,
          scope: definition.scope,
          retry: request.retry,
          signal: request.signal,
          key: current.key,
          readModel: current.type,
          committed: committedEventOf(stored, content),
        });
        if (next === 'delete') return { kind: 'delete' };
        const json = JSON.stringify(next);
        if (json === undefined) throw new Error(`projection ${name} returned a state that is not JSON`);
        return { kind: 'replace', state: json };
      } catch (error) {
        const failure = failureOf(error, request.retry?.retryCount, definition.retry);
        logger.warn(`projection ${name} failed on event ${stored.sequenceNumber} (tenant ${request.tenant})`, {
          reason: failure.reason,
        });
        return failure;
      }
    },
  };
}
