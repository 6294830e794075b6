/*
 * Emmett's SQLite event store (`getSQLiteEventStore({ fileName })`, on the `sqlite3` driver), used as its
 * documentation shows; its consumer is `eventStore.consumer({ pulling })` with one processor (`eachMessage`), which
 * keeps its checkpoint in the same file.
 *
 * The store opens a connection per operation and sets `journal_mode = WAL` on each; it does not set `synchronous`,
 * so every connection has the SQLite library's compiled default. `describeDurability` reads what that is.
 */
import { join } from 'node:path';
import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import sqlite3 from 'sqlite3';
import { type BenchEvent, emmettStreams, runEmmettConsumer } from './emmett-target-parts.js';
import type { PeerConsumer, PeerTarget } from './target.js';

export interface EmmettSqliteSettings {
  /** Undefined: the consumer's defaults. */
  readonly pulling: { readonly batchSize: number; readonly pullingFrequencyInMs: number } | undefined;
}

/** The consumer's defaults in this version (`DefaultSQLiteEventStoreProcessor…`). */
export const emmettSqliteConsumerDefaults = { batchSize: 100, pullingFrequencyInMs: 50 } as const;

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export function createEmmettSqliteTarget(dataDir: string, settings: EmmettSqliteSettings, label: string): PeerTarget {
  const fileName = join(dataDir, 'emmett.sqlite');
  // The store runs `PRAGMA journal_mode = WAL` on each new connection without a callback, so sqlite3 emits a failure
  // of it (SQLITE_BUSY under concurrent appends; "cannot change into wal mode from within a transaction" when it runs
  // after the connection's BEGIN) as an 'error' event that no one handles: it would end this process. Counted here
  // instead, while this target runs; any uncaught error that is not SQLite's still ends the process.
  const unhandled = new Map<string, number>();
  const onUncaught = (error: Error & { code?: unknown }) => {
    if (typeof error.code !== 'string' || !error.code.startsWith('SQLITE_')) {
      process.off('uncaughtException', onUncaught);
      throw error;
    }
    unhandled.set(error.message, (unhandled.get(error.message) ?? 0) + 1);
  };
  process.on('uncaughtException', onUncaught);
  // The store also prints every failed transaction's error with console.log; kept off stdout (the report's) and
  // counted while this target runs.
  const consoleLog = console.log;
  let printed = 0;
  console.log = (...args: unknown[]) => {
    printed++;
    if (printed <= 3) process.stderr.write(`[emmett-sqlite console.log] ${args.map(String).join(' ')}\n`);
  };
  const consumerFailures: string[] = [];
  const eventStore = getSQLiteEventStore({ fileName });
  const readStreamName = `bench-${crypto.randomUUID()}`;
  const pulling = settings.pulling ?? emmettSqliteConsumerDefaults;
  return {
    label,
    side: 'emmett',
    store: 'sqlite',
    pid: undefined,
    settings: [
      'connections: the store\'s own (a new sqlite3 connection per operation, "PRAGMA journal_mode = WAL" on each)',
      `consumer: eventStore.consumer({ pulling: { batchSize: ${pulling.batchSize}, pullingFrequencyInMs: ${pulling.pullingFrequencyInMs} } })${settings.pulling === undefined ? ' (defaults)' : ''}, one processor (checkpoint per message, in the file)`,
      'appends: appendToStream(stream, events), no expected version; the read stream with expectedStreamVersion',
    ],
    ...emmettStreams(eventStore, readStreamName),
    async startConsumer(onEvent): Promise<PeerConsumer> {
      const consumer = eventStore.consumer<BenchEvent>(
        settings.pulling === undefined ? undefined : { pulling: settings.pulling },
      );
      consumer.processor<BenchEvent>({
        processorId: `bench-${crypto.randomUUID()}`,
        eachMessage: (event) => {
          onEvent(event.data.order);
          return Promise.resolve();
        },
      });
      return runEmmettConsumer(consumer, consumerFailures);
    },
    describeDurability: () => sqliteDurability(fileName),
    async inspectStore() {
      const rows = await withSqlite(fileName, (all) => all('SELECT count(*) AS events FROM emt_messages'));
      return { events: Number(rows[0]?.events), how: 'emt_messages rows' };
    },
    incidents: () => [
      ...[...unhandled].map(
        ([message, count]) =>
          `${count} × unhandled "${message}" emitted by sqlite3 (the store's callback-less PRAGMA on a new connection); without an uncaughtException handler the first one ends the process`,
      ),
      ...(printed > 0 ? [`${printed} errors printed by the store (console.log of a failed transaction)`] : []),
      ...consumerFailures,
    ],
    async close() {
      // The store keeps no connection open between operations; stop counting its unhandled errors.
      process.off('uncaughtException', onUncaught);
      console.log = consoleLog;
    },
  };
}

/**
 * What a connection like the store's gets: the file's journal mode, `synchronous` on a fresh connection after
 * `journal_mode = WAL` (as the store opens them), and the compiled defaults that decide it.
 */
function sqliteDurability(fileName: string): Promise<string> {
  return withSqlite(fileName, async (all) => {
    const journal = (await all('PRAGMA journal_mode = WAL'))[0]?.journal_mode;
    const synchronous = Number((await all('PRAGMA synchronous'))[0]?.synchronous);
    const version = (await all('SELECT sqlite_version() AS v'))[0]?.v;
    const compiled = (await all('PRAGMA compile_options'))
      .map((row) => String(row.compile_options))
      .filter((option) => option.includes('SYNCHRONOUS'));
    return `journal_mode=${String(journal)}, synchronous=${synchronousNames[synchronous] ?? synchronous} (not set by the store: sqlite3's SQLite ${String(version)} default${compiled.length > 0 ? `, ${compiled.join(', ')}` : ''})`;
  });
}

type SqliteQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** A connection of our own to the store's file, closed afterwards. */
async function withSqlite<T>(fileName: string, work: (all: SqliteQuery) => Promise<T>): Promise<T> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(fileName, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  const all: SqliteQuery = (sql) =>
    new Promise((resolve, reject) =>
      db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as Record<string, unknown>[]))),
    );
  try {
    return await work(all);
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}
