/*
 * The most node-postgres can write into this PostgreSQL server (with its durability settings, checked and
 * reported): rows shaped like the event log, as multi-row inserts of 100 from 4 connections and as single-row
 * transactions from 32 connections.
 */
import pg from 'pg';
import { runClosedLoop } from '../support/closed-loop.js';
import { Latencies } from '../support/latencies.js';
import { processGroupCpuSeconds } from '../support/process-cpu.js';
import {
  type CeilingFigure,
  type CeilingRow,
  type CeilingTiming,
  ceilingRows,
  type ReadFloor,
} from './ceiling-rows.js';

export interface PostgresServerFacts {
  readonly version: string;
  readonly fsync: string;
  readonly synchronousCommit: string;
  readonly walSyncMethod: string;
}

export interface PostgresCeilings {
  readonly batched: CeilingFigure;
  readonly single: CeilingFigure;
  readonly read: ReadFloor;
}

export async function postgresServerFacts(url: string): Promise<PostgresServerFacts> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const setting = async (name: string) =>
      (await client.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0]
        ?.setting ?? 'unknown';
    return {
      version: await setting('server_version'),
      fsync: await setting('fsync'),
      synchronousCommit: await setting('synchronous_commit'),
      walSyncMethod: await setting('wal_sync_method'),
    };
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists (the Runtime creates its own on first use; the ceiling may run alone). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

const schema = 'bench_ceiling';

const insertBatch = {
  name: 'bench-ceiling-insert-batch',
  text: `INSERT INTO ${schema}.events (sequence_number, event_source_id, type_id, type_generation, public, content,
                                     occurred, execution_context)
         SELECT $1::bigint + e.n - 1, e.event_source_id, e.type_id, e.type_generation, e.public, e.content,
                $2::timestamptz, $3::text
           FROM unnest($4::uuid[], $5::uuid[], $6::integer[], $7::boolean[], $8::text[])
                WITH ORDINALITY AS e(event_source_id, type_id, type_generation, public, content, n)`,
};

const insertOne = {
  name: 'bench-ceiling-insert-one',
  text: `INSERT INTO ${schema}.events (sequence_number, event_source_id, type_id, type_generation, public, content,
                                     occurred, execution_context)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
};

/** Measures into schema `bench_ceiling` of the database at `url` (created here, left for the caller to drop). */
export async function measurePostgresCeilings(
  url: string,
  timing: CeilingTiming,
  options: { batchSize?: number; batchConnections?: number; singleConnections?: number } = {},
): Promise<PostgresCeilings> {
  const { batchSize = 100, batchConnections = 4, singleConnections = 32 } = options;
  const clients = await Promise.all(
    Array.from({ length: Math.max(batchConnections, singleConnections) }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  try {
    const admin = clients[0] as pg.Client;
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.events (
      sequence_number bigint PRIMARY KEY,
      event_source_id uuid NOT NULL,
      type_id uuid NOT NULL,
      type_generation integer NOT NULL,
      public boolean NOT NULL,
      content text NOT NULL,
      occurred timestamptz NOT NULL,
      execution_context text NOT NULL
    )`);
    let next = 0;
    const batchRows = ceilingRows(batchSize);
    const columns = {
      eventSourceIds: batchRows.map((r) => r.eventSourceId),
      typeIds: batchRows.map((r) => r.typeId),
      generations: batchRows.map((r) => r.typeGeneration),
      publics: batchRows.map((r) => r.public),
      contents: batchRows.map((r) => r.content),
    };
    const context = (batchRows[0] as CeilingRow).executionContext;
    const writeBatch = async (client: pg.Client) => {
      const first = next;
      next += batchSize;
      await client.query({
        ...insertBatch,
        values: [
          first,
          new Date(),
          context,
          columns.eventSourceIds,
          columns.typeIds,
          columns.generations,
          columns.publics,
          columns.contents,
        ],
      });
      return batchSize;
    };
    const row = ceilingRows(1)[0] as CeilingRow;
    const writeOne = async (client: pg.Client) => {
      await client.query({
        ...insertOne,
        values: [
          next++,
          row.eventSourceId,
          row.typeId,
          row.typeGeneration,
          row.public,
          row.content,
          new Date(),
          row.executionContext,
        ],
      });
      return 1;
    };

    const loop = async (method: string, connections: number, write: (client: pg.Client) => Promise<number>) => {
      const call = (worker: number) => write(clients[worker] as pg.Client);
      await runClosedLoop({ workers: connections, durationMs: timing.warmupMs, call });
      const serverBefore = processGroupCpuSeconds('postgres');
      const cpuBefore = process.cpuUsage();
      const run = await runClosedLoop({ workers: connections, durationMs: timing.durationMs, call });
      const cpu = process.cpuUsage(cpuBefore);
      const serverAfter = processGroupCpuSeconds('postgres');
      const summary = run.latencies.summary();
      return {
        method,
        events: run.events,
        transactions: run.calls,
        elapsedMs: run.elapsedMs,
        eventsPerSecond: (run.events / run.elapsedMs) * 1000,
        p50Ms: summary.p50,
        p99Ms: summary.p99,
        clientCpuUsPerEvent: (cpu.user + cpu.system) / run.events,
        databaseServerCpuUsPerEvent:
          serverBefore !== undefined && serverAfter !== undefined
            ? ((serverAfter - serverBefore) * 1e6) / run.events
            : undefined,
      } satisfies CeilingFigure;
    };
    const batched = await loop(
      `node-postgres, ${batchSize}-row unnest insert, ${batchConnections} connections`,
      batchConnections,
      writeBatch,
    );
    const single = await loop(
      `node-postgres, 1-row transactions, ${singleConnections} connections`,
      singleConnections,
      writeOne,
    );

    const readLatencies = new Latencies();
    for (let i = 0; i < timing.readRepeats; i++) {
      const started = performance.now();
      const result = await admin.query({
        name: 'bench-ceiling-read',
        text: `SELECT * FROM ${schema}.events WHERE sequence_number >= $1 ORDER BY sequence_number LIMIT $2`,
        values: [i * 10, 10_000],
      });
      readLatencies.record(performance.now() - started);
      if (result.rowCount !== 10_000)
        throw new Error(`the PostgreSQL ceiling table has fewer than 10,000 rows (${result.rowCount})`);
    }
    const read = readLatencies.summary();
    return {
      batched,
      single,
      read: {
        method: 'node-postgres, 10,000 rows by sequence number',
        rows: 10_000,
        repeats: read.count,
        p50Ms: read.p50,
        p99Ms: read.p99,
      },
    };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}
