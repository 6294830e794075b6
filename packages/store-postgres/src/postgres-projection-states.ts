import { InvalidArgument } from '@dolittle-ts/fundamentals';
import {
  encodeStreamProcessorState,
  type ProjectionStates,
  type ReadModelChange,
  type ReadModelSet,
  type StreamProcessorKey,
  type StreamProcessorState,
} from '@dolittle-ts/store';
import type { SafeIdentifier } from './identifiers.js';
import type { PoolReader } from './pool-reader.js';
import { checkProcessorKey, saveProcessorStateSql } from './postgres-stream-processor-states.js';
import { statementsOf } from './statements.js';
import { assertStorableText, decodeKey, encodeKey } from './storable-text.js';
import type { TenantWriter } from './tenant-writer.js';

type SetKey = readonly [scope: string, projectionId: string, generation: number];

/**
 * A projection's read models in `projection_states`, one row per (scope, projection, generation, key), each state
 * the exact text given.
 *
 * `apply` is one statement on the writer connection (so one transaction, fenced by the writer lock): it deletes,
 * upserts and saves the projection's processor state (the row `processorStates.get` reads) together, with every
 * change bound as an array. The changes are first reduced to the last one per key, which is what applying them in
 * order leaves, so the statement never touches a row twice. Everything that can be refused is refused before it is
 * sent; on any failure nothing is written.
 */
export class PostgresProjectionStates implements ProjectionStates {
  readonly #writer: TenantWriter;
  readonly #reader: PoolReader;
  readonly #statements: ReturnType<typeof projectionStatements>;

  constructor(writer: TenantWriter, reader: PoolReader, schema: SafeIdentifier) {
    this.#writer = writer;
    this.#reader = reader;
    this.#statements = projectionStatements(schema);
  }

  async get(set: ReadModelSet, key: string): Promise<string | undefined> {
    const [row] = await this.#reader.arrays<[string]>(
      this.#statements.get,
      [...setKey(set), encodeKey(key)],
      describeSet(set),
    );
    return row?.[0];
  }

  async getMany(set: ReadModelSet, keys: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const encoded = new Set<string>();
    for (const [i, key] of keys.entries()) {
      if (typeof key !== 'string') throw new InvalidArgument(`keys[${i}]`, `must be a string, not ${typeof key}`);
      encoded.add(encodeKey(key));
    }
    const rows = await this.#reader.arrays<[string, string]>(
      this.#statements.getMany,
      [...setKey(set), [...encoded]],
      describeSet(set),
    );
    for (const [key, state] of rows) found.set(decodeKey(key), state);
    return found;
  }

  async getAll(set: ReadModelSet): Promise<ReadonlyMap<string, string>> {
    const rows = await this.#reader.arrays<[string, string]>(
      this.#statements.getAll,
      [...setKey(set)],
      describeSet(set),
    );
    const all = new Map<string, string>();
    for (const [key, state] of rows) all.set(decodeKey(key), state);
    return all;
  }

  async apply(
    set: ReadModelSet,
    changes: readonly ReadModelChange[],
    processor: { readonly key: StreamProcessorKey; readonly state: StreamProcessorState },
  ): Promise<void> {
    const key = setKey(set);
    checkProcessorKey(processor.key, 'processor.key');
    const state = encodeStreamProcessorState(processor.state);
    const last = new Map<string, string | undefined>();
    for (let i = 0; i < changes.length; i++) {
      const change = changes[i] as ReadModelChange;
      if (change.state !== undefined) assertStorableText(`changes[${i}].state`, change.state);
      // Applying the changes in order leaves the last one per key.
      last.set(encodeKey(change.key), change.state);
    }
    const deleted: string[] = [];
    const keys: string[] = [];
    const states: string[] = [];
    for (const [k, s] of last) {
      if (s === undefined) deleted.push(k);
      else {
        keys.push(k);
        states.push(s);
      }
    }
    const { scope, processorId, sourceStream } = processor.key;
    const values = [...key, keys, states, scope, processorId, sourceStream, state];
    const statement =
      deleted.length === 0
        ? { ...this.#statements.apply, values }
        : { ...this.#statements.applyWithDeletes, values: [...values, deleted] };
    await this.#writer.transact(`applying ${changes.length} read model changes to ${describeSet(set)}`, [statement]);
  }

  async drop(set: ReadModelSet): Promise<void> {
    await this.#writer.transact(`dropping the read models of ${describeSet(set)}`, [
      { ...this.#statements.drop, values: [...setKey(set)] },
    ]);
  }
}

function projectionStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
  const set = 'scope = $1::uuid AND projection_id = $2::text AND generation = $3::bigint';
  const upsert = `INSERT INTO ${s}.projection_states (scope, projection_id, generation, key, state)
         SELECT $1::uuid, $2::text, $3::bigint, c.key, c.state FROM unnest($4::text[], $5::text[]) AS c(key, state)
         ON CONFLICT (scope, projection_id, generation, key) DO UPDATE SET state = excluded.state`;
  const save = saveProcessorStateSql(s, { scope: '$6', processor: '$7', source: '$8', state: '$9' });
  return {
    get: statement('projection-get', `SELECT state FROM ${s}.projection_states WHERE ${set} AND key = $4::text`),
    /**
     * $4 the keys. Each is looked up by its full key in a LATERAL subquery, for the reason given at
     * `applyWithDeletes`: a plain `key = ANY ($4)` may be planned as a scan of the whole set.
     */
    getMany: statement(
      'projection-get-many',
      `SELECT d.key, found.state FROM unnest($4::text[]) AS d(key)
        CROSS JOIN LATERAL (SELECT state FROM ${s}.projection_states WHERE ${set} AND key = d.key) found`,
    ),
    getAll: statement('projection-get-all', `SELECT key, state FROM ${s}.projection_states WHERE ${set}`),
    /** $4 keys and $5 states to upsert; $6..$9 the processor's key and state. */
    apply: statement('projection-apply', `WITH upserted AS (${upsert}) ${save}`),
    /**
     * As `apply`, and $10 the keys to delete (none of them in $4). Each is found by its full key in a LATERAL
     * subquery and deleted by row address: a plain `key = ANY ($10)` may be planned as a scan of the whole set
     * when PostgreSQL has no statistics for it yet (a new generation being rebuilt), once per apply.
     */
    applyWithDeletes: statement(
      'projection-apply-with-deletes',
      `WITH upserted AS (${upsert}), deleted AS (
         DELETE FROM ${s}.projection_states WHERE ctid = ANY (ARRAY(
           SELECT found.ctid FROM unnest($10::text[]) AS d(key)
            CROSS JOIN LATERAL (SELECT ctid FROM ${s}.projection_states WHERE ${set} AND key = d.key LIMIT 1) found
         ))
       ) ${save}`,
    ),
    drop: statement('projection-drop', `DELETE FROM ${s}.projection_states WHERE ${set}`),
  };
}

/** The set as bound parameters; refuses generations that are not whole numbers ≥ 0 and unstorable projection ids. */
function setKey(set: ReadModelSet): SetKey {
  if (!Number.isSafeInteger(set.generation) || set.generation < 0) {
    throw new InvalidArgument('set.generation', `must be a whole number ≥ 0, not ${set.generation}`);
  }
  assertStorableText('set.projectionId', set.projectionId);
  return [set.scope, set.projectionId, set.generation];
}

function describeSet(set: ReadModelSet): string {
  return `projection ${set.projectionId} generation ${set.generation} in scope ${set.scope}`;
}
