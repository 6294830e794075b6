import { InvalidArgument, type PartitionId, type ScopeId, type StreamPosition } from '@dolittle-ts/fundamentals';
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
import { checkCount, maxReadLimit } from './event-log-reader.js';
import {
  type EventRow,
  eventColumnCount,
  executionContextColumn,
  executionContextParser,
  toCommittedEvent,
} from './event-rows.js';
import type { SafeIdentifier } from './identifiers.js';
import type { PoolReader } from './pool-reader.js';
import { checkProcessorKey, saveProcessorStateSql } from './postgres-stream-processor-states.js';
import { eventColumns, lastSequenceNumberSql, statementsOf } from './statements.js';
import type { TenantWriter } from './tenant-writer.js';

/** An `EventRow` followed by the entry's stream position and partition (array mode). */
type StreamEventRow = readonly [...EventRow, streamPosition: string, streamPartition: string];

/**
 * Streams in the `streams` table: entries that refer to events of their scope's log by sequence number, read back
 * joined with it.
 *
 * An append is one statement on the writer connection, so it is one transaction, fenced by the writer lock and
 * ordered with the other writes: it checks the entries against the end of the scope's log (one index lookup: the
 * log is dense from 0 and never shrinks), numbers them on from the stream's last position, inserts them and saves
 * the filter's state, or, if an entry refers to no event, writes nothing. Positions are computed by PostgreSQL from
 * the stream's last row, so there is nothing in memory to go stale after a failed or uncertain write.
 */
export class PostgresStreams implements Streams {
  readonly #writer: TenantWriter;
  readonly #reader: PoolReader;
  readonly #statements: ReturnType<typeof streamStatements>;

  constructor(writer: TenantWriter, reader: PoolReader, schema: SafeIdentifier) {
    this.#writer = writer;
    this.#reader = reader;
    this.#statements = streamStatements(schema);
  }

  async append(
    stream: StreamRef,
    entries: readonly FilteredEvent[],
    filter: { readonly key: StreamProcessorKey; readonly state: StreamProcessorState },
  ): Promise<void> {
    checkProcessorKey(filter.key, 'filter.key');
    const state = encodeStreamProcessorState(filter.state);
    const partitions = new Array<string>(entries.length);
    const sequenceNumbers = new Array<number>(entries.length);
    let highest = -1;
    for (let i = 0; i < entries.length; i++) {
      const { partition, sequenceNumber } = entries[i] as FilteredEvent;
      if (!Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) throw notInLog(stream.scope, i, sequenceNumber);
      partitions[i] = partition;
      sequenceNumbers[i] = sequenceNumber;
      if (sequenceNumber > highest) highest = sequenceNumber;
    }
    const [result] = await this.#writer.transact(`appending ${entries.length} events to ${describeStream(stream)}`, [
      {
        ...this.#statements.append,
        values: [
          stream.scope,
          stream.stream,
          stream.public,
          arrayLiteral(partitions),
          `{${sequenceNumbers.join(',')}}`,
          highest,
          filter.key.scope,
          filter.key.processorId,
          filter.key.sourceStream,
          state,
        ],
      },
    ]);
    const last = Number((result?.rows[0] as { last: string } | undefined)?.last ?? -1);
    if (highest <= last) return;
    // Nothing was written: name the first entry beyond the log's end.
    const missing = sequenceNumbers.findIndex((n) => n > last);
    throw notInLog(stream.scope, missing, sequenceNumbers[missing] as number, last);
  }

  async read(stream: StreamRef, options: StreamReadOptions): Promise<readonly StreamEvent[]> {
    const from = checkCount('from', options.from);
    const limit = Math.min(checkCount('limit', options.limit), maxReadLimit);
    if (limit === 0) return [];
    const rows =
      options.partition === undefined
        ? await this.#reader.arrays<StreamEventRow>(
            this.#statements.read,
            [stream.scope, stream.stream, stream.public, from, limit],
            describeStream(stream),
          )
        : await this.#reader.arrays<StreamEventRow>(
            this.#statements.readPartition,
            [stream.scope, stream.stream, stream.public, options.partition, from, limit],
            describeStream(stream),
          );
    const contextOf = executionContextParser();
    return rows.map((row) => ({
      position: Number(row[eventColumnCount]) as StreamPosition,
      partition: row[eventColumnCount + 1] as PartitionId,
      event: toCommittedEvent(row, contextOf(row[executionContextColumn])),
    }));
  }

  async nextPosition(stream: StreamRef): Promise<StreamPosition> {
    const [row] = await this.#reader.rows<{ next: string }>(
      this.#statements.nextPosition,
      [stream.scope, stream.stream, stream.public],
      describeStream(stream),
    );
    return Number(row?.next ?? 0) as StreamPosition;
  }

  async drop(stream: StreamRef): Promise<void> {
    await this.#writer.transact(`dropping ${describeStream(stream)}`, [
      { ...this.#statements.drop, values: [stream.scope, stream.stream, stream.public] },
    ]);
  }
}

function streamStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
  const stream = 'scope = $1::uuid AND stream_id = $2::uuid AND public = $3::boolean';
  // By order, not max(): one descent of the primary key whatever PostgreSQL estimates (see lastSequenceNumberSql).
  const lastPosition = `SELECT position FROM ${s}.streams WHERE ${stream} ORDER BY position DESC LIMIT 1`;
  // Each entry's event by its full key, in a LATERAL subquery that cannot be flattened (LIMIT): without statistics
  // for a scope a plain join may scan the scope's whole log once per entry.
  const select = `SELECT e.*, s.position, s.partition_id
      FROM ${s}.streams s
     CROSS JOIN LATERAL (
       SELECT ${eventColumns()} FROM ${s}.events
        WHERE scope = s.scope AND sequence_number = s.event_sequence_number LIMIT 1
     ) e
     WHERE s.scope = $1::uuid AND s.stream_id = $2::uuid AND s.public = $3::boolean`;
  return {
    /**
     * $4 partitions and $5 sequence numbers of the entries, $6 the highest of those (-1 for none); $7..$10 the
     * filter's key and state. Writes entries and state only if the log holds every entry; answers the log's last
     * sequence number (-1 when empty).
     */
    append: statement(
      'stream-append',
      `WITH log AS (
         SELECT coalesce((${lastSequenceNumberSql(s, '$1')}), -1) AS last
       ), accepted AS (
         SELECT FROM log WHERE $6::bigint <= log.last
       ), appended AS (
         INSERT INTO ${s}.streams (scope, stream_id, public, position, partition_id, event_sequence_number)
         SELECT $1::uuid, $2::uuid, $3::boolean, coalesce((${lastPosition}), -1) + e.n, e.partition_id, e.sequence_number
           FROM unnest($4::uuid[], $5::bigint[]) WITH ORDINALITY AS e(partition_id, sequence_number, n)
          WHERE EXISTS (SELECT FROM accepted)
       ), saved AS (
         ${saveProcessorStateSql(s, { scope: '$7', processor: '$8', source: '$9', state: '$10', when: 'EXISTS (SELECT FROM accepted)' })}
       )
       SELECT log.last FROM log`,
    ),
    // Positions are dense, so [from, from + limit) bounds the read to the rows asked for, whatever the plan.
    read: statement(
      'stream-read',
      `${select} AND s.position >= $4 AND s.position < $4::bigint + $5 ORDER BY s.position LIMIT $5`,
    ),
    readPartition: statement(
      'stream-read-partition',
      `${select} AND s.partition_id = $4::uuid AND s.position >= $5 ORDER BY s.position LIMIT $6`,
    ),
    nextPosition: statement('stream-next-position', `SELECT coalesce((${lastPosition}) + 1, 0) AS next`),
    drop: statement('stream-drop', `DELETE FROM ${s}.streams WHERE ${stream}`),
  };
}

/**
 * `values` as a PostgreSQL array literal of quoted elements: the driver would build the same text, looking at each
 * element's type on the way, which cost about a microsecond per entry of an append.
 */
function arrayLiteral(values: readonly string[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string;
    if (i > 0) text += ',';
    text += `"${/["\\]/.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${text}}`;
}

function notInLog(scope: ScopeId, index: number, sequenceNumber: number, last?: number): InvalidArgument {
  const holds = last === undefined ? '' : last < 0 ? ' (it holds no events)' : ` (it holds 0..${last})`;
  return new InvalidArgument(
    `entries[${index}].sequenceNumber`,
    `event log sequence number ${sequenceNumber} is not in the event log of scope ${scope}${holds}, and a stream can only refer to events of its scope's log; nothing of the append was written`,
  );
}

function describeStream(stream: StreamRef): string {
  return `${stream.public ? 'public' : 'private'} stream ${stream.stream} in scope ${stream.scope}`;
}
