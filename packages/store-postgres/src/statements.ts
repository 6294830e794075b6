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

/**
 * The columns of an `events` row (`EventRow`), in its order, each read from `alias.` when given. Times come as
 * milliseconds since the epoch (float8, whole): a number is cheaper to turn into a Date than timestamp text, and
 * floor() keeps the millisecond a Date made from the text would have.
 */
export function eventColumns(alias?: string): string {
  const column = (name: string) => (alias === undefined ? name : `${alias}.${name}`);
  const milliseconds = (name: string) => `floor(extract(epoch FROM ${column(name)}) * 1000)::float8 AS ${name}`;
  return [
    column('sequence_number'),
    column('event_source_id'),
    column('type_id'),
    column('type_generation'),
    column('public'),
    column('content'),
    milliseconds('occurred'),
    column('execution_context'),
    column('aggregate_root_id'),
    column('aggregate_version'),
    column('external_sequence_number'),
    milliseconds('external_received'),
    column('external_consent_id'),
  ].join(', ');
}

/**
 * What statements of one tenant schema are made with: `s`, the quoted schema to put into their text (the only
 * name ever put there; every value is bound), and `statement`, which names one uniquely for that schema.
 */
export function statementsOf(schema: SafeIdentifier): {
  readonly s: string;
  statement(name: string, text: string): Statement;
} {
  const digest = createHash('sha256').update(schema).digest('hex').slice(0, 16);
  return {
    s: quoteIdentifier(schema),
    statement: (name, text) => ({ name: `dolittle_${digest}_${name}`, text }),
  };
}

/**
 * The scope's last sequence number, or NULL for an empty log, as a subquery of one index descent.
 *
 * Statements are prepared once per connection and may run on a generic plan made while a tenant's tables were
 * small, or on a custom plan from missing statistics (a new scope, stream or generation): so each is written to
 * have only cheap plans, whatever PostgreSQL estimates. A read of the log or of a stream is bounded on both ends
 * (both are dense), a last row is found by index order rather than max(), and a lookup per row is a LATERAL
 * subquery on the full key, which cannot be turned into a scan of a whole scope or set.
 */
export function lastSequenceNumberSql(s: string, scope: string): string {
  return `SELECT sequence_number FROM ${s}.events WHERE scope = ${scope}::uuid ORDER BY sequence_number DESC LIMIT 1`;
}

/** The event store's statements for one tenant schema. */
export function eventStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
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
    /**
     * The last row by the primary key's order, not max(): without statistics for the scope PostgreSQL may plan max()
     * as an aggregate over every event of the scope, while this form is one descent whatever the estimates.
     */
    nextSequenceNumber: statement(
      'next-sequence-number',
      `SELECT coalesce((${lastSequenceNumberSql(s, '$1')}) + 1, 0) AS next`,
    ),
    /**
     * The log is dense, so `from <= n < from + limit` holds exactly the events asked for: bounding both ends keeps
     * the read to those rows whatever plan PostgreSQL picks (without statistics it may pick a scan-and-sort).
     */
    read: statement(
      'read',
      `SELECT ${eventColumns()} FROM ${s}.events
        WHERE scope = $1 AND sequence_number >= $2 AND sequence_number < $2::bigint + $3
        ORDER BY sequence_number LIMIT $3`,
    ),
    /** The instance's events (in the default scope) and its version (after them) from one snapshot. */
    fetchForAggregate: statement(
      'fetch-for-aggregate',
      `SELECT ${eventColumns('e')}, a.version AS instance_version
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
