import { StoreConsistency } from '@dolittle-ts/fundamentals';
import type Database from 'better-sqlite3';

/*
 * The schema, versioned with `PRAGMA user_version`: migration i takes the file from version i to i + 1.
 * Append migrations, never edit one that has shipped.
 *
 * - events: every scope's event log, keyed by (scope, sequence_number). Content and execution context are kept
 *   as the exact text written; times are integer milliseconds since the epoch (UTC).
 * - aggregates: the version (number of events) of each aggregate root instance.
 * - events_by_aggregate: fetchForAggregate's index; being unique, it also refuses two events at one version.
 *
 * Version 2, processing:
 * - streams: the streams filters write, keyed by (scope, stream_id, public, position). An entry refers to an event
 *   of its scope's log by sequence number; events are never copied. streams_by_partition covers partition reads.
 * - stream_processor_states: one JSON document per (scope, processor_id, source_stream).
 * - definitions: one JSON document, kept verbatim, per (kind, scope, id).
 *
 * Version 3, read models:
 * - projection_states: a projection's read models, one JSON document (verbatim) per (scope, projection_id,
 *   generation, key). A rowid table, not WITHOUT ROWID: read models of a few KiB stay on their leaf page instead
 *   of spilling into overflow pages (and out of interior pages), and getAll reads them in key order through the
 *   primary key's index.
 * - embedding_states: an embedding's read model per (embedding_id, key), with the aggregate version it was
 *   projected to and whether it was removed.
 *
 * Version 4, the event horizon:
 * - subscription_states: the next public-stream position of each subscription, keyed by (producer_microservice,
 *   producer_tenant, stream_id, partition_id, scope). The events a subscription receives go into `events` under
 *   its scope, with the external_* columns set, in the same transaction as its position.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE events (
    scope TEXT NOT NULL,
    sequence_number INTEGER NOT NULL,
    event_source_id TEXT NOT NULL,
    type_id TEXT NOT NULL,
    type_generation INTEGER NOT NULL,
    public INTEGER NOT NULL,
    content TEXT NOT NULL,
    occurred INTEGER NOT NULL,
    execution_context TEXT NOT NULL,
    aggregate_root_id TEXT,
    aggregate_version INTEGER,
    external_sequence_number INTEGER,
    external_received INTEGER,
    external_consent_id TEXT,
    PRIMARY KEY (scope, sequence_number)
  ) STRICT;

  CREATE UNIQUE INDEX events_by_aggregate ON events (aggregate_root_id, event_source_id, aggregate_version)
    WHERE aggregate_root_id IS NOT NULL;

  CREATE TABLE aggregates (
    aggregate_root_id TEXT NOT NULL,
    event_source_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (aggregate_root_id, event_source_id)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  CREATE TABLE streams (
    scope TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    public INTEGER NOT NULL,
    position INTEGER NOT NULL,
    partition_id TEXT NOT NULL,
    event_sequence_number INTEGER NOT NULL,
    PRIMARY KEY (scope, stream_id, public, position)
  ) STRICT, WITHOUT ROWID;

  CREATE INDEX streams_by_partition
    ON streams (scope, stream_id, public, partition_id, position, event_sequence_number);

  CREATE TABLE stream_processor_states (
    scope TEXT NOT NULL,
    processor_id TEXT NOT NULL,
    source_stream TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (scope, processor_id, source_stream)
  ) STRICT;

  CREATE TABLE definitions (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (kind, scope, id)
  ) STRICT;
  `,
  `
  CREATE TABLE projection_states (
    scope TEXT NOT NULL,
    projection_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (scope, projection_id, generation, key)
  ) STRICT;

  CREATE TABLE embedding_states (
    embedding_id TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    PRIMARY KEY (embedding_id, key)
  ) STRICT;
  `,
  `
  CREATE TABLE subscription_states (
    producer_microservice TEXT NOT NULL,
    producer_tenant TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    partition_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (producer_microservice, producer_tenant, stream_id, partition_id, scope)
  ) STRICT, WITHOUT ROWID;
  `,
];

export const schemaVersion = migrations.length;

/**
 * Brings the file to the current schema (or to `version`, for tests of older files) in one transaction; refuses a
 * file written by a newer Runtime.
 */
export function migrate(db: Database.Database, location: string, version: number = schemaVersion): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > schemaVersion) {
    throw new StoreConsistency(
      `${location} has schema version ${current}, but this Runtime knows versions up to ${schemaVersion}: it was written by a newer Runtime. Run that Runtime, or a newer one, on it`,
    );
  }
  if (current >= version) return;
  db.transaction(() => {
    for (const migration of migrations.slice(current, version)) db.exec(migration);
    db.pragma(`user_version = ${version}`);
  }).immediate();
}
