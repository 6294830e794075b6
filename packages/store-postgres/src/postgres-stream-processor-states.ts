import type { ScopeId, StreamId } from '@dolittle-ts/fundamentals';
import {
  decodeStreamProcessorState,
  encodeStreamProcessorState,
  type StreamProcessorKey,
  type StreamProcessorState,
  type StreamProcessorStates,
} from '@dolittle-ts/store';
import type { SafeIdentifier } from './identifiers.js';
import type { PoolReader } from './pool-reader.js';
import { statementsOf } from './statements.js';
import { assertStorableText } from './storable-text.js';
import type { TenantWriter } from './tenant-writer.js';

interface StateRow {
  readonly scope: string;
  readonly processor_id: string;
  readonly source_stream: string;
  readonly state: string;
}

/**
 * Stream processor states in `stream_processor_states`, one JSON document per key (the codec in @dolittle-ts/store,
 * shared with the SQLite adapter). `set` and `remove` are each one statement on the writer connection: durable when
 * they resolve. Stream appends and projection applies write the same rows in their own transactions.
 */
export class PostgresStreamProcessorStates implements StreamProcessorStates {
  readonly #writer: TenantWriter;
  readonly #reader: PoolReader;
  readonly #statements: ReturnType<typeof processorStateStatements>;

  constructor(writer: TenantWriter, reader: PoolReader, schema: SafeIdentifier) {
    this.#writer = writer;
    this.#reader = reader;
    this.#statements = processorStateStatements(schema);
  }

  async get(key: StreamProcessorKey): Promise<StreamProcessorState | undefined> {
    checkProcessorKey(key);
    const [row] = await this.#reader.rows<{ state: string }>(
      this.#statements.get,
      [key.scope, key.processorId, key.sourceStream],
      describeProcessor(key),
    );
    return row === undefined ? undefined : decodeStreamProcessorState(row.state, describeProcessor(key));
  }

  async set(key: StreamProcessorKey, state: StreamProcessorState): Promise<void> {
    checkProcessorKey(key);
    const encoded = encodeStreamProcessorState(state);
    await this.#writer.transact(`saving the state of ${describeProcessor(key)}`, [
      { ...this.#statements.upsert, values: [key.scope, key.processorId, key.sourceStream, encoded] },
    ]);
  }

  async remove(key: StreamProcessorKey): Promise<void> {
    checkProcessorKey(key);
    await this.#writer.transact(`removing the state of ${describeProcessor(key)}`, [
      { ...this.#statements.remove, values: [key.scope, key.processorId, key.sourceStream] },
    ]);
  }

  async all(): Promise<readonly { readonly key: StreamProcessorKey; readonly state: StreamProcessorState }[]> {
    const rows = await this.#reader.rows<StateRow>(this.#statements.all, [], 'the stream processor states');
    return rows.map((row) => {
      const key: StreamProcessorKey = {
        scope: row.scope as ScopeId,
        processorId: row.processor_id,
        sourceStream: row.source_stream as StreamId,
      };
      return { key, state: decodeStreamProcessorState(row.state, describeProcessor(key)) };
    });
  }
}

function processorStateStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
  const key = 'scope = $1 AND processor_id = $2 AND source_stream = $3';
  return {
    get: statement('processor-state', `SELECT state FROM ${s}.stream_processor_states WHERE ${key}`),
    upsert: statement(
      'processor-state-upsert',
      `INSERT INTO ${s}.stream_processor_states (scope, processor_id, source_stream, state) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope, processor_id, source_stream) DO UPDATE SET state = excluded.state`,
    ),
    remove: statement('processor-state-remove', `DELETE FROM ${s}.stream_processor_states WHERE ${key}`),
    all: statement(
      'processor-states',
      `SELECT scope, processor_id, source_stream, state FROM ${s}.stream_processor_states
        ORDER BY scope, processor_id, source_stream`,
    ),
  };
}

/**
 * The SQL that saves a processor's state inside another write's statement (a stream append, a projection apply):
 * `scope`, `processor`, `source` and `state` name that statement's parameters; `when`, if given, is the condition
 * under which the state is saved.
 */
export function saveProcessorStateSql(
  s: string,
  parameters: {
    readonly scope: string;
    readonly processor: string;
    readonly source: string;
    readonly state: string;
    readonly when?: string;
  },
): string {
  const { scope, processor, source, state, when = 'true' } = parameters;
  return `INSERT INTO ${s}.stream_processor_states (scope, processor_id, source_stream, state)
          SELECT ${scope}::uuid, ${processor}::text, ${source}::uuid, ${state}::text WHERE ${when}
          ON CONFLICT (scope, processor_id, source_stream) DO UPDATE SET state = excluded.state`;
}

/** The processor id is free text; scope and source stream are GUIDs, which PostgreSQL checks (uuid columns). */
export function checkProcessorKey(key: StreamProcessorKey, field = 'key'): void {
  assertStorableText(`${field}.processorId`, key.processorId);
}

export function describeProcessor(key: StreamProcessorKey): string {
  return `stream processor ${key.processorId} on stream ${key.sourceStream} in scope ${key.scope}`;
}
