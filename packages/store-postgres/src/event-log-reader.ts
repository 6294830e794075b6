import {
  type AggregateRootId,
  type AggregateRootVersion,
  defaultScope,
  type EventLogSequenceNumber,
  type EventSourceId,
  InvalidArgument,
  type ScopeId,
} from '@dolittle-ts/fundamentals';
import type { AggregateEvents, CommittedEvent, ReadOptions } from '@dolittle-ts/store';
import type pg from 'pg';
import { type EventRow, eventColumnCount, toCommittedEvents } from './event-rows.js';
import type { SafeIdentifier } from './identifiers.js';
import type { PoolReader } from './pool-reader.js';
import { type EventStatements, eventStatements, type Statement } from './statements.js';

/** Most events one `read` returns, whatever `limit` asks: bounds the memory one call can take. */
export const maxReadLimit = 5_000;

/**
 * The event store's reads, on the read pool. Each read is one statement, so it sees one snapshot: a prefix of the
 * log, since the single writer commits in sequence order.
 */
export class EventLogReader {
  readonly #reader: PoolReader;
  readonly #statements: EventStatements;

  constructor(reader: PoolReader, schema: SafeIdentifier) {
    this.#reader = reader;
    this.#statements = eventStatements(schema);
  }

  async read(scope: ScopeId, options: ReadOptions): Promise<readonly CommittedEvent[]> {
    const from = checkCount('from', options.from);
    const limit = Math.min(checkCount('limit', options.limit), maxReadLimit);
    if (limit === 0) return [];
    const rows = await this.#reader.arrays<EventRow>(this.#statements.read, [scope, from, limit], 'the event store');
    return toCommittedEvents(rows);
  }

  async nextSequenceNumber(scope: ScopeId): Promise<EventLogSequenceNumber> {
    const rows = await this.#query<{ next: string }>(this.#statements.nextSequenceNumber, [scope]);
    return Number(rows[0]?.next ?? 0) as EventLogSequenceNumber;
  }

  async fetchForAggregate(aggregateRootId: AggregateRootId, eventSourceId: EventSourceId): Promise<AggregateEvents> {
    // One row per event, or a single row of nulls (but the version) for an instance without events.
    const rows = await this.#reader.arrays<WithInstanceVersion<EventRow> | WithInstanceVersion<NoEventRow>>(
      this.#statements.fetchForAggregate,
      [aggregateRootId, eventSourceId, defaultScope],
      'the event store',
    );
    const first = rows[0];
    if (first === undefined) return { version: 0 as AggregateRootVersion, events: [] };
    const events = first[0] === null ? [] : toCommittedEvents(rows as WithInstanceVersion<EventRow>[]);
    return { version: Number(first[eventColumnCount]) as AggregateRootVersion, events };
  }

  async aggregateVersion(
    aggregateRootId: AggregateRootId,
    eventSourceId: EventSourceId,
  ): Promise<AggregateRootVersion> {
    const rows = await this.#query<{ version: string }>(this.#statements.aggregateVersion, [
      aggregateRootId,
      eventSourceId,
    ]);
    return Number(rows[0]?.version ?? 0) as AggregateRootVersion;
  }

  #query<R extends pg.QueryResultRow>(statement: Statement, values: unknown[]): Promise<R[]> {
    return this.#reader.rows<R>(statement, values, 'the event store');
  }
}

/** The row of an instance without events: every event column null. */
type NoEventRow = Nulls<EventRow>;
type Nulls<Row> = { readonly [column in keyof Row]: null };
type WithInstanceVersion<Row extends readonly unknown[]> = readonly [...Row, instanceVersion: string];

/** `value` if it is a whole number ≥ 0; `InvalidArgument` naming `field` otherwise. */
export function checkCount(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgument(field, `must be a whole number of at least 0, not ${value}`);
  }
  return value;
}
