import { InvalidArgument, parseGuid, type TenantId } from '@dolittle-ts/fundamentals';
import type {
  Definitions,
  EmbeddingStates,
  EventStore,
  OpenTenantOptions,
  ProjectionStates,
  StreamProcessorStates,
  Streams,
  SubscriptionStates,
  TenantStore,
} from '@dolittle-ts/store';
import pg from 'pg';
import { addressOf, type PostgresLocation } from './connection.js';
import { EventLogReader } from './event-log-reader.js';
import { safeIdentifier } from './identifiers.js';
import { PoolReader } from './pool-reader.js';
import { PostgresDefinitions } from './postgres-definitions.js';
import { PostgresEmbeddingStates } from './postgres-embedding-states.js';
import { PostgresProjectionStates } from './postgres-projection-states.js';
import { PostgresStreamProcessorStates } from './postgres-stream-processor-states.js';
import { PostgresStreams } from './postgres-streams.js';
import { PostgresSubscriptionStates } from './postgres-subscription-states.js';
import { TenantWriter } from './tenant-writer.js';

export interface PostgresStoreOptions {
  /**
   * Start even when PostgreSQL runs with fsync or synchronous_commit off, which loses acknowledged commits on a
   * crash. Tests only. Default false.
   */
  readonly allowUnsafeDurability?: boolean;
  /** Connections in the read pool. Default 4. The writer has one more connection per open tenant. */
  readonly poolSize?: number;
  /** Create the URL's database when it does not exist, through the server's `postgres` database. Default true. */
  readonly createDatabase?: boolean;
}

export const defaultPoolSize = 4;

/** A tenant's store on PostgreSQL: the event store, every processing port and the event horizon's subscriptions. */
export interface PostgresTenantStore extends TenantStore {
  readonly streams: Streams;
  readonly processorStates: StreamProcessorStates;
  readonly definitions: Definitions;
  readonly projections: ProjectionStates;
  readonly embeddings: EmbeddingStates;
  readonly subscriptions: SubscriptionStates;
}

/** `postgres host:port/database schema name`: no user, no password. */
export function describeLocation(location: PostgresLocation): string {
  return `postgres ${addressOf(location.connectionString).display} schema ${location.schema}`;
}

export function createReadPool(connectionString: string, poolSize: number | undefined): pg.Pool {
  const size = poolSize ?? defaultPoolSize;
  if (!Number.isSafeInteger(size) || size < 1) throw new InvalidArgument('poolSize', `must be at least 1, not ${size}`);
  const pool = new pg.Pool({
    connectionString,
    max: size,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    application_name: 'dolittle-ts reader',
  });
  // An idle pooled connection the server ends emits 'error' on the pool; the pool drops it and makes a new one.
  pool.on('error', () => {});
  return pool;
}

/**
 * Opens one tenant's store: takes its writer lock, creates or migrates its schema and opens its ports. Every write
 * goes through the writer connection (fenced by the lock); `pool` serves the reads, and when `ownsPool` it is
 * ended with the store.
 */
export async function openTenantStore(args: {
  readonly tenantId: TenantId;
  readonly location: PostgresLocation;
  readonly pool: pg.Pool;
  readonly ownsPool: boolean;
  readonly options: PostgresStoreOptions;
  readonly signal?: AbortSignal | undefined;
}): Promise<PostgresTenantStore> {
  const { location, options, pool } = args;
  const tenantId = parseGuid(args.tenantId);
  if (tenantId === undefined)
    throw new InvalidArgument('tenantId', `"${String(args.tenantId).slice(0, 80)}" is not a GUID`);
  const schema = safeIdentifier('schema', location.schema);
  const where = addressOf(location.connectionString).display;
  args.signal?.throwIfAborted();

  const writer = await TenantWriter.open(
    {
      connectionString: location.connectionString,
      schema,
      where,
      allowUnsafeDurability: options.allowUnsafeDurability ?? false,
      createDatabase: options.createDatabase ?? true,
    },
    args.signal,
  );
  const reader = new PoolReader(pool, schema, where);
  const log = new EventLogReader(reader, schema);
  const events: EventStore = {
    commit: (batch, commitOptions) => writer.commit(batch, commitOptions),
    read: (scope, readOptions) => log.read(scope, readOptions),
    nextSequenceNumber: (scope) => log.nextSequenceNumber(scope),
    fetchForAggregate: (rootId, eventSourceId) => log.fetchForAggregate(rootId, eventSourceId),
    aggregateVersion: (rootId, eventSourceId) => log.aggregateVersion(rootId, eventSourceId),
  };
  let closing: Promise<void> | undefined;
  return {
    tenantId: tenantId as string as TenantId,
    location: describeLocation(location),
    events,
    streams: new PostgresStreams(writer, reader, schema),
    processorStates: new PostgresStreamProcessorStates(writer, reader, schema),
    definitions: new PostgresDefinitions(writer, reader, schema),
    projections: new PostgresProjectionStates(writer, reader, schema),
    embeddings: new PostgresEmbeddingStates(writer, reader, schema),
    subscriptions: new PostgresSubscriptionStates(writer, schema),
    close: () => {
      closing ??= (async () => {
        await writer.close();
        if (args.ownsPool) await pool.end();
      })();
      return closing;
    },
  };
}

/**
 * Opens one tenant's store at an explicit place, as the Runtime's configuration gives it (a `postgres` store
 * config: connection string + schema). The store has its own read pool, ended by its `close`.
 */
export async function openPostgresTenantStore(
  tenantId: TenantId,
  location: PostgresLocation,
  options: PostgresStoreOptions & OpenTenantOptions = {},
): Promise<PostgresTenantStore> {
  const schema = safeIdentifier('schema', location.schema);
  const pool = createReadPool(location.connectionString, options.poolSize);
  try {
    return await openTenantStore({
      tenantId,
      location: { connectionString: location.connectionString, schema },
      pool,
      ownsPool: true,
      options,
      signal: options.signal,
    });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}
