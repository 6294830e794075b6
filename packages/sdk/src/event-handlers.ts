/*
 * Event handlers: `defineEventHandler({ id, events: { DishPrepared }, handle: { DishPrepared: async (event, ctx) => … } })`.
 * The Runtime filters the event log by the handler's event types into its own stream (partitioned by event source
 * unless `partitioned: false`) and calls the head for each event in order. A handler that throws is retried by the
 * Runtime after the retry policy's delay; a partitioned handler keeps the other partitions going meanwhile.
 */
import { defaultScope, type Guid, type ScopeId } from '@dolittle-ts/fundamentals';
import { type CommittedEvent, committedEventOf, type HandlerContext } from './committed-event.js';
import { type ContentOf, deserializeContent, EventTypeIndex, type EventTypeMap } from './event-types.js';
import { type GuidLike, toGuid, toScopeId } from './ids.js';
import type { Logger } from './logger.js';
import { defaultRetryPolicy, failureOf, type RetryPolicy } from './processing/retry-policy.js';
import type { EventHandlerProcessor } from './transport/transport.js';

export type EventHandlerFunctions<Events extends EventTypeMap> = {
  readonly [Name in keyof Events]: (
    event: ContentOf<Events[Name]>,
    context: HandlerContext & { readonly committed: CommittedEvent<ContentOf<Events[Name]>> },
  ) => void | Promise<void>;
};

export interface EventHandlerOptions<Events extends EventTypeMap> {
  readonly id: GuidLike;
  /** The event types handled; their keys name the functions in `handle`. */
  readonly events: Events;
  readonly handle: EventHandlerFunctions<Events>;
  /** Default true: events are partitioned by event source, and a failing partition does not stop the others. */
  readonly partitioned?: boolean;
  /** Default: the default scope (the tenant's own event log). Event-horizon events arrive in other scopes. */
  readonly scope?: GuidLike;
  readonly alias?: string;
  readonly retry?: RetryPolicy;
}

export interface EventHandlerDefinition<Events extends EventTypeMap = EventTypeMap> {
  readonly kind: 'event-handler';
  readonly id: Guid;
  readonly scope: ScopeId;
  readonly partitioned: boolean;
  readonly alias: string | undefined;
  readonly events: Events;
  readonly handle: EventHandlerFunctions<Events>;
  readonly retry: RetryPolicy;
  /** @internal */
  readonly index: EventTypeIndex;
}

export function defineEventHandler<const Events extends EventTypeMap>(
  options: EventHandlerOptions<Events>,
): EventHandlerDefinition<Events> {
  const index = new EventTypeIndex(options.events);
  for (const name of Object.keys(options.events)) {
    if (typeof (options.handle as Record<string, unknown>)[name] !== 'function') {
      throw new TypeError(`defineEventHandler: handle.${name} must be a function`);
    }
  }
  return Object.freeze({
    kind: 'event-handler',
    id: toGuid(options.id, 'defineEventHandler({ id })'),
    scope: options.scope === undefined ? defaultScope : toScopeId(options.scope, 'defineEventHandler({ scope })'),
    partitioned: options.partitioned ?? true,
    alias: options.alias,
    events: options.events,
    handle: options.handle,
    retry: options.retry ?? defaultRetryPolicy,
    index,
  });
}

/** The definition as the transport sees it: types to register, and how one event is handled. */
export function eventHandlerProcessor(definition: EventHandlerDefinition, logger: Logger): EventHandlerProcessor {
  const name = definition.alias ?? definition.id;
  return {
    kind: 'event-handler',
    id: definition.id,
    scope: definition.scope,
    types: definition.index.artifacts(),
    partitioned: definition.partitioned,
    async handle(stored, stream, request) {
      const eventName = definition.index.nameOf(stored.type);
      if (eventName === undefined) {
        logger.warn(`event handler ${name} got an event of type ${stored.type.id} it does not handle; skipped`);
        return { kind: 'succeeded' };
      }
      try {
        const type = definition.events[eventName];
        const content = await deserializeContent(type as NonNullable<typeof type>, stored.content);
        const committed = committedEventOf(stored, content);
        const handle = definition.handle[eventName] as EventHandlerFunctions<EventTypeMap>[string];
        await handle(content, {
          tenant: request.tenant,
          eventSourceId: stored.eventSourceId,
          sequenceNumber: stored.sequenceNumber,
          occurred: stored.occurred,
          eventType: stored.type,
          public: stored.public,
          executionContext: stored.executionContext,
          external: stored.external,
          scope: stream.scope,
          partition: stream.partition,
          retry: request.retry,
          signal: request.signal,
          committed,
        });
        return { kind: 'succeeded' };
      } catch (error) {
        const failure = failureOf(error, request.retry?.retryCount, definition.retry);
        logger.warn(`event handler ${name} failed on event ${stored.sequenceNumber} (tenant ${request.tenant})`, {
          reason: failure.reason,
          retryAfterMs: failure.retry ? failure.retryAfterMs : 'never',
        });
        return failure;
      }
    },
  };
}
