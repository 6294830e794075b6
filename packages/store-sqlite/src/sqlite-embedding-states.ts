import { type AggregateRootVersion, InvalidArgument, StoreConsistency } from '@dolittle-ts/fundamentals';
import type { EmbeddingState, EmbeddingStates } from '@dolittle-ts/store';
import { decodeReadModelKey, encodeReadModelKey } from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { assertOpen } from './open-database.js';

type StateRow = readonly [state: string, version: number, removed: number];
type KeyedStateRow = readonly [key: string, state: string, version: number, removed: number];

/**
 * Embedding read models in `embedding_states`, one row per (embedding, key): the state as the exact text given,
 * the aggregate version it was projected to, and whether it was removed. `set` and `drop` are each one statement
 * on the tenant's synchronous=FULL connection: durable when they resolve.
 */
export class SqliteEmbeddingStates implements EmbeddingStates {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #select: Database.Statement<[string, string], StateRow>;
  readonly #selectAll: Database.Statement<[string], KeyedStateRow>;
  readonly #selectLive: Database.Statement<[string], KeyedStateRow>;
  readonly #upsert: Database.Statement<[string, string, string, number, number]>;
  readonly #deleteAll: Database.Statement<[string]>;

  constructor(db: Database.Database, location: string) {
    this.#db = db;
    this.#location = location;
    this.#select = db
      .prepare<[string, string], StateRow>(
        'SELECT state, version, removed FROM embedding_states WHERE embedding_id = ? AND key = ?',
      )
      .raw();
    this.#selectAll = db
      .prepare<[string], KeyedStateRow>(
        'SELECT key, state, version, removed FROM embedding_states WHERE embedding_id = ? ORDER BY key',
      )
      .raw();
    this.#selectLive = db
      .prepare<[string], KeyedStateRow>(
        'SELECT key, state, version, removed FROM embedding_states WHERE embedding_id = ? AND removed = 0 ORDER BY key',
      )
      .raw();
    this.#upsert = db.prepare(
      `INSERT INTO embedding_states (embedding_id, key, state, version, removed) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (embedding_id, key) DO UPDATE
          SET state = excluded.state, version = excluded.version, removed = excluded.removed`,
    );
    this.#deleteAll = db.prepare('DELETE FROM embedding_states WHERE embedding_id = ?');
  }

  async get(embeddingId: string, key: string): Promise<EmbeddingState | undefined> {
    assertOpen(this.#db, this.#location);
    const row = this.#select.get(embeddingId, encodeReadModelKey(key));
    return row === undefined ? undefined : this.#decode(row, embeddingId, key);
  }

  async getAll(
    embeddingId: string,
    options: { readonly includeRemoved: boolean },
  ): Promise<ReadonlyMap<string, EmbeddingState>> {
    assertOpen(this.#db, this.#location);
    const rows = (options.includeRemoved ? this.#selectAll : this.#selectLive).all(embeddingId);
    const states = new Map<string, EmbeddingState>();
    for (const [stored, ...row] of rows) {
      const key = decodeReadModelKey(stored);
      states.set(key, this.#decode(row, embeddingId, key));
    }
    return states;
  }

  async set(embeddingId: string, key: string, state: EmbeddingState): Promise<void> {
    assertOpen(this.#db, this.#location);
    if (!Number.isSafeInteger(state.version) || state.version < 0) {
      throw new InvalidArgument('state.version', `must be a whole number ≥ 0, not ${state.version}`);
    }
    if (typeof state.state !== 'string') {
      throw new InvalidArgument('state.state', `must be a JSON document as a string, not ${typeof state.state}`);
    }
    this.#upsert.run(embeddingId, encodeReadModelKey(key), state.state, state.version, state.removed ? 1 : 0);
  }

  async drop(embeddingId: string): Promise<void> {
    assertOpen(this.#db, this.#location);
    this.#deleteAll.run(embeddingId);
  }

  #decode([state, version, removed]: StateRow, embeddingId: string, key: string): EmbeddingState {
    if (!Number.isSafeInteger(version) || version < 0 || (removed !== 0 && removed !== 1)) {
      throw new StoreConsistency(
        `${this.#location}: the stored state of embedding ${embeddingId} key ${JSON.stringify(key)} has version ${version} and removed ${removed}; expected a whole number ≥ 0 and 0 or 1`,
      );
    }
    return { state, version: version as AggregateRootVersion, removed: removed === 1 };
  }
}
