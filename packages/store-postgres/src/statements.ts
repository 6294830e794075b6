import { createHash } from 'node:crypto';
import { quoteIdentifier, type SafeIdentifier } from './identifiers.js';

export interface Statement {
  /**
   * Prepared once per connection under this name. Pool connections serve many schemas, so the name carries the
   * schema, as a 64-bit digest: PostgreSQL truncates names past 63 bytes, and a schema name alone can be 63.
   */
  readonly name: string;
  readonly text: string;
}

const eventColumns = `sequence_number, event_source_id, type_id, type_generation, public, content, occurred,
  execution_context, aggregate_root_id, aggregate_version, external_sequence_number, external_received,
  external_consent_id`;

/** The event store's statements for one tenant schema. Only the allow-listed schema name is put into text. */
export function eventStatements(schema: SafeIdentifier) {
  const s = quoteIdentifier(schema);
  const digest = createHash('sha256').update(schema).digest('hex').slice(0, 16);
  const statement = (name: string, text: string): Statement => ({ name: `dolittle_${digest}_${name}`, text });
  return {
    /**
     * Appends a batch's events, numbered densely from $2, and sets the new versions of the aggregate root
     * instances it wrote to: one statement, columns bound as arrays. Execution contexts are bound once per
     * commit ($4) and picked per row by index.
     */
    append: statement(
      'append',
      `WITH appended AS (
         INSERT INTO ${s}.events (scope, sequence_number, event_source_id, type_id, type_generation, public, content,
                                  occurred, execution_context, aggregate_root_id, aggregate_version)
         SELECT $1::uuid, $2::bigint + e.n - 1, e.event_source_id, e.type_id, e.type_generation, e.public, e.content,
                $3::timestamptz, ($4::text[])[e.context], e.aggregate_root_id, e.aggregate_version
           FROM unnest($5::uuid[], $6::uuid[], $7::bigint[], $8::boolean[], $9::text[], $10::integer[], $11::uuid[],
                       $12::bigint[])
                WITH ORDINALITY AS e(event_source_id, type_id, type_generation, public, content, context,
                                     aggregate_root_id, aggregate_version, n)
       ), versions AS (
         INSERT INTO ${s}.aggregates (aggregate_root_id, event_source_id, version)
         SELECT * FROM unnest($13::uuid[], $14::uuid[], $15::bigint[])
         ON CONFLICT (aggregate_root_id, event_source_id) DO UPDATE SET version = excluded.version
       )
       SELECT 1`,
    ),
    /** Current versions of the given aggregate root instances; those without events have no row. */
    versions: statement(
      'versions',
      `SELECT a.aggregate_root_id, a.event_source_id, a.version
         FROM unnest($1::uuid[], $2::uuid[]) AS k(aggregate_root_id, event_source_id)
         JOIN ${s}.aggregates a USING (aggregate_root_id, event_source_id)`,
    ),
    nextSequenceNumber: statement(
      'next-sequence-number',
      `SELECT coalesce(max(sequence_number) + 1, 0) AS next FROM ${s}.events WHERE scope = $1`,
    ),
    read: statement(
      'read',
      `SELECT ${eventColumns} FROM ${s}.events
        WHERE scope = $1 AND sequence_number >= $2 ORDER BY sequence_number LIMIT $3`,
    ),
    /** The instance's version and its events (in the default scope) from one snapshot. */
    fetchForAggregate: statement(
      'fetch-for-aggregate',
      `SELECT a.version AS instance_version, ${eventColumns
        .split(',')
        .map((c) => `e.${c.trim()}`)
        .join(', ')}
         FROM ${s}.aggregates a
         LEFT JOIN ${s}.events e
           ON e.aggregate_root_id = a.aggregate_root_id AND e.event_source_id = a.event_source_id AND e.scope = $3
        WHERE a.aggregate_root_id = $1 AND a.event_source_id = $2
        ORDER BY e.aggregate_version`,
    ),
    aggregateVersion: statement(
      'aggregate-version',
      `SELECT version FROM ${s}.aggregates WHERE aggregate_root_id = $1 AND event_source_id = $2`,
    ),
  };
}

export type EventStatements = ReturnType<typeof eventStatements>;
