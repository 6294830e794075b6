import type { ScopeId, StreamId } from '@dolittle-ts/fundamentals';
import {
  decodeStreamProcessorState,
  encodeStreamProcessorState,
  type StreamProcessorKey,
  type StreamProcessorState,
  type StreamProcessorStates,
} from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { assertOpen } from './open-database.js';

interface StateRow {
  readonly scope: string;
  readonly processor_id: string;
  readonly source_stream: string;
  readonly state: string;
}

/**
 * Stream processor states, one JSON document per key (the codec in @dolittle-ts/store). Every `set` and
 * `remove` is its own transaction on the tenant's synchronous=FULL connection, so it is durable when it resolves.
 */
export class SqliteStreamProcessorStates implements StreamProcessorStates {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #select: Database.Statement<[string, string, string], string>;
  readonly #upsert: Database.Statement<[string, string, string, string]>;
  readonly #delete: Database.Statement<[string, string, string]>;
  readonly #selectAll: Database.Statement<[], StateRow>;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.#location = location;
    this.#select = db
      .prepare<[string, string, string], string>(
        'SELECT state FROM stream_processor_states WHERE scope = ? AND processor_id = ? AND source_stream = ?',
      )
      .pluck();
    this.#upsert = db.prepare(
      `INSERT INTO stream_processor_states (scope, processor_id, source_stream, state) VALUES (?, ?, ?, ?)
        ON CONFLICT (scope, processor_id, source_stream) DO UPDATE SET state = excluded.state`,
    );
    this.#delete = db.prepare(
      'DELETE FROM stream_processor_states WHERE scope = ? AND processor_id = ? AND source_stream = ?',
    );
    this.#selectAll = db.prepare(
      'SELECT scope, processor_id, source_stream, state FROM stream_processor_states ORDER BY scope, processor_id, source_stream',
    );
  }

  async get(key: StreamProcessorKey): Promise<StreamProcessorState | undefined> {
    assertOpen(this.#db, this.#location);
    const json = this.#select.get(key.scope, key.processorId, key.sourceStream);
    return json === undefined ? undefined : decodeStreamProcessorState(json, this.#where(key));
  }

  async set(key: StreamProcessorKey, state: StreamProcessorState): Promise<void> {
    assertOpen(this.#db, this.#location);
    this.write(key, encodeStreamProcessorState(state));
  }

  async remove(key: StreamProcessorKey): Promise<void> {
    assertOpen(this.#db, this.#location);
    this.#delete.run(key.scope, key.processorId, key.sourceStream);
  }

  async all(): Promise<readonly { readonly key: StreamProcessorKey; readonly state: StreamProcessorState }[]> {
    assertOpen(this.#db, this.#location);
    return this.#selectAll.all().map((row) => {
      const key: StreamProcessorKey = {
        scope: row.scope as ScopeId,
        processorId: row.processor_id,
        sourceStream: row.source_stream as StreamId,
      };
      return { key, state: decodeStreamProcessorState(row.state, this.#where(key)) };
    });
  }

  /** Writes an encoded state; inside a caller's transaction (a stream append) it commits with it. */
  write(key: StreamProcessorKey, encodedState: string): void {
    this.#upsert.run(key.scope, key.processorId, key.sourceStream, encodedState);
  }

  #where(key: StreamProcessorKey): string {
    return `${this.#location}, stream processor ${key.processorId} on stream ${key.sourceStream} in scope ${key.scope}`;
  }
}
