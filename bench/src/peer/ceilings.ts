/*
 * The raw driver ceilings of this run, from the commit-throughput benchmark's measurements (imported, not
 * repeated): what better-sqlite3 and node-postgres alone do with rows shaped like the event log, with the same
 * durability. Appends of 1 event map to the 1-row transactions (SQLite: one connection, one after another;
 * PostgreSQL: 32 connections), appends of 100 to the 100-row ones (PostgreSQL: 4 connections); reading a stream and
 * consuming the log both map to the driver reading 10,000 rows in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDatabase, testPostgresUrl } from '@dolittle-ts/compat/harness';
import type { CeilingFigure, CeilingTiming, ReadFloor } from '../commit-throughput/ceiling-rows.js';
import { ensureDatabase, measurePostgresCeilings } from '../commit-throughput/postgres-ceiling.js';
import { measureSqliteCeilings } from '../commit-throughput/sqlite-ceiling.js';
import type { PeerStore } from './target.js';

export interface PeerCeiling {
  readonly store: PeerStore;
  readonly singles: CeilingFigure;
  readonly batches: CeilingFigure;
  readonly read: ReadFloor;
  /** 10,000 rows ÷ the read's p50. */
  readonly readEventsPerSecond: number;
}

export async function measurePeerCeiling(store: PeerStore, timing: CeilingTiming): Promise<PeerCeiling> {
  if (store === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'dolittle-bench-peer-ceiling-'));
    try {
      const measured = measureSqliteCeilings(dataDir, timing);
      return ceiling(store, measured.single, measured.batched, measured.read);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const database = await freshPostgresDatabase('dolittle_bench_peer_ceiling');
  try {
    await ensureDatabase(testPostgresUrl(), database.name);
    const measured = await measurePostgresCeilings(database.url, timing);
    return ceiling(store, measured.single, measured.batched, measured.read);
  } finally {
    await database.drop();
  }
}

function ceiling(store: PeerStore, singles: CeilingFigure, batches: CeilingFigure, read: ReadFloor): PeerCeiling {
  return { store, singles, batches, read, readEventsPerSecond: (read.rows / read.p50Ms) * 1000 };
}
