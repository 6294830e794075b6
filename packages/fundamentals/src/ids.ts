/**
 * Dolittle identifiers. Every id on the wire is a GUID; we keep them as lowercase, hyphenated strings
 * (the "D" format) and brand them so a TenantId can never be passed where an EventSourceId is expected.
 *
 * The version nibble is never validated: the official SDK generates GUIDs that are not RFC 4122 v4.
 */
declare const brand: unique symbol;
export type Branded<T, B extends string> = T & { readonly [brand]: B };

export type Guid = Branded<string, 'Guid'>;
export type TenantId = Branded<string, 'TenantId'>;
export type MicroserviceId = Branded<string, 'MicroserviceId'>;
export type ScopeId = Branded<string, 'ScopeId'>;
export type EventSourceId = Branded<string, 'EventSourceId'>;
export type AggregateRootId = Branded<string, 'AggregateRootId'>;
export type ArtifactId = Branded<string, 'ArtifactId'>;
export type CorrelationId = Branded<string, 'CorrelationId'>;
export type StreamId = Branded<string, 'StreamId'>;
export type PartitionId = Branded<string, 'PartitionId'>;
export type ConsentId = Branded<string, 'ConsentId'>;

/** 0-based, dense position of an event in a tenant's (scoped) event log. */
export type EventLogSequenceNumber = Branded<number, 'EventLogSequenceNumber'>;
/** Number of events an aggregate root instance has; the expected version of the next commit. */
export type AggregateRootVersion = Branded<number, 'AggregateRootVersion'>;
/** 0-based position in a stream. */
export type StreamPosition = Branded<number, 'StreamPosition'>;

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const emptyGuid = '00000000-0000-0000-0000-000000000000' as Guid;

/** True when `value` is a GUID in D format (any case). */
export function isGuid(value: string): boolean {
  return guidPattern.test(value.toLowerCase());
}

/**
 * Parses a GUID in D format (case-insensitive) into its canonical lowercase form.
 * Returns undefined for anything else; callers turn that into an error that names the field.
 */
export function parseGuid(value: string): Guid | undefined {
  const lower = value.toLowerCase();
  return guidPattern.test(lower) ? (lower as Guid) : undefined;
}

/** A random GUID from the platform's CSPRNG (works in Node and browsers). */
export function createGuid(): Guid {
  return globalThis.crypto.randomUUID() as Guid;
}

export const asTenantId = (g: Guid): TenantId => g as string as TenantId;
export const asMicroserviceId = (g: Guid): MicroserviceId => g as string as MicroserviceId;
export const asScopeId = (g: Guid): ScopeId => g as string as ScopeId;
export const asEventSourceId = (g: Guid): EventSourceId => g as string as EventSourceId;
export const asAggregateRootId = (g: Guid): AggregateRootId => g as string as AggregateRootId;
export const asArtifactId = (g: Guid): ArtifactId => g as string as ArtifactId;
export const asCorrelationId = (g: Guid): CorrelationId => g as string as CorrelationId;
export const asStreamId = (g: Guid): StreamId => g as string as StreamId;
export const asPartitionId = (g: Guid): PartitionId => g as string as PartitionId;
