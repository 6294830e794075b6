import {
  DolittleError,
  type ExecutionContext,
  InvalidArgument,
  type PartitionId,
  type ScopeId,
  StoreUnavailable,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import {
  encodeStreamProcessorState,
  type FilteredEvent,
  type StreamEvent,
  type StreamProcessorKey,
  type StreamProcessorState,
  type StreamReadOptions,
  type StreamRef,
  type Streams,
} from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { contextOf, type EventRow, eventColumns, toCommittedEvent } from './event-rows.js';
import { assertOpen } from './open-database.js';
import type { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';

/** An `EventRow` followed by the entry's stream position and partition (read with `.raw()`). */
type StreamEventRow = readonly [...EventRow, streamPosition: number, streamPartition: string];

type StreamKey = readonly [scope: string, stream: string, isPublic: 0 | 1];

/** `PRAGMA synchronous` levels: 2 = FULL, 3 = EXTRA. */
const synchronousFull = 2;

/**
 * Streams in the `streams` table: entries that refer to events of their scope's log, read back joined with it.
 *
 * The connection holds the file's writer lock, so this object is the only writer of the table: it keeps each
 * stream's next position in memory once it has read it, and forgets it when an append fails. An append is one
 * transaction with its filter's state, on the tenant's synchronous=FULL connection; a private stream's append is
 * committed without waiting for its own sync (see `#withSyncFor`).
 */
export class SqliteStreams implements Streams {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #states: SqliteStreamProcessorStates;
  /** Next position per stream (keyed by `cacheKey`), for streams this store has looked at. */
  readonly #next = new Map<string, number>();
  /** The connection's `PRAGMA synchronous` level, set when the store was opened. */
  readonly #synchronous: number;

  readonly #insert: Database.Statement<[string, string, number, number, string, number]>;
  readonly #selectLastPosition: Database.Statement<[string, string, number], number>;
  readonly #selectLastSequenceNumber: Database.Statement<[string], number>;
  readonly #selectRange: Database.Statement<[string, string, number, number, number], StreamEventRow>;
  readonly #selectPartitionRange: Database.Statement<[string, string, number, string, number, number], StreamEventRow>;
  readonly #delete: Database.Statement<[string, string, number]>;
  readonly #appendInTransaction: (
    key: StreamKey,
    entries: readonly FilteredEvent[],
    first: number,
    filter: StreamProcessorKey,
    state: string,
  ) => void;

  constructor(db: Database.Database, location: string, states: SqliteStreamProcessorStates) {
    this.#db = db;
    this.#location = location;
    this.#states = states;
    this.#synchronous = Number(db.pragma('synchronous', { simple: true }));
    this.#insert = db.prepare(
      `INSERT INTO streams (scope, stream_id, public, position, partition_id, event_sequence_number)
        VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#selectLastPosition = db
      .prepare<[string, string, number], number>(
        'SELECT position FROM streams WHERE scope = ? AND stream_id = ? AND public = ? ORDER BY position DESC LIMIT 1',
      )
      .pluck();
    this.#selectLastSequenceNumber = db
      .prepare<[string], number>(
        'SELECT sequence_number FROM events WHERE scope = ? ORDER BY sequence_number DESC LIMIT 1',
      )
      .pluck();
    const select = (hint: string) =>
      `SELECT ${eventColumns('e')}, s.position, s.partition_id
        FROM streams s ${hint}
        JOIN events e ON e.scope = s.scope AND e.sequence_number = s.event_sequence_number`;
    this.#selectRange = db
      .prepare<[string, string, number, number, number], StreamEventRow>(
        `${select('')} WHERE s.scope = ? AND s.stream_id = ? AND s.public = ? AND s.position >= ?
          ORDER BY s.position LIMIT ?`,
      )
      .raw();
    // Without the hint SQLite walks the whole stream in position order (it has no statistics to know better).
    this.#selectPartitionRange = db
      .prepare<[string, string, number, string, number, number], StreamEventRow>(
        `${select('INDEXED BY streams_by_partition')}
          WHERE s.scope = ? AND s.stream_id = ? AND s.public = ? AND s.partition_id = ? AND s.position >= ?
          ORDER BY s.position LIMIT ?`,
      )
      .raw();
    this.#delete = db.prepare('DELETE FROM streams WHERE scope = ? AND stream_id = ? AND public = ?');
    this.#appendInTransaction = db.transaction(
      (key: StreamKey, entries: readonly FilteredEvent[], first: number, filter: StreamProcessorKey, state: string) => {
        const [scope, stream, isPublic] = key;
        // Each entry keeps its position (first + its index); they are inserted partition by partition, so the
        // partition index is written in order, page after page, rather than all over for every entry.
        for (const i of byPartition(entries)) {
          const entry = entries[i] as FilteredEvent;
          this.#insert.run(scope, stream, isPublic, first + i, entry.partition, entry.sequenceNumber);
        }
        this.#states.write(filter, state);
      },
    ).immediate;
  }

  async append(
    stream: StreamRef,
    entries: readonly FilteredEvent[],
    filter: { readonly key: StreamProcessorKey; readonly state: StreamProcessorState },
  ): Promise<void> {
    assertOpen(this.#db, this.#location);
    const key = streamKey(stream);
    const cached = cacheKey(key);
    try {
      const state = encodeStreamProcessorState(filter.state);
      this.#assertInLog(stream.scope, entries);
      const first = this.#next.get(cached) ?? this.#readNext(key);
      this.#withSyncFor(stream, () => this.#appendInTransaction(key, entries, first, filter.key, state));
      this.#next.set(cached, first + entries.length);
    } catch (error) {
      // Rolled back: read the stream's end from the file before the next append.
      this.#next.delete(cached);
      if (error instanceof DolittleError) throw error;
      throw new StoreUnavailable(
        `${this.#location}: appending ${entries.length} events to ${describeStream(stream)} failed, and neither they nor the filter's state were written (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
  }

  /**
   * Runs `append` with a private stream's append committed at synchronous=NORMAL instead of the connection's FULL:
   * the main thread then does not wait for a sync of the WAL for it (half the syncs of a live event). Such an append
   * survives a crash of the process; only a power loss or an OS crash can take it back, and then, the WAL being
   * replayed up to its first unsynced frame, together with everything written after it: the filter's state goes back
   * with it and the filter writes the same entries again. Nothing acknowledged to a client depends on it, and any
   * later synced commit (every Commit) syncs it too. Public streams, which other microservices read through the
   * event horizon, are always synced.
   */
  #withSyncFor(stream: StreamRef, append: () => void): void {
    const level = this.#synchronous;
    if (stream.public || level < synchronousFull) {
      append();
      return;
    }
    this.#db.pragma('synchronous = NORMAL');
    try {
      append();
    } finally {
      this.#db.pragma(`synchronous = ${level}`);
    }
  }

  async read(stream: StreamRef, options: StreamReadOptions): Promise<readonly StreamEvent[]> {
    assertOpen(this.#db, this.#location);
    if (options.limit < 1) return [];
    const [scope, id, isPublic] = streamKey(stream);
    const from = Math.max(0, Math.floor(options.from));
    const limit = Math.floor(options.limit);
    const rows =
      options.partition === undefined
        ? this.#selectRange.all(scope, id, isPublic, from, limit)
        : this.#selectPartitionRange.all(scope, id, isPublic, options.partition, from, limit);
    const contexts = new Map<string, ExecutionContext>();
    return rows.map((row) => ({
      position: row[13] as StreamPosition,
      partition: row[14] as PartitionId,
      event: toCommittedEvent(row, contextOf(row, contexts)),
    }));
  }

  async nextPosition(stream: StreamRef): Promise<StreamPosition> {
    assertOpen(this.#db, this.#location);
    const key = streamKey(stream);
    return (this.#next.get(cacheKey(key)) ?? this.#readNext(key)) as StreamPosition;
  }

  async drop(stream: StreamRef): Promise<void> {
    assertOpen(this.#db, this.#location);
    const key = streamKey(stream);
    this.#next.delete(cacheKey(key));
    this.#delete.run(...key);
    this.#next.set(cacheKey(key), 0);
  }

  /**
   * Refuses entries that refer to no event of the scope's log. The log's sequence numbers are dense from 0 (and
   * events are never deleted), so an event exists iff its number is at most the last one: one lookup per append.
   */
  #assertInLog(scope: ScopeId, entries: readonly FilteredEvent[]): void {
    if (entries.length === 0) return;
    const last = this.#selectLastSequenceNumber.get(scope) ?? -1;
    for (const [i, { sequenceNumber }] of entries.entries()) {
      if (Number.isSafeInteger(sequenceNumber) && sequenceNumber >= 0 && sequenceNumber <= last) continue;
      throw new InvalidArgument(
        `entries[${i}].sequenceNumber`,
        `event log sequence number ${sequenceNumber} is not in the event log of scope ${scope} (${last < 0 ? 'it holds no events' : `it holds 0..${last}`}), and a stream can only refer to events of its scope's log; nothing of the append was written`,
      );
    }
  }

  #readNext(key: StreamKey): number {
    const last = this.#selectLastPosition.get(...key);
    const next = last === undefined ? 0 : last + 1;
    this.#next.set(cacheKey(key), next);
    return next;
  }
}

/** The indexes of `entries`, ordered by partition and, within one, by index. */
function byPartition(entries: readonly FilteredEvent[]): Uint32Array {
  const order = new Uint32Array(entries.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => {
    const left = (entries[a] as FilteredEvent).partition;
    const right = (entries[b] as FilteredEvent).partition;
    return left < right ? -1 : left > right ? 1 : a - b;
  });
}

function cacheKey([scope, stream, isPublic]: StreamKey): string {
  return `${scope}/${stream}/${isPublic}`;
}

function streamKey(stream: StreamRef): StreamKey {
  return [stream.scope, stream.stream, stream.public ? 1 : 0];
}

function describeStream(stream: StreamRef): string {
  return `${stream.public ? 'public' : 'private'} stream ${stream.stream} in scope ${stream.scope}`;
}
