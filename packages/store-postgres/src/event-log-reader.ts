import {
  type AggregateRootId,
  type AggregateRootVersion,
  defaultScope,
  type EventLogSequenceNumber,
  type EventSourceId,
  InvalidArgument,
  type ScopeId,
  StoreUnavailable,
} from '@dolittle-ts/fundamentals';
import type { AggregateEvents, CommittedEvent, ReadOptions } from '@dolittle-ts/store';
import type pg from 'pg';
import { messageOf, sqlStateOf } from './connection.js';
import { type EventRow, toCommittedEvents } from './event-rows.js';
import type { SafeIdentifier } from './identifiers.js';
import { type EventStatements, eventStatements, type Statement } from './statements.js';

/** Most events one `read` returns, whatever `limit` asks: bounds the memory one call can take. */
export const maxReadLimit = 5_000;

/**
 * The event store's reads, on a small pool shared with the provider's other tenants. Each read is one
 * statement, so it sees one snapshot: a prefix of the log, since the single writer commits in sequence order.
 */
export class EventLogReader {
  readonly #pool: pg.Pool;
  readonly #statements: EventStatements;
  readonly #schema: SafeIdentifier;
  readonly #where: string;

  constructor(pool: pg.Pool, schema: SafeIdentifier, where: string) {
    this.#pool = pool;
    this.#schema = schema;
    this.#where = where;
    this.#statements = eventStatements(schema);
  }

  async read(scope: ScopeId, options: ReadOptions): Promise<readonly CommittedEvent[]> {
    const from = checkCount('from', options.from);
    const limit = Math.min(checkCount('limit', options.limit), maxReadLimit);
    if (limit === 0) return [];
    const rows = await this.#query<EventRow>(this.#statements.read, [scope, from, limit]);
    return toCommittedEvents(rows);
  }

  async nextSequenceNumber(scope: ScopeId): Promise<EventLogSequenceNumber> {
    const rows = await this.#query<{ next: string }>(this.#statements.nextSequenceNumber, [scope]);
    return Number(rows[0]?.next ?? 0) as EventLogSequenceNumber;
  }

  async fetchForAggregate(aggregateRootId: AggregateRootId, eventSourceId: EventSourceId): Promise<AggregateEvents> {
    // One row per event, or a single row of nulls (but the version) for an instance without events.
    const rows = await this.#query<(EventRow | NoEventRow) & { instance_version: string }>(
      this.#statements.fetchForAggregate,
      [aggregateRootId, eventSourceId, defaultScope],
    );
    const first = rows[0];
    if (first === undefined) return { version: 0 as AggregateRootVersion, events: [] };
    const events = first.sequence_number === null ? [] : toCommittedEvents(rows as EventRow[]);
    return { version: Number(first.instance_version) as AggregateRootVersion, events };
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

  async #query<R extends pg.QueryResultRow>(statement: Statement, values: unknown[]): Promise<R[]> {
    try {
      const result = await this.#pool.query<R>({ ...statement, values });
      return result.rows;
    } catch (error) {
      // 22P02: a value PostgreSQL could not read as its column's type, e.g. an id that is not a GUID.
      if (sqlStateOf(error) === '22P02') throw new InvalidArgument('id', messageOf(error));
      throw new StoreUnavailable(
        `reading the event store in schema ${this.#schema} at ${this.#where} failed: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
}

type NoEventRow = { readonly [column in keyof EventRow]: null };

function checkCount(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgument(field, `must be a whole number of at least 0, not ${value}`);
  }
  return value;
}
