/*
 * Event-horizon subscriptions: ask our Runtime to receive another microservice's public stream into a scope of a
 * consumer tenant. The Runtime keeps the subscription up (and resumes it) once it accepted it; handlers and
 * projections in that scope then see the events.
 */
import {
  type ConsentId,
  developmentTenant,
  type MicroserviceId,
  type PartitionId,
  type ScopeId,
  type StreamId,
  type TenantId,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';
import { type GuidLike, toMicroserviceId, toPartitionId, toScopeId, toStreamId, toTenantId } from './ids.js';

export interface SubscriptionOptions {
  readonly producer: {
    readonly microserviceId: GuidLike;
    readonly tenantId: GuidLike;
    /** The producer's public stream (its public filter's id). */
    readonly streamId: GuidLike;
    /** Default: the unspecified partition. */
    readonly partitionId?: GuidLike;
  };
  /** The scope the events are written to at the consumer; scoped handlers and projections read them. */
  readonly scope: GuidLike;
  /** The consumer tenant. Default: the development tenant. */
  readonly consumerTenant?: GuidLike;
}

export interface SubscriptionDefinition {
  readonly kind: 'subscription';
  readonly consumerTenant: TenantId;
  readonly producerMicroservice: MicroserviceId;
  readonly producerTenant: TenantId;
  readonly stream: StreamId;
  readonly partition: PartitionId;
  readonly scope: ScopeId;
}

export function defineSubscription(options: SubscriptionOptions): SubscriptionDefinition {
  return Object.freeze({
    kind: 'subscription',
    consumerTenant:
      options.consumerTenant === undefined ? developmentTenant : toTenantId(options.consumerTenant, 'consumerTenant'),
    producerMicroservice: toMicroserviceId(options.producer.microserviceId, 'producer.microserviceId'),
    producerTenant: toTenantId(options.producer.tenantId, 'producer.tenantId'),
    stream: toStreamId(options.producer.streamId, 'producer.streamId'),
    partition:
      options.producer.partitionId === undefined
        ? unspecifiedPartition
        : toPartitionId(options.producer.partitionId, 'producer.partitionId'),
    scope: toScopeId(options.scope, 'scope'),
  });
}

export interface Subscribed {
  readonly consentId: ConsentId;
}
