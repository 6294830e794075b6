import { type AggregateRootVersion, InvalidArgument, StoreConsistency } from '@dolittle-ts/fundamentals';
import type { EmbeddingState, EmbeddingStates } from '@dolittle-ts/store';
import type { SafeIdentifier } from './identifiers.js';
import type { PoolReader } from './pool-reader.js';
import { statementsOf } from './statements.js';
import { assertStorableText, decodeKey, encodeKey } from './storable-text.js';
import type { TenantWriter } from './tenant-writer.js';

/** node-postgres gives bigint as a string. */
type StateRow = [state: string, version: string, removed: boolean];
type KeyedStateRow = [key: string, ...StateRow];

/**
 * Embedding read models in `embedding_states`, one row per (embedding, key): the state as the exact text given,
 * the aggregate version it was projected to, and whether it was removed. `set` and `drop` are each one statement
 * on the writer connection: durable when they resolve.
 */
export class PostgresEmbeddingStates implements EmbeddingStates {
  readonly #writer: TenantWriter;
  readonly #reader: PoolReader;
  readonly #statements: ReturnType<typeof embeddingStatements>;

  constructor(writer: TenantWriter, reader: PoolReader, schema: SafeIdentifier) {
    this.#writer = writer;
    this.#reader = reader;
    this.#statements = embeddingStatements(schema);
  }

  async get(embeddingId: string, key: string): Promise<EmbeddingState | undefined> {
    checkIds(embeddingId, key);
    const [row] = await this.#reader.arrays<StateRow>(
      this.#statements.get,
      [embeddingId, encodeKey(key)],
      describeEmbedding(embeddingId),
    );
    return row === undefined ? undefined : decode(row, embeddingId, key);
  }

  async getAll(
    embeddingId: string,
    options: { readonly includeRemoved: boolean },
  ): Promise<ReadonlyMap<string, EmbeddingState>> {
    assertStorableText('embeddingId', embeddingId);
    const rows = await this.#reader.arrays<KeyedStateRow>(
      options.includeRemoved ? this.#statements.getAll : this.#statements.getLive,
      [embeddingId],
      describeEmbedding(embeddingId),
    );
    const states = new Map<string, EmbeddingState>();
    for (const [stored, ...row] of rows) {
      const key = decodeKey(stored);
      states.set(key, decode(row, embeddingId, key));
    }
    return states;
  }

  async set(embeddingId: string, key: string, state: EmbeddingState): Promise<void> {
    checkIds(embeddingId, key);
    if (!Number.isSafeInteger(state.version) || state.version < 0) {
      throw new InvalidArgument('state.version', `must be a whole number ≥ 0, not ${state.version}`);
    }
    assertStorableText('state.state', state.state);
    if (typeof state.removed !== 'boolean') {
      throw new InvalidArgument('state.removed', `must be true or false, not ${String(state.removed)}`);
    }
    await this.#writer.transact(`saving key ${JSON.stringify(key.slice(0, 80))} of ${describeEmbedding(embeddingId)}`, [
      { ...this.#statements.upsert, values: [embeddingId, encodeKey(key), state.state, state.version, state.removed] },
    ]);
  }

  async drop(embeddingId: string): Promise<void> {
    assertStorableText('embeddingId', embeddingId);
    await this.#writer.transact(`dropping the read models of ${describeEmbedding(embeddingId)}`, [
      { ...this.#statements.drop, values: [embeddingId] },
    ]);
  }
}

function embeddingStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
  return {
    get: statement(
      'embedding-get',
      `SELECT state, version, removed FROM ${s}.embedding_states WHERE embedding_id = $1 AND key = $2`,
    ),
    getAll: statement(
      'embedding-get-all',
      `SELECT key, state, version, removed FROM ${s}.embedding_states WHERE embedding_id = $1`,
    ),
    getLive: statement(
      'embedding-get-live',
      `SELECT key, state, version, removed FROM ${s}.embedding_states WHERE embedding_id = $1 AND NOT removed`,
    ),
    upsert: statement(
      'embedding-upsert',
      `INSERT INTO ${s}.embedding_states (embedding_id, key, state, version, removed) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (embedding_id, key) DO UPDATE
         SET state = excluded.state, version = excluded.version, removed = excluded.removed`,
    ),
    drop: statement('embedding-drop', `DELETE FROM ${s}.embedding_states WHERE embedding_id = $1`),
  };
}

function checkIds(embeddingId: string, key: string): void {
  assertStorableText('embeddingId', embeddingId);
  encodeKey(key);
}

function decode([state, storedVersion, removed]: StateRow, embeddingId: string, key: string): EmbeddingState {
  const version = Number(storedVersion);
  if (!Number.isSafeInteger(version)) {
    throw new StoreConsistency(
      `the stored state of ${describeEmbedding(embeddingId)} key ${JSON.stringify(key.slice(0, 80))} has version ${storedVersion}, past the largest whole number JavaScript holds exactly`,
    );
  }
  return { state, version: version as AggregateRootVersion, removed };
}

function describeEmbedding(embeddingId: string): string {
  return `embedding ${embeddingId}`;
}
