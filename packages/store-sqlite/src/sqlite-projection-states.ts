import { DolittleError, InvalidArgument, StoreUnavailable } from '@dolittle-ts/fundamentals';
import {
  decodeReadModelKey,
  encodeReadModelKey,
  encodeStreamProcessorState,
  type ProjectionStates,
  type ReadModelChange,
  type ReadModelSet,
  type StreamProcessorKey,
  type StreamProcessorState,
} from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { assertOpen } from './open-database.js';
import type { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';

type SetKey = readonly [scope: string, projectionId: string, generation: number];

/**
 * A projection's read models in `projection_states`, one row per (scope, projection, generation, key), each state
 * the exact text given. `apply` writes a batch's changes and the projection's processor state (in
 * `stream_processor_states`, the row `processorStates.get` reads) in one transaction on the tenant's
 * synchronous=FULL connection: durable when it resolves, and on failure neither is written.
 */
export class SqliteProjectionStates implements ProjectionStates {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #states: SqliteStreamProcessorStates;
  readonly #select: Database.Statement<[string, string, number, string], string>;
  readonly #selectAll: Database.Statement<[string, string, number], [string, string]>;
  readonly #selectMany: Database.Statement<[string, string, number, string], [string, string]>;
  readonly #upsert: Database.Statement<[string, string, number, string, string]>;
  readonly #delete: Database.Statement<[string, string, number, string]>;
  readonly #deleteAll: Database.Statement<[string, string, number]>;
  readonly #applyInTransaction: (
    set: SetKey,
    changes: readonly ReadModelChange[],
    processor: StreamProcessorKey,
    state: string,
  ) => void;

  constructor(db: Database.Database, location: string, states: SqliteStreamProcessorStates) {
    this.#db = db;
    this.#location = location;
    this.#states = states;
    const where = 'scope = ? AND projection_id = ? AND generation = ?';
    this.#select = db
      .prepare<[string, string, number, string], string>(
        `SELECT state FROM projection_states WHERE ${where} AND key = ?`,
      )
      .pluck();
    // Raw rows ([key, state]) go straight into the Map: no object per row.
    this.#selectAll = db
      .prepare<[string, string, number], [string, string]>(
        `SELECT key, state FROM projection_states WHERE ${where} ORDER BY key`,
      )
      .raw();
    // The keys arrive as one JSON array: one statement whatever their number, each looked up through the primary key.
    this.#selectMany = db
      .prepare<[string, string, number, string], [string, string]>(
        `SELECT key, state FROM projection_states WHERE ${where} AND key IN (SELECT value FROM json_each(?))`,
      )
      .raw();
    this.#upsert = db.prepare(
      `INSERT INTO projection_states (scope, projection_id, generation, key, state) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (scope, projection_id, generation, key) DO UPDATE SET state = excluded.state`,
    );
    this.#delete = db.prepare(`DELETE FROM projection_states WHERE ${where} AND key = ?`);
    this.#deleteAll = db.prepare(`DELETE FROM projection_states WHERE ${where}`);
    this.#applyInTransaction = db.transaction(
      (set: SetKey, changes: readonly ReadModelChange[], processor: StreamProcessorKey, state: string) => {
        for (const { key, state } of changes) {
          if (state === undefined) this.#delete.run(...set, encodeReadModelKey(key));
          else this.#upsert.run(...set, encodeReadModelKey(key), state);
        }
        this.#states.write(processor, state);
      },
    ).immediate;
  }

  async get(set: ReadModelSet, key: string): Promise<string | undefined> {
    assertOpen(this.#db, this.#location);
    return this.#select.get(...setKey(set), encodeReadModelKey(key));
  }

  async getAll(set: ReadModelSet): Promise<ReadonlyMap<string, string>> {
    assertOpen(this.#db, this.#location);
    const all = new Map<string, string>();
    for (const [key, state] of this.#selectAll.all(...setKey(set))) all.set(decodeReadModelKey(key), state);
    return all;
  }

  async getMany(set: ReadModelSet, keys: readonly string[]): Promise<ReadonlyMap<string, string>> {
    assertOpen(this.#db, this.#location);
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    assertKeys(keys);
    // Encoded keys are storable text (no NUL, no lone surrogate), so they survive the trip through JSON exactly.
    const encoded = JSON.stringify(keys.map(encodeReadModelKey));
    for (const [key, state] of this.#selectMany.all(...setKey(set), encoded)) found.set(decodeReadModelKey(key), state);
    return found;
  }

  async apply(
    set: ReadModelSet,
    changes: readonly ReadModelChange[],
    processor: { readonly key: StreamProcessorKey; readonly state: StreamProcessorState },
  ): Promise<void> {
    assertOpen(this.#db, this.#location);
    try {
      // Everything that can be refused is refused before the transaction starts.
      const key = setKey(set);
      assertChanges(changes);
      const state = encodeStreamProcessorState(processor.state);
      this.#applyInTransaction(key, changes, processor.key, state);
    } catch (error) {
      if (error instanceof DolittleError) throw error;
      throw new StoreUnavailable(
        `${this.#location}: applying ${changes.length} read model changes to ${describeSet(set)} failed, and neither they nor the projection's state were written (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
  }

  async drop(set: ReadModelSet): Promise<void> {
    assertOpen(this.#db, this.#location);
    this.#deleteAll.run(...setKey(set));
  }
}

/** The set as bound parameters; refuses generations SQLite would not keep as given. */
function setKey(set: ReadModelSet): SetKey {
  if (!Number.isSafeInteger(set.generation) || set.generation < 0) {
    throw new InvalidArgument('set.generation', `must be a whole number ≥ 0, not ${set.generation}`);
  }
  return [set.scope, set.projectionId, set.generation];
}

function assertKeys(keys: readonly string[]): void {
  for (const [i, key] of keys.entries()) {
    if (typeof key !== 'string') throw new InvalidArgument(`keys[${i}]`, `must be a string, not ${typeof key}`);
  }
}

/** Keys and states must be strings (a state may be undefined: a delete); anything else would be stored converted. */
function assertChanges(changes: readonly ReadModelChange[]): void {
  for (const [i, { key, state }] of changes.entries()) {
    if (typeof key !== 'string') throw new InvalidArgument(`changes[${i}].key`, `must be a string, not ${typeof key}`);
    if (state !== undefined && typeof state !== 'string') {
      throw new InvalidArgument(
        `changes[${i}].state`,
        `must be a JSON document as a string, or undefined to delete, not ${typeof state}`,
      );
    }
  }
}

function describeSet(set: ReadModelSet): string {
  return `projection ${set.projectionId} generation ${set.generation} in scope ${set.scope}`;
}
