import {
  type AggregateRootId,
  type AggregateRootVersion,
  type ConsentId,
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
  ReceivedEvent,
} from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { type EventRow, eventColumns, rowsToEvents } from './event-rows.js';
import { assertOpen } from './open-database.js';

const noEventsToCommit: CommitOutcome = { ok: false, failure: { kind: 'NoEventsToCommit' } };

/**
 * A tenant's event store in one SQLite connection that holds the file's writer lock, so this object is the
 * only writer of every scope's log: it keeps each scope's next sequence number in memory, read from the file on
 * first use and re-read after any failed write. Events received through the event horizon are written through
 * `appendReceived` (by the subscription states), so those numbers stay right whoever writes a log.
 * better-sqlite3 is synchronous, so a batch runs start to end without interleaving; concurrent `commit` calls
 * are written one after the other.
 */
export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #location: string;
  /** Next sequence number per scope; a scope missing here is read from the file when next needed. */
  readonly #next = new Map<ScopeId, number>();

  readonly #insertEvent: Database.Statement<unknown[]>;
  readonly #selectVersion: Database.Statement<[string, string], number>;
  readonly #upsertVersion: Database.Statement<[string, string, number]>;
  readonly #selectLast: Database.Statement<[string], number>;
  readonly #selectRange: Database.Statement<[string, number, number], EventRow>;
  readonly #selectAggregate: Database.Statement<[string, string, string], EventRow>;
  readonly #writeBatch: (batch: readonly Commit[], occurred: number, first: number) => BatchResult;
  readonly #writeReceived: (
    scope: ScopeId,
    first: number,
    events: readonly ReceivedEvent[],
    external: ExternalColumns,
    alongside: () => void,
  ) => CommittedEvent[];

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.#location = location;
    this.#insertEvent = db.prepare(
      `INSERT INTO events (scope, sequence_number, event_source_id, type_id, type_generation, public, content,
        occurred, execution_context, aggregate_root_id, aggregate_version, external_sequence_number,
        external_received, external_consent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    this.#selectRange = db
      .prepare<[string, number, number], EventRow>(
        `SELECT ${eventColumns()} FROM events WHERE scope = ? AND sequence_number >= ? ORDER BY sequence_number LIMIT ?`,
      )
      .raw();
    this.#selectAggregate = db
      .prepare<[string, string, string], EventRow>(
        `SELECT ${eventColumns()} FROM events
          WHERE aggregate_root_id = ? AND event_source_id = ? AND scope = ? ORDER BY aggregate_version`,
      )
      .raw();
    this.#writeBatch = db.transaction((batch, occurred, first) => this.#write(batch, occurred, first)).immediate;
    this.#writeReceived = db.transaction(
      (
        scope: ScopeId,
        first: number,
        events: readonly ReceivedEvent[],
        external: ExternalColumns,
        alongside: () => void,
      ) => {
        const written = this.#insertReceived(scope, first, events, external);
        alongside();
        return written;
      },
    ).immediate;
    this.#nextOf(defaultScope);
  }

  async commit(batch: readonly Commit[], options: CommitBatchOptions): Promise<readonly CommitOutcome[]> {
    this.#assertOpen();
    try {
      const result = this.#writeBatch(batch, options.occurred.getTime(), this.#nextOf(defaultScope));
      this.#next.set(defaultScope, result.next);
      return result.outcomes;
    } catch (error) {
      // The transaction rolled back; take the next sequence number from the file, not from what we counted.
      this.#next.delete(defaultScope);
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
    return this.#nextOf(scope) as EventLogSequenceNumber;
  }

  /**
   * Appends events received through the event horizon to `scope`'s log, numbered on from its last event, as
   * external events (never public, no aggregate), and runs `alongside` (which stores the subscription's position)
   * in the same transaction: durable when it returns. If anything throws, nothing is written, the scope's next
   * sequence number is re-read from the file before its next write, and the error is thrown as it is.
   * For `SqliteSubscriptionStates`, which checks the events first.
   */
  appendReceived(
    scope: ScopeId,
    events: readonly ReceivedEvent[],
    external: { readonly consentId: ConsentId; readonly received: Date },
    alongside: () => void,
  ): CommittedEvent[] {
    this.#assertOpen();
    try {
      const first = this.#nextOf(scope);
      const columns: ExternalColumns = { consentId: external.consentId, received: external.received.getTime() };
      const written = this.#writeReceived(scope, first, events, columns, alongside);
      this.#next.set(scope, first + written.length);
      return written;
    } catch (error) {
      this.#next.delete(scope);
      throw error;
    }
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
            null,
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
            null,
            null,
            null,
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

  /** Runs inside the receive's transaction; a throw rolls it back. */
  #insertReceived(
    scope: ScopeId,
    first: number,
    events: readonly ReceivedEvent[],
    external: ExternalColumns,
  ): CommittedEvent[] {
    let next = first;
    // The producer's events arrive one by one, so their contexts are separate objects: serialise each once.
    return events.map((event) => {
      const executionContext = copyExecutionContext(event.executionContext);
      const occurred = event.occurred.getTime();
      this.#insertEvent.run(
        scope,
        next,
        event.eventSourceId,
        event.type.id,
        event.type.generation,
        0,
        event.content,
        occurred,
        JSON.stringify(executionContext),
        null,
        null,
        event.producerSequenceNumber,
        external.received,
        external.consentId,
      );
      return {
        sequenceNumber: next++ as EventLogSequenceNumber,
        occurred: new Date(occurred),
        eventSourceId: event.eventSourceId,
        executionContext,
        type: { id: event.type.id, generation: event.type.generation },
        public: false,
        content: event.content,
        aggregate: undefined,
        external: {
          sequenceNumber: event.producerSequenceNumber,
          received: new Date(external.received),
          consentId: external.consentId,
        },
      };
    });
  }

  #nextOf(scope: ScopeId): number {
    let next = this.#next.get(scope);
    if (next === undefined) {
      const last = this.#selectLast.get(scope);
      next = last === undefined ? 0 : last + 1;
      this.#next.set(scope, next);
    }
    return next;
  }

  #assertOpen(): void {
    assertOpen(this.#db, this.#location);
  }
}

/** What every event of one receive carries in its `external_*` columns besides the producer's sequence number. */
interface ExternalColumns {
  readonly consentId: ConsentId;
  /** Milliseconds since the epoch. */
  readonly received: number;
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
