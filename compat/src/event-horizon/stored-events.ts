// What a consumer Runtime stored: the rows of a tenant's event log, read straight from its store (the SQLite file of
// the tenant after the Runtime stopped, or the tenant's PostgreSQL schema), to check the scoped event log the event
// horizon wrote without going through the Runtime.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { RuntimeStore } from '../harness';

/** One row of the `events` table (store-sqlite/src/schema.ts, store-postgres/src/schema.ts). */
export interface StoredEvent {
  readonly scope: string;
  readonly sequenceNumber: number;
  readonly eventSourceId: string;
  readonly typeId: string;
  readonly typeGeneration: number;
  readonly isPublic: boolean;
  readonly content: string;
  /** Milliseconds since the epoch. */
  readonly occurred: number;
  readonly executionContext: string;
  readonly aggregateRootId: string | null;
  readonly externalSequenceNumber: number | null;
  readonly externalReceived: number | null;
  readonly externalConsentId: string | null;
}

const columns = `scope, sequence_number, event_source_id, type_id, type_generation, public, content, occurred,
  execution_context, aggregate_root_id, external_sequence_number, external_received, external_consent_id`;

/** Every event of the tenant's store, all scopes, ordered by scope and sequence number. */
export async function readStoredEvents(options: {
  readonly store: RuntimeStore;
  readonly dataDir: string;
  readonly tenant: string;
}): Promise<StoredEvent[]> {
  const { store, tenant } = options;
  if (store === 'memory') throw new Error('an in-memory store cannot be read from outside the Runtime');
  if (store === 'sqlite') return readSqlite(join(options.dataDir, `${tenant}.sqlite`));
  return readPostgres(store.postgres, `tenant_${tenant.replaceAll('-', '').toLowerCase()}`);
}

interface SqliteDatabase {
  prepare(sql: string): { all(...parameters: unknown[]): Record<string, unknown>[] };
  close(): void;
}
type SqliteConstructor = new (file: string, options: { readonly: boolean; fileMustExist: boolean }) => SqliteDatabase;

/**
 * better-sqlite3 as the Runtime's SQLite store uses it (resolved from packages/store-sqlite, which depends on it).
 * The Runtime holds its files in exclusive locking mode, so a file can only be read once the Runtime has stopped.
 */
function openSqlite(file: string): SqliteDatabase {
  const storeSqlite = resolve(__dirname, '..', '..', '..', 'packages', 'store-sqlite', 'package.json');
  const Database = createRequire(storeSqlite)('better-sqlite3') as SqliteConstructor;
  return new Database(file, { readonly: true, fileMustExist: true });
}

function readSqlite(file: string): StoredEvent[] {
  if (!existsSync(file)) throw new Error(`the tenant's SQLite file ${file} does not exist`);
  const db = openSqlite(file);
  try {
    return db
      .prepare(`SELECT ${columns} FROM events ORDER BY scope, sequence_number`)
      .all()
      .map((row) => ({
        scope: String(row.scope),
        sequenceNumber: Number(row.sequence_number),
        eventSourceId: String(row.event_source_id),
        typeId: String(row.type_id),
        typeGeneration: Number(row.type_generation),
        isPublic: Number(row.public) !== 0,
        content: String(row.content),
        occurred: Number(row.occurred),
        executionContext: String(row.execution_context),
        aggregateRootId: row.aggregate_root_id === null ? null : String(row.aggregate_root_id),
        externalSequenceNumber: row.external_sequence_number === null ? null : Number(row.external_sequence_number),
        externalReceived: row.external_received === null ? null : Number(row.external_received),
        externalConsentId: row.external_consent_id === null ? null : String(row.external_consent_id),
      }));
  } finally {
    db.close();
  }
}

async function readPostgres(url: string, schema: string): Promise<StoredEvent[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(
      `SELECT ${columns} FROM "${schema}".events ORDER BY scope, sequence_number`,
    );
    const millis = (value: unknown) => (value instanceof Date ? value.getTime() : Number(value));
    return result.rows.map((row) => ({
      scope: String(row.scope),
      sequenceNumber: Number(row.sequence_number),
      eventSourceId: String(row.event_source_id),
      typeId: String(row.type_id),
      typeGeneration: Number(row.type_generation),
      isPublic: row.public === true,
      content: String(row.content),
      occurred: millis(row.occurred),
      executionContext: String(row.execution_context),
      aggregateRootId: row.aggregate_root_id === null ? null : String(row.aggregate_root_id),
      externalSequenceNumber: row.external_sequence_number === null ? null : Number(row.external_sequence_number),
      externalReceived: row.external_received === null ? null : millis(row.external_received),
      externalConsentId: row.external_consent_id === null ? null : String(row.external_consent_id),
    }));
  } finally {
    await client.end();
  }
}
