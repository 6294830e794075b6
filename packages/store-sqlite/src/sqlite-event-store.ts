import {
  type AggregateRootId,
  type AggregateRootVersion,
  defaultScope,
  type EventLogSequenceNumber,
  type EventSourceId,
  type ExecutionContext,
  type ScopeId,
  StoreUnavailable,
} from '@dolittle-ts/fundamentals';
import type {
  AggregateEvents,
  Commit,
  CommitBatchOptions,
  CommitOutcome,
  CommittedEvent,
  EventStore,
  ReadOptions,
} from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { type EventRow, eventColumns, rowsToEvents } from './event-rows.js';
import { assertOpen } from './open-database.js';

const noEventsToCommit: CommitOutcome = { ok: false, failure: { kind: 'NoEventsToCommit' } };

/**
 * A tenant's event store in one SQLite connection that holds the file's writer lock, so this object is the
 * only writer: it keeps the default scope's next sequence number in memory, read from the file at open and
 * re-read after any failed batch. better-sqlite3 is synchronous, so a batch runs start to end without
 * interleaving; concurrent `commit` calls are written one after the other.
 */
export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #location: string;
  /** The default scope's next sequence number; `undefined` when it must be re-read from the file. */
  #next: number | undefined;

  readonly #insertEvent: Database.Statement<unknown[]>;
  readonly #selectVersion: Database.Statement<[string, string], number>;
  readonly #upsertVersion: Database.Statement<[string, string, number]>;
  readonly #selectLast: Database.Statement<[string], number>;
  readonly #selectRange: Database.Statement<[string, number, number], EventRow>;
  readonly #selectAggregate: Database.Statement<[string, string, string], EventRow>;
  readonly #writeBatch: (batch: readonly Commit[], occurred: number, first: number) => BatchResult;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.#location = location;
    this.#insertEvent = db.prepare(
      `INSERT INTO events (scope, sequence_number, event_source_id, type_id, type_generation, public, content,
        occurred, execution_context, aggregate_root_id, aggregate_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#selectVersion = db
      .prepare<[string, string], number>(
        'SELECT version FROM aggregates WHERE aggregate_root_id = ? AND event_source_id = ?',
      )
      .pluck();
    this.#upsertVersion = db.prepare(
      `INSERT INTO aggregates (aggregate_root_id, event_source_id, version) VALUES (?, ?, ?)
        ON CONFLICT (aggregate_root_id, event_source_id) DO UPDATE SET version = excluded.version`,
    );
    this.#selectLast = db
      .prepare<[string], number>(
        'SELECT sequence_number FROM events WHERE scope = ? ORDER BY sequence_number DESC LIMIT 1',
      )
      .pluck();
    this.#selectRange = db.prepare(
      `SELECT ${eventColumns()} FROM events WHERE scope = ? AND sequence_number >= ? ORDER BY sequence_number LIMIT ?`,
    );
    this.#selectAggregate = db.prepare(
      `SELECT ${eventColumns()} FROM events
        WHERE aggregate_root_id = ? AND event_source_id = ? AND scope = ? ORDER BY aggregate_version`,
    );
    this.#writeBatch = db.transaction((batch, occurred, first) => this.#write(batch, occurred, first)).immediate;
    this.#next = this.#readNext(defaultScope);
  }

  async commit(batch: readonly Commit[], options: CommitBatchOptions): Promise<readonly CommitOutcome[]> {
    this.#assertOpen();
    try {
      this.#next ??= this.#readNext(defaultScope);
      const result = this.#writeBatch(batch, options.occurred.getTime(), this.#next);
      this.#next = result.next;
      return result.outcomes;
    } catch (error) {
      // The transaction rolled back; take the next sequence number from the file, not from what we counted.
      this.#next = undefined;
      try {
        this.#next = this.#readNext(defaultScope);
      } catch {
        // Re-read before the next batch.
      }
      throw new StoreUnavailable(
        `${this.#location}: the commit failed and none of its ${batch.length} commits was written (${describe(error)})`,
        { cause: error },
      );
    }
  }

  async read(scope: ScopeId, options: ReadOptions): Promise<readonly CommittedEvent[]> {
    this.#assertOpen();
    if (options.limit < 1) return [];
    return rowsToEvents(this.#selectRange.all(scope, options.from, Math.floor(options.limit)));
  }

  async nextSequenceNumber(scope: ScopeId): Promise<EventLogSequenceNumber> {
    this.#assertOpen();
    if (scope !== defaultScope) return this.#readNext(scope) as EventLogSequenceNumber;
    this.#next ??= this.#readNext(defaultScope);
    return this.#next as EventLogSequenceNumber;
  }

  async fetchForAggregate(aggregateRootId: AggregateRootId, eventSourceId: EventSourceId): Promise<AggregateEvents> {
    this.#assertOpen();
    const version = this.#selectVersion.get(aggregateRootId, eventSourceId) ?? 0;
    if (version === 0) return { version: 0 as AggregateRootVersion, events: [] };
    const rows = this.#selectAggregate.all(aggregateRootId, eventSourceId, defaultScope);
    return { version: version as AggregateRootVersion, events: rowsToEvents(rows) };
  }

  async aggregateVersion(
    aggregateRootId: AggregateRootId,
    eventSourceId: EventSourceId,
  ): Promise<AggregateRootVersion> {
    this.#assertOpen();
    return (this.#selectVersion.get(aggregateRootId, eventSourceId) ?? 0) as AggregateRootVersion;
  }

  /** Runs inside the batch's transaction; a throw rolls back the whole batch. */
  #write(batch: readonly Commit[], occurred: number, first: number): BatchResult {
    let next = first;
    const outcomes: CommitOutcome[] = [];
    for (const commit of batch) {
      if (commit.events.length === 0) {
        outcomes.push(noEventsToCommit);
        continue;
      }
      // One copy of the execution context per commit: serialised once, shared by its events.
      const executionContext = copyExecutionContext(commit.executionContext);
      const executionContextJson = JSON.stringify(executionContext);
      const events: CommittedEvent[] = [];

      if (commit.kind === 'events') {
        for (const event of commit.events) {
          this.#insertEvent.run(
            defaultScope,
            next,
            event.eventSourceId,
            event.type.id,
            event.type.generation,
            event.public ? 1 : 0,
            event.content,
            occurred,
            executionContextJson,
            null,
            null,
          );
          events.push({
            sequenceNumber: next++ as EventLogSequenceNumber,
            occurred: new Date(occurred),
            eventSourceId: event.eventSourceId,
            executionContext,
            type: { id: event.type.id, generation: event.type.generation },
            public: event.public,
            content: event.content,
            aggregate: undefined,
            external: undefined,
          });
        }
      } else {
        const { aggregateRootId, eventSourceId, expectedVersion } = commit;
        const actual = this.#selectVersion.get(aggregateRootId, eventSourceId) ?? 0;
        if (actual !== expectedVersion) {
          outcomes.push({
            ok: false,
            failure: {
              kind: 'AggregateRootConcurrencyConflict',
              expected: expectedVersion,
              actual: actual as AggregateRootVersion,
            },
          });
          continue;
        }
        let version = actual;
        for (const event of commit.events) {
          this.#insertEvent.run(
            defaultScope,
            next,
            eventSourceId,
            event.type.id,
            event.type.generation,
            event.public ? 1 : 0,
            event.content,
            occurred,
            executionContextJson,
            aggregateRootId,
            version,
          );
          events.push({
            sequenceNumber: next++ as EventLogSequenceNumber,
            occurred: new Date(occurred),
            eventSourceId,
            executionContext,
            type: { id: event.type.id, generation: event.type.generation },
            public: event.public,
            content: event.content,
            aggregate: { rootId: aggregateRootId, version: version++ as AggregateRootVersion },
            external: undefined,
          });
        }
        this.#upsertVersion.run(aggregateRootId, eventSourceId, version);
      }
      outcomes.push({ ok: true, events });
    }
    return { outcomes, next };
  }

  #readNext(scope: ScopeId): number {
    const last = this.#selectLast.get(scope);
    return last === undefined ? 0 : last + 1;
  }

  #assertOpen(): void {
    assertOpen(this.#db, this.#location);
  }
}

interface BatchResult {
  readonly outcomes: CommitOutcome[];
  readonly next: number;
}

/** Exactly the port's fields, so what is stored and returned never depends on extra properties of the input. */
function copyExecutionContext(context: ExecutionContext): ExecutionContext {
  const { version } = context;
  return {
    microserviceId: context.microserviceId,
    tenantId: context.tenantId,
    version: {
      major: version.major,
      minor: version.minor,
      patch: version.patch,
      build: version.build,
      preRelease: version.preRelease,
    },
    correlationId: context.correlationId,
    claims: context.claims.map((claim) => ({ key: claim.key, value: claim.value, valueType: claim.valueType })),
    environment: context.environment,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
