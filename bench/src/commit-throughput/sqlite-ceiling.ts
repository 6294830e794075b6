/*
 * The most better-sqlite3 can write on this disk with the Runtime's durability (WAL, synchronous=FULL): rows
 * shaped like the event log, in transactions of 100 and of 1.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Latencies } from '../support/latencies.js';
import {
  type CeilingFigure,
  type CeilingRow,
  type CeilingTiming,
  ceilingRows,
  type ReadFloor,
} from './ceiling-rows.js';

export interface SqliteCeilings {
  readonly sqliteVersion: string;
  readonly batched: CeilingFigure;
  readonly single: CeilingFigure;
  readonly read: ReadFloor;
}

export function measureSqliteCeilings(dataDir: string, timing: CeilingTiming, batchSize = 100): SqliteCeilings {
  const db = new Database(join(dataDir, 'ceiling.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE events (
      sequence_number INTEGER PRIMARY KEY,
      event_source_id TEXT NOT NULL,
      type_id TEXT NOT NULL,
      type_generation INTEGER NOT NULL,
      public INTEGER NOT NULL,
      content TEXT NOT NULL,
      occurred INTEGER NOT NULL,
      execution_context TEXT NOT NULL
    ) STRICT`);
    const insert = db.prepare(
      'INSERT INTO events (sequence_number, event_source_id, type_id, type_generation, public, content, occurred, execution_context) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let next = 0;
    const writeRows = db.transaction((rows: readonly CeilingRow[]) => {
      const occurred = Date.now();
      for (const row of rows) {
        insert.run(
          next++,
          row.eventSourceId,
          row.typeId,
          row.typeGeneration,
          row.public ? 1 : 0,
          row.content,
          occurred,
          row.executionContext,
        );
      }
    });
    const rows = ceilingRows(batchSize);
    const single = ceilingRows(1);

    const loop = (method: string, batch: readonly CeilingRow[]): CeilingFigure => {
      runFor(timing.warmupMs, () => writeRows(batch));
      const cpuBefore = process.cpuUsage();
      const { transactions, elapsedMs, latencies } = runFor(timing.durationMs, () => writeRows(batch));
      const cpu = process.cpuUsage(cpuBefore);
      const events = transactions * batch.length;
      const summary = latencies.summary();
      return {
        method,
        events,
        transactions,
        elapsedMs,
        eventsPerSecond: (events / elapsedMs) * 1000,
        p50Ms: summary.p50,
        p99Ms: summary.p99,
        clientCpuUsPerEvent: (cpu.user + cpu.system) / events,
        databaseServerCpuUsPerEvent: undefined,
      };
    };
    const batched = loop(`better-sqlite3, ${batchSize} rows per transaction`, rows);
    const singleFigure = loop('better-sqlite3, 1 row per transaction', single);

    const select = db.prepare('SELECT * FROM events WHERE sequence_number >= ? ORDER BY sequence_number LIMIT ?');
    const readLatencies = new Latencies();
    for (let i = 0; i < timing.readRepeats; i++) {
      const started = performance.now();
      const found = select.all(i * 10, 10_000).length;
      readLatencies.record(performance.now() - started);
      if (found !== 10_000) throw new Error(`the SQLite ceiling table has fewer than 10,000 rows (${found})`);
    }
    const read = readLatencies.summary();
    return {
      sqliteVersion: sqliteLibraryVersion(),
      batched,
      single: singleFigure,
      read: {
        method: 'better-sqlite3 .all(), 10,000 rows by sequence number',
        rows: 10_000,
        repeats: read.count,
        p50Ms: read.p50,
        p99Ms: read.p99,
      },
    };
  } finally {
    db.close();
  }
}

/** The SQLite library better-sqlite3 bundles (the one the Runtime's store uses too). */
export function sqliteLibraryVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

function runFor(
  durationMs: number,
  write: () => void,
): { transactions: number; elapsedMs: number; latencies: Latencies } {
  const latencies = new Latencies();
  const started = performance.now();
  const deadline = started + durationMs;
  let transactions = 0;
  for (let now = started; now < deadline; ) {
    write();
    const done = performance.now();
    latencies.record(done - now);
    now = done;
    transactions++;
  }
  return { transactions, elapsedMs: performance.now() - started, latencies };
}
