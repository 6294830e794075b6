/*
 * The rows the driver-only ceilings write: shaped like the event log (sequence number, event source, type id,
 * generation, public, content text, occurred, execution context text) and as big as what the Runtime stores for
 * a bench event.
 */
import { randomUUID } from 'node:crypto';
import { developmentMicroservice, developmentTenant } from '@dolittle-ts/fundamentals';
import { benchEnvironment, benchEventContent, benchEventTypeId } from '../support/event-store-wire.js';

export interface CeilingRow {
  readonly eventSourceId: string;
  readonly typeId: string;
  readonly typeGeneration: number;
  readonly public: boolean;
  readonly content: string;
  readonly executionContext: string;
}

/** `count` rows of bench events, each with its own event source, sharing one execution context as a commit does. */
export function ceilingRows(count: number): CeilingRow[] {
  const executionContext = JSON.stringify({
    microserviceId: developmentMicroservice,
    tenantId: developmentTenant,
    version: { major: 1, minor: 2, patch: 3, build: 0, preRelease: 'bench' },
    correlationId: randomUUID(),
    claims: [],
    environment: benchEnvironment,
  });
  return Array.from({ length: count }, (_, i) => ({
    eventSourceId: randomUUID(),
    typeId: benchEventTypeId,
    typeGeneration: 1,
    public: false,
    content: benchEventContent(i),
    executionContext,
  }));
}

/** What one ceiling measured. */
export interface CeilingFigure {
  /** e.g. "better-sqlite3: 100 rows per transaction". */
  readonly method: string;
  readonly events: number;
  readonly transactions: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** Per transaction. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** This process's CPU (the driver) per event. */
  readonly clientCpuUsPerEvent: number;
  /** The PostgreSQL server's CPU per event, when it runs on this machine. */
  readonly databaseServerCpuUsPerEvent: number | undefined;
}

/** Reading 10,000 rows straight through the driver: the floor under FetchForAggregate. */
export interface ReadFloor {
  readonly method: string;
  readonly rows: number;
  readonly repeats: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface CeilingTiming {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly readRepeats: number;
}
