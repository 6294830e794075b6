/*
 * Emmett's PostgreSQL event store (`getPostgreSQLEventStore`), used as its documentation shows: streams appended
 * with `appendToStream`, read with `readStream`, and processed by the store's consumer (`eventStore.consumer()`)
 * with a reactor (`consumer.reactor({ processorId, eachMessage })`), which keeps its checkpoint in the database.
 *
 * Tuned: a node-postgres pool of `poolSize` connections handed to the store (`connectionOptions.pool`), and the
 * consumer pulling `batchSize` messages at a time, `pullingFrequencyInMs` between pulls. Defaults: the store's own
 * pool (node-postgres' default size, 10) and the consumer's defaults (100 messages, 50 ms).
 */

import { endAllPools } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { type BenchEvent, emmettStreams, runEmmettConsumer } from './emmett-target-parts.js';
import type { PeerConsumer, PeerTarget } from './target.js';

export interface EmmettPostgresSettings {
  /** Undefined: the store's default pool. */
  readonly poolSize: number | undefined;
  /** Undefined: the consumer's defaults. */
  readonly pulling: { readonly batchSize: number; readonly pullingFrequencyInMs: number } | undefined;
}

/** The consumer's documented defaults in this version (`DefaultPostgreSQLEventStoreProcessor…`). */
export const emmettPostgresConsumerDefaults = { batchSize: 100, pullingFrequencyInMs: 50 } as const;
const nodePostgresDefaultPoolSize = 10;

export function createEmmettPostgresTarget(
  connectionString: string,
  settings: EmmettPostgresSettings,
  label: string,
): PeerTarget {
  const pool = settings.poolSize === undefined ? undefined : new pg.Pool({ connectionString, max: settings.poolSize });
  const eventStore = getPostgreSQLEventStore(
    connectionString,
    pool === undefined ? undefined : { connectionOptions: { pool } },
  );
  const readStreamName = `bench-${crypto.randomUUID()}`;
  const consumerFailures: string[] = [];
  const pulling = settings.pulling ?? emmettPostgresConsumerDefaults;
  return {
    label,
    side: 'emmett',
    store: 'postgres',
    pid: undefined,
    settings: [
      settings.poolSize === undefined
        ? `pool: the store's own (node-postgres default, ${nodePostgresDefaultPoolSize} connections)`
        : `pool: node-postgres Pool max ${settings.poolSize}, given as connectionOptions.pool`,
      `consumer: eventStore.consumer({ pulling: { batchSize: ${pulling.batchSize}, pullingFrequencyInMs: ${pulling.pullingFrequencyInMs} } })${settings.pulling === undefined ? ' (defaults)' : ''}, one reactor (checkpoint per message, in the database)`,
      'appends: appendToStream(stream, events), no expected version; the read stream with expectedStreamVersion',
    ],
    ...emmettStreams(eventStore, readStreamName),
    async startConsumer(onEvent): Promise<PeerConsumer> {
      const consumer = eventStore.consumer<BenchEvent>(
        settings.pulling === undefined ? undefined : { pulling: settings.pulling },
      );
      consumer.reactor<BenchEvent>({
        processorId: `bench-${crypto.randomUUID()}`,
        eachMessage: (event) => {
          onEvent(event.data.order);
        },
      });
      return runEmmettConsumer(consumer, consumerFailures);
    },
    async describeDurability() {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        const show = async (name: string) =>
          (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '?';
        return `server: fsync=${await show('fsync')}, synchronous_commit=${await show('synchronous_commit')} (the store sets neither)`;
      } finally {
        await client.end();
      }
    },
    async inspectStore() {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        // The consumer reads `ORDER BY transaction_id, global_position` and skips a message whose position is at
        // or below the checkpoint: a message behind a higher position in that order is skipped.
        const { rows } = await client.query<{ events: string; behind: string }>(
          `SELECT count(*) AS events, count(*) FILTER (WHERE global_position < highest_before) AS behind
             FROM (SELECT global_position,
                          max(global_position) OVER (ORDER BY transaction_id, global_position
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS highest_before
                     FROM emt_messages) AS ordered`,
        );
        return {
          events: Number(rows[0]?.events),
          behindAHigherPosition: Number(rows[0]?.behind),
          how: 'emt_messages rows; behind: rows after a higher global_position in ORDER BY transaction_id, global_position',
        };
      } finally {
        await client.end();
      }
    },
    incidents: () => consumerFailures,
    async close() {
      await eventStore.close();
      await pool?.end();
      // Pools the library made for itself (it keeps them per connection string): closed before the database is
      // dropped, which would otherwise end their connections under them.
      await endAllPools();
    },
  };
}

/**
 * The store's own pools (node-postgres pools it creates without an 'error' listener) may still hold an idle
 * connection when the benchmark drops the database, and node-postgres then emits the server's "terminating
 * connection due to administrator command" (57P01) as an 'error' no one handles, which would end this process.
 * While the guard is on, those are counted instead; any other uncaught error still ends the process.
 */
export function guardDroppedConnections(): { readonly count: () => number; remove(): void } {
  let count = 0;
  const onUncaught = (error: Error & { code?: unknown }) => {
    if (error.code !== '57P01') {
      process.off('uncaughtException', onUncaught);
      throw error;
    }
    count++;
  };
  process.on('uncaughtException', onUncaught);
  return { count: () => count, remove: () => process.off('uncaughtException', onUncaught) };
}
