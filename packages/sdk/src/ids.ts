/*
 * Dolittle's identifiers, branded so one cannot be passed for another. On the wire (contracts 5.4) every id is a
 * GUID; the SDK takes GUID strings in any case and hands out the canonical lowercase form.
 */
import {
  type AggregateRootId,
  type ArtifactId,
  type EventSourceId,
  type Guid,
  type MicroserviceId,
  type PartitionId,
  parseGuid,
  type ScopeId,
  type StreamId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import { InvalidArgument } from './errors.js';

export type {
  AggregateRootId,
  ArtifactId,
  CorrelationId,
  EventLogSequenceNumber,
  EventSourceId,
  Guid,
  MicroserviceId,
  PartitionId,
  ScopeId,
  StreamId,
  TenantId,
} from '@dolittle-ts/fundamentals';
export {
  createGuid,
  defaultScope,
  developmentMicroservice,
  developmentTenant,
  isGuid,
  systemTenant,
  unspecifiedPartition,
} from '@dolittle-ts/fundamentals';

/** A GUID in D format (any case), or an already branded id. */
export type GuidLike = string;

export function toGuid(value: GuidLike, field: string): Guid {
  const guid = typeof value === 'string' ? parseGuid(value) : undefined;
  if (guid === undefined) {
    throw new InvalidArgument(field, `${JSON.stringify(value)} is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  return guid;
}

export const toTenantId = (value: GuidLike, field = 'tenantId') => toGuid(value, field) as string as TenantId;
export const toEventSourceId = (value: GuidLike, field = 'eventSourceId') =>
  toGuid(value, field) as string as EventSourceId;
export const toAggregateRootId = (value: GuidLike, field = 'aggregateRootId') =>
  toGuid(value, field) as string as AggregateRootId;
export const toArtifactId = (value: GuidLike, field = 'id') => toGuid(value, field) as string as ArtifactId;
export const toScopeId = (value: GuidLike, field = 'scope') => toGuid(value, field) as string as ScopeId;
export const toMicroserviceId = (value: GuidLike, field = 'microserviceId') =>
  toGuid(value, field) as string as MicroserviceId;
export const toPartitionId = (value: GuidLike, field = 'partition') => toGuid(value, field) as string as PartitionId;
export const toStreamId = (value: GuidLike, field = 'stream') => toGuid(value, field) as string as StreamId;
