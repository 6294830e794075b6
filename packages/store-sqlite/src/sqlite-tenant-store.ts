import { resolve } from 'node:path';
import type { TenantId } from '@dolittle-ts/fundamentals';
import type {
  Definitions,
  EmbeddingStates,
  ProjectionStates,
  StreamProcessorStates,
  Streams,
  SubscriptionStates,
  TenantStore,
} from '@dolittle-ts/store';
import { openDatabase, type SqliteDurability, type SqliteOpenOptions, type SqliteTarget } from './open-database.js';
import { migrate } from './schema.js';
import { SqliteDefinitions } from './sqlite-definitions.js';
import { SqliteEmbeddingStates } from './sqlite-embedding-states.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { SqliteProjectionStates } from './sqlite-projection-states.js';
import { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';
import { SqliteStreams } from './sqlite-streams.js';
import { SqliteSubscriptionStates } from './sqlite-subscription-states.js';

export interface SqliteTenantStore extends TenantStore {
  /** What SQLite reports for the connection: WAL with `synchronous=FULL` for a durable file store. */
  readonly durability: SqliteDurability;
  readonly streams: Streams;
  readonly processorStates: StreamProcessorStates;
  readonly definitions: Definitions;
  readonly projections: ProjectionStates;
  readonly embeddings: EmbeddingStates;
  readonly subscriptions: SubscriptionStates;
}

/** "sqlite file /abs/path.sqlite", or "sqlite memory (tenant …)": for logs, errors and telling storages apart. */
export function describeSqliteTarget(target: SqliteTarget, tenantId: TenantId): string {
  if ('memory' in target) return `sqlite memory (tenant ${tenantId})`;
  return `sqlite file ${resolvedFile(target.file)}`;
}

/**
 * Opens one tenant's store at an explicit file (or in memory), creating the file and its schema if needed.
 * Fails with `StoreLocked` while another process or store has the file open, with `UnsafeDurability` when
 * SQLite does not give WAL with `synchronous=FULL` (unless allowed), and with `StoreConsistency` for a file that
 * is not a store this Runtime can read.
 */
export async function openSqliteTenantStore(
  tenantId: TenantId,
  target: SqliteTarget,
  options: SqliteOpenOptions = {},
): Promise<SqliteTenantStore> {
  const location = describeSqliteTarget(target, tenantId);
  const resolved: SqliteTarget = 'memory' in target ? target : { file: resolvedFile(target.file) };
  const { db, durability } = openDatabase(resolved, location, options);
  let events: SqliteEventStore;
  let processorStates: SqliteStreamProcessorStates;
  let streams: SqliteStreams;
  let definitions: SqliteDefinitions;
  let projections: SqliteProjectionStates;
  let embeddings: SqliteEmbeddingStates;
  let subscriptions: SqliteSubscriptionStates;
  try {
    migrate(db, location);
    events = new SqliteEventStore(db, location);
    processorStates = new SqliteStreamProcessorStates(db, location);
    streams = new SqliteStreams(db, location, processorStates);
    definitions = new SqliteDefinitions(db, location);
    projections = new SqliteProjectionStates(db, location, processorStates);
    embeddings = new SqliteEmbeddingStates(db, location);
    subscriptions = new SqliteSubscriptionStates(db, location, events);
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    tenantId,
    location,
    durability,
    events,
    streams,
    processorStates,
    definitions,
    projections,
    embeddings,
    subscriptions,
    async close() {
      // Closing releases the writer lock; better-sqlite3 makes a second close a no-op.
      db.close();
    },
  };
}

/** SQLite's special names (":memory:", "" for a temporary file) are kept as they are, so they stay special. */
function resolvedFile(file: string): string {
  return file === ':memory:' || file === '' ? file : resolve(file);
}
