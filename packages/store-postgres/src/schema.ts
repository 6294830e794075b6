import { StoreConsistency } from '@dolittle-ts/fundamentals';
import type pg from 'pg';
import { quoteIdentifier, type SafeIdentifier } from './identifiers.js';

/**
 * The tenant schema's migrations, in order. Version n is `migrations[n - 1]`; a migration is never edited once
 * released, a change is a new one. Each runs in its own transaction, recorded in `schema_version`.
 */
const migrations: readonly ((s: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.events (
      scope uuid NOT NULL,
      sequence_number bigint NOT NULL,
      event_source_id uuid NOT NULL,
      type_id uuid NOT NULL,
      type_generation integer NOT NULL,
      public boolean NOT NULL,
      -- verbatim JSON text: jsonb would reorder keys and normalise numbers and whitespace
      content text NOT NULL,
      occurred timestamptz NOT NULL,
      execution_context text NOT NULL,
      aggregate_root_id uuid,
      aggregate_version bigint,
      external_sequence_number bigint,
      external_received timestamptz,
      external_consent_id uuid,
      PRIMARY KEY (scope, sequence_number)
    );
    CREATE INDEX events_by_aggregate ON ${s}.events (aggregate_root_id, event_source_id, scope, aggregate_version)
      WHERE aggregate_root_id IS NOT NULL;
    CREATE TABLE ${s}.aggregates (
      aggregate_root_id uuid NOT NULL,
      event_source_id uuid NOT NULL,
      version bigint NOT NULL,
      PRIMARY KEY (aggregate_root_id, event_source_id)
    );`,
  // A generation is a uint32 on the wire: integer refused those past 2^31 - 1.
  (s) => `ALTER TABLE ${s}.events ALTER COLUMN type_generation TYPE bigint;`,
  // Processing and read models. Ids that are GUIDs are uuid (16 bytes, and the event log's scope is one too);
  // other ids and keys are text compared byte for byte (COLLATE "C"): faster than a locale, and never equates two
  // different strings. Documents are text, kept verbatim.
  (s) => `
    -- A stream refers to events of its scope's log by sequence number; it never copies them.
    CREATE TABLE ${s}.streams (
      scope uuid NOT NULL,
      stream_id uuid NOT NULL,
      public boolean NOT NULL,
      position bigint NOT NULL,
      partition_id uuid NOT NULL,
      event_sequence_number bigint NOT NULL,
      PRIMARY KEY (scope, stream_id, public, position)
    );
    CREATE INDEX streams_by_partition ON ${s}.streams (scope, stream_id, public, partition_id, position)
      INCLUDE (event_sequence_number);
    CREATE TABLE ${s}.stream_processor_states (
      scope uuid NOT NULL,
      processor_id text COLLATE "C" NOT NULL,
      source_stream uuid NOT NULL,
      state text NOT NULL,
      PRIMARY KEY (scope, processor_id, source_stream)
    );
    CREATE TABLE ${s}.definitions (
      kind text COLLATE "C" NOT NULL CHECK (kind IN ('filter', 'projection', 'embedding')),
      scope uuid NOT NULL,
      id text COLLATE "C" NOT NULL,
      definition text NOT NULL,
      PRIMARY KEY (kind, scope, id)
    );
    CREATE TABLE ${s}.projection_states (
      scope uuid NOT NULL,
      projection_id text COLLATE "C" NOT NULL,
      generation bigint NOT NULL CHECK (generation >= 0),
      key text COLLATE "C" NOT NULL,
      state text NOT NULL,
      PRIMARY KEY (scope, projection_id, generation, key)
    );
    CREATE TABLE ${s}.embedding_states (
      embedding_id text COLLATE "C" NOT NULL,
      key text COLLATE "C" NOT NULL,
      state text NOT NULL,
      version bigint NOT NULL CHECK (version >= 0),
      removed boolean NOT NULL,
      PRIMARY KEY (embedding_id, key)
    );`,
  // The event horizon's consumer side: the next public-stream position of each subscription. The events it
  // receives go into `events` under its scope (external_* set), in the same transaction as its position.
  (s) => `
    CREATE TABLE ${s}.subscription_states (
      producer_microservice uuid NOT NULL,
      producer_tenant uuid NOT NULL,
      stream_id uuid NOT NULL,
      partition_id uuid NOT NULL,
      scope uuid NOT NULL,
      position bigint NOT NULL CHECK (position >= 0),
      PRIMARY KEY (producer_microservice, producer_tenant, stream_id, partition_id, scope)
    );`,
];

export const schemaVersion = migrations.length;

/**
 * Creates the schema and its tables, or brings an older one up to date (to `target`, for tests). Idempotent.
 * Run while holding the schema's writer lock, so no two processes migrate one schema at once.
 */
export async function migrate(client: pg.Client, schema: SafeIdentifier, target = schemaVersion): Promise<void> {
  const s = quoteIdentifier(schema);
  // CREATE SCHEMA checks the CREATE privilege on the database even when the schema exists: a schema an
  // administrator made beforehand must work for a role without that privilege.
  const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (existing.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())`,
  );
  const result = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${s}.schema_version`,
  );
  const current = result.rows[0]?.version ?? 0;
  if (current > schemaVersion) {
    throw new StoreConsistency(
      `schema ${schema} is at version ${current}, newer than this Runtime knows (${schemaVersion}): run a newer Runtime`,
    );
  }
  for (let version = current + 1; version <= target; version++) {
    const migration = migrations[version - 1] as (s: string) => string;
    await client.query('BEGIN');
    try {
      await client.query(migration(s));
      await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [version]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }
}
