/*
 * Filters write the events they include into a stream of their own (stream id = filter id). Private filters run
 * in a scope, partitioned or not; public filters see only public events and write public streams, which are what
 * other microservices subscribe to through the event horizon.
 */
import {
  defaultScope,
  type Guid,
  type PartitionId,
  type ScopeId,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import { type CommittedEvent, committedEventOf, type EventContext } from './committed-event.js';
import type { EventType } from './event-types.js';
import { type GuidLike, toGuid, toPartitionId, toScopeId } from './ids.js';
import type { Logger } from './logger.js';
import { defaultRetryPolicy, failureOf, type RetryPolicy } from './processing/retry-policy.js';
import type { FilterOutcome, FilterProcessor } from './transport/transport.js';

/**
 * `true`/`false`, or `{ included, partition }`. A partitioned or public filter that answers a plain `true` puts the
 * event in its event source's partition.
 */
export type FilterResult = boolean | { readonly included: boolean; readonly partition?: GuidLike };

export type FilterFunction = (
  event: CommittedEvent<unknown>,
  context: EventContext,
) => FilterResult | Promise<FilterResult>;

export interface FilterOptions {
  readonly id: GuidLike;
  readonly filter: FilterFunction;
  /** Default false. */
  readonly partitioned?: boolean;
  readonly scope?: GuidLike;
  readonly retry?: RetryPolicy;
}

export interface FilterDefinition {
  readonly kind: 'filter';
  readonly id: Guid;
  readonly scope: ScopeId;
  readonly filterKind: 'unpartitioned' | 'partitioned' | 'public';
  readonly filter: FilterFunction;
  readonly retry: RetryPolicy;
}

export function defineFilter(options: FilterOptions): FilterDefinition {
  return Object.freeze({
    kind: 'filter',
    id: toGuid(options.id, 'defineFilter({ id })'),
    scope: options.scope === undefined ? defaultScope : toScopeId(options.scope, 'defineFilter({ scope })'),
    filterKind: options.partitioned === true ? 'partitioned' : 'unpartitioned',
    filter: options.filter,
    retry: options.retry ?? defaultRetryPolicy,
  });
}

/** A public filter: sees public events only, writes the public stream `id` that consumers subscribe to. */
export function definePublicFilter(options: Omit<FilterOptions, 'partitioned' | 'scope'>): FilterDefinition {
  return Object.freeze({
    kind: 'filter',
    id: toGuid(options.id, 'definePublicFilter({ id })'),
    scope: defaultScope,
    filterKind: 'public',
    filter: options.filter,
    retry: options.retry ?? defaultRetryPolicy,
  });
}

/** Narrows an event of unknown type (in a filter) to one of `type`: same id (any generation unless exact). */
export function isEvent<Content>(
  type: EventType<Content>,
  event: CommittedEvent<unknown>,
  options: { readonly exactGeneration?: boolean } = {},
): event is CommittedEvent<Content> {
  return event.type.id === type.id && (!options.exactGeneration || event.type.generation === type.generation);
}

export function filterProcessor(definition: FilterDefinition, logger: Logger): FilterProcessor {
  const partitioned = definition.filterKind !== 'unpartitioned';
  return {
    kind: 'filter',
    id: definition.id,
    scope: definition.scope,
    filterKind: definition.filterKind,
    async filter(stored, request): Promise<FilterOutcome> {
      try {
        const event = committedEventOf<unknown>(stored, JSON.parse(stored.content));
        const result = await definition.filter(event, {
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
        });
        const included = typeof result === 'boolean' ? result : result.included;
        if (!included) return { kind: 'excluded' };
        const partition: PartitionId =
          typeof result === 'object' && result.partition !== undefined
            ? toPartitionId(result.partition, 'filter result partition')
            : partitioned
              ? (stored.eventSourceId as string as PartitionId)
              : unspecifiedPartition;
        return { kind: 'included', partition };
      } catch (error) {
        const failure = failureOf(error, request.retry?.retryCount, definition.retry);
        logger.warn(`filter ${definition.id} failed on event ${stored.sequenceNumber}`, { reason: failure.reason });
        return failure;
      }
    },
  };
}
