// Small helpers the compat suites share: ids, the SDK's private execution context, "occurred ≈ now", and a
// snapshot of what a Runtime stored (to show that a refused request stored nothing).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { IEventStore } from '@dolittle/sdk.events';
import type { ExecutionContext } from '@dolittle/sdk.execution';
import pg from 'pg';
import type { RuntimeSuite } from './runtime-suite';

export const aggregateRootConcurrencyConflict = 'f25cccfb-3ae1-4969-bee6-906370ffbc2d';
export const developmentTenantId = '445f8ea8-1a6f-40d7-b2fc-796dba92dc44';

export function newId(): string {
  return randomUUID();
}

/**
 * The execution context an SDK event store sends with every call. `forTenant()` fixes it, with a fresh correlation
 * id, and keeps it in a private field: the only way to know which correlation id the Runtime should echo back.
 */
export function executionContextOf(eventStore: IEventStore): ExecutionContext {
  const context = (eventStore as unknown as { _executionContext?: ExecutionContext })._executionContext;
  assert.ok(context, 'the SDK event store keeps its execution context in _executionContext');
  return context;
}

/** `occurred` is a luxon DateTime in SDK 17. */
export function assertOccurredAround(occurred: { toMillis(): number }, before: number, after: number): void {
  const millis = occurred.toMillis();
  // The Runtime's clock is this machine's clock; allow for timestamp rounding at both ends.
  assert.ok(
    millis >= before - 1_000 && millis <= after + 1_000,
    `occurred ${new Date(millis).toISOString()} is not between ${new Date(before).toISOString()} and ${new Date(after).toISOString()}`,
  );
}

/**
 * What the Runtime has stored, without knowing its layout: the file names under the data dir (SQLite) and the
 * schemas and tables of the PostgreSQL database.
 */
export async function storageSnapshot(suite: RuntimeSuite): Promise<string[]> {
  const entries = listFiles(suite.runtime.dataDir).map((file) => `file:${relative(suite.runtime.dataDir, file)}`);
  const store = suite.prepared.store;
  if (typeof store !== 'string') {
    const client = new pg.Client({ connectionString: store.postgres });
    await client.connect();
    try {
      const tables = await client.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
      );
      const schemas = await client.query<{ name: string }>(
        `SELECT nspname AS name FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
          ORDER BY 1`,
      );
      entries.push(...schemas.rows.map((row) => `schema:${row.name}`));
      entries.push(...tables.rows.map((row) => `table:${row.schema}.${row.name}`));
    } finally {
      await client.end();
    }
  }
  return entries.sort();
}

function listFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(path));
    // SQLite's -wal/-shm/-journal companions come and go with checkpoints; they say nothing about what is stored.
    else if (!/-(wal|shm|journal)$/.test(entry.name)) files.push(path);
  }
  return files;
}
