/*
 * The event store of one tenant: commit events (private or public), commit events for an aggregate root with the
 * version it must be at, and fetch an aggregate root's events. Failures are DolittleSdkErrors, never swallowed.
 */
import { type AggregateRootId, type CorrelationId, createGuid, type TenantId } from '@dolittle-ts/fundamentals';
import { type CommittedEvent, committedEventOf } from './committed-event.js';
import { DolittleSdkError, InvalidArgument } from './errors.js';
import { type EventType, type NewEvent, serializeContent } from './event-types.js';
import { type GuidLike, toAggregateRootId, toEventSourceId } from './ids.js';
import type { CallOptions, StoredEvent, Transport } from './transport/transport.js';

export interface CommitOptions extends CallOptions {
  /** Correlates the events with the request that caused them; a new one per call by default. */
  readonly correlationId?: GuidLike;
}

export interface CommittedAggregateEvents {
  readonly aggregateRootId: AggregateRootId;
  readonly eventSourceId: CommittedEvent['eventSourceId'];
  /** The aggregate root instance's version after the commit (= its number of events). */
  readonly version: number;
  readonly events: readonly CommittedEvent<unknown>[];
}

export interface AggregateRootEvents {
  readonly version: number;
  readonly events: readonly CommittedEvent<unknown>[];
}

export class EventStore {
  readonly tenant: TenantId;
  readonly #transport: Transport;

  constructor(transport: Transport, tenant: TenantId) {
    this.#transport = transport;
    this.tenant = tenant;
  }

  /** Commits one event (public if its type says so), or a batch of events made with `Type.create(...)`. */
  commit<Content>(
    type: EventType<Content>,
    content: Content,
    eventSourceId: GuidLike,
    options?: CommitOptions,
  ): Promise<CommittedEvent<Content>>;
  commit(events: readonly NewEvent<unknown>[], options?: CommitOptions): Promise<CommittedEvent<unknown>[]>;
  async commit<Content>(
    typeOrEvents: EventType<Content> | readonly NewEvent<unknown>[],
    contentOrOptions?: Content | CommitOptions,
    eventSourceId?: GuidLike,
    options?: CommitOptions,
  ): Promise<CommittedEvent<Content> | CommittedEvent<unknown>[]> {
    if (Array.isArray(typeOrEvents)) {
      return this.#commit(typeOrEvents as readonly NewEvent<unknown>[], contentOrOptions as CommitOptions | undefined);
    }
    const type = typeOrEvents as EventType<Content>;
    const [committed] = await this.#commit(
      [type.create(contentOrOptions as Content, this.#eventSource(eventSourceId))] as NewEvent<unknown>[],
      options,
    );
    return committed as CommittedEvent<Content>;
  }

  /** Commits one event as public, whatever its type says: public filters see it, the event horizon can carry it. */
  async commitPublic<Content>(
    type: EventType<Content>,
    content: Content,
    eventSourceId: GuidLike,
    options?: CommitOptions,
  ): Promise<CommittedEvent<Content>> {
    const [committed] = await this.#commit(
      [type.create(content, this.#eventSource(eventSourceId), { public: true })] as NewEvent<unknown>[],
      options,
    );
    return committed as CommittedEvent<Content>;
  }

  /**
   * Commits events for an aggregate root instance that must have exactly `expectedVersion` events now. Rejects with
   * AggregateRootConcurrencyConflict otherwise. (Aggregates defined with `defineAggregate` do this for you.)
   */
  async commitForAggregate(
    aggregateRootId: GuidLike,
    eventSourceId: GuidLike,
    expectedVersion: number,
    events: readonly NewEvent<unknown>[],
    options?: CommitOptions,
  ): Promise<CommittedAggregateEvents> {
    const rootId = toAggregateRootId(aggregateRootId);
    const source = toEventSourceId(eventSourceId);
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new InvalidArgument('expectedVersion', `must be a non-negative integer, was ${expectedVersion}`);
    }
    if (events.length === 0) {
      throw new DolittleSdkError('NoEventsToCommit', 'commitForAggregate needs at least one event');
    }
    const serialized = await Promise.all(
      events.map(async (event) => ({
        type: event.type.artifact,
        public: event.public,
        content: await serializeContent(event.type, event.content),
      })),
    );
    const stored = await this.#transport.commitForAggregate(
      this.#context(options),
      { aggregateRootId: rootId, eventSourceId: source, expectedVersion, events: serialized },
      options,
    );
    return {
      aggregateRootId: rootId,
      eventSourceId: source,
      version: expectedVersion + stored.length,
      events: stored.map((event, i) => committedEventOf(event, events[i]?.content)),
    };
  }

  /** All events of an aggregate root instance, in version order, with its current version. Content is parsed JSON. */
  async fetchForAggregate(
    aggregateRootId: GuidLike,
    eventSourceId: GuidLike,
    options?: CallOptions,
  ): Promise<AggregateRootEvents> {
    const fetched = await this.fetchStoredForAggregate(aggregateRootId, eventSourceId, options);
    return {
      version: fetched.version,
      events: fetched.events.map((event) => committedEventOf<unknown>(event, JSON.parse(event.content))),
    };
  }

  /** @internal The stored events, content still JSON text (aggregates parse and validate per type). */
  fetchStoredForAggregate(aggregateRootId: GuidLike, eventSourceId: GuidLike, options?: CallOptions) {
    return this.#transport.fetchForAggregate(
      this.#context(undefined),
      toAggregateRootId(aggregateRootId),
      toEventSourceId(eventSourceId),
      options,
    );
  }

  async #commit(events: readonly NewEvent<unknown>[], options: CommitOptions | undefined) {
    if (events.length === 0) throw new DolittleSdkError('NoEventsToCommit', 'commit needs at least one event');
    const uncommitted = await Promise.all(
      events.map(async (event, i) => {
        if (event.eventSourceId === undefined) {
          throw new InvalidArgument(
            `events[${i}].eventSourceId`,
            'is missing: pass it to Type.create(content, eventSourceId)',
          );
        }
        return {
          eventSourceId: event.eventSourceId,
          type: event.type.artifact,
          public: event.public,
          content: await serializeContent(event.type, event.content),
        };
      }),
    );
    const stored: StoredEvent[] = await this.#transport.commit(this.#context(options), uncommitted, options);
    return stored.map((event, i) => committedEventOf(event, events[i]?.content));
  }

  #eventSource(value: GuidLike | undefined) {
    if (value === undefined) throw new InvalidArgument('eventSourceId', 'is missing');
    return toEventSourceId(value);
  }

  #context(options: CommitOptions | undefined) {
    return {
      tenant: this.tenant,
      correlationId: (options?.correlationId === undefined
        ? createGuid()
        : toEventSourceId(options.correlationId, 'correlationId')) as string as CorrelationId,
    };
  }
}
