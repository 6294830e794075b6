import { type ConsentId, StoreConsistency, type StreamPosition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReceivedEvent, SubscriptionKey, SubscriptionStates } from '@dolittle-ts/store';
import type pg from 'pg';
import type { SafeIdentifier } from './identifiers.js';
import { planReceive, toExternalEvents } from './receive-plan.js';
import { lastSequenceNumberSql, statementsOf } from './statements.js';
import type { TenantWriter } from './tenant-writer.js';

/** What the receive statement answers: whether it wrote, the position it found and the log's last number before. */
interface ReceiveRow {
  readonly received: boolean;
  /** The subscription's stored position when the statement began. */
  readonly stored: string;
  /** The scope's last sequence number before the receive, -1 for an empty log. */
  readonly last: string;
}

/**
 * Event-horizon subscriptions in `subscription_states`: the next public-stream position per subscription.
 *
 * A receive is one statement on the writer connection, so one transaction, fenced by the writer lock and ordered
 * with every other write: it moves the subscription's position from `from` to past its last event, and only if
 * that move happened appends the events to the scope's log, numbered on from the log's last row. If the stored
 * position is not `from` it writes nothing and is refused with `StoreConsistency`. The move is a conditional UPDATE
 * (or, for a new subscription, an INSERT that gives way to any row already there), so even two transactions on the
 * same subscription could not both pass it. Nothing is kept in memory, so nothing goes stale after a failed or
 * uncertain write. `position` reads on the writer too: it is what the next receive is checked against.
 */
export class PostgresSubscriptionStates implements SubscriptionStates {
  readonly #writer: TenantWriter;
  readonly #schema: SafeIdentifier;
  readonly #statements: ReturnType<typeof subscriptionStatements>;

  constructor(writer: TenantWriter, schema: SafeIdentifier) {
    this.#writer = writer;
    this.#schema = schema;
    this.#statements = subscriptionStatements(schema);
  }

  async position(key: SubscriptionKey): Promise<StreamPosition> {
    return (await this.#stored(key, `reading the position of ${describeSubscription(key)}`)) as StreamPosition;
  }

  async receive(
    key: SubscriptionKey,
    from: StreamPosition,
    events: readonly ReceivedEvent[],
    options: { readonly consentId: ConsentId; readonly received: Date },
  ): Promise<readonly CommittedEvent[]> {
    const { columns: c, next } = planReceive(from, events, options.received);
    const what = `receiving ${events.length} events for ${describeSubscription(key)}`;
    if (events.length === 0) {
      const stored = await this.#stored(key, what);
      if (stored !== from) throw this.#outOfStep(key, from, stored, 0);
      return [];
    }
    const receiveRow = (results: readonly pg.QueryResult[]) => results[0]?.rows[0] as ReceiveRow;
    const results = await this.#writer.transactOnLog(
      what,
      key.scope,
      [
        {
          ...this.#statements.receive,
          values: [
            ...keyValues(key),
            from,
            next,
            c.eventSourceIds,
            c.typeIds,
            c.typeGenerations,
            c.contents,
            c.occurred,
            c.contextIndexes,
            c.executionContexts,
            c.producerSequenceNumbers,
            options.received,
            options.consentId,
          ],
        },
      ],
      (written) => {
        const row = receiveRow(written);
        return row.received ? Number(row.last) + 1 + events.length : undefined;
      },
    );
    const row = receiveRow(results);
    if (!row.received) throw this.#outOfStep(key, from, Number(row.stored), events.length);
    return toExternalEvents(events, Number(row.last) + 1, options);
  }

  /**
   * The stored position, read on the writer: after every write queued before it, and after the outcome of an
   * uncertain receive is settled (the writer ends its former session before it takes the lock again). A read on the
   * pool could still see the position from before a receive whose commit the former session has yet to finish.
   */
  async #stored(key: SubscriptionKey, what: string): Promise<number> {
    const [result] = await this.#writer.transact(what, [{ ...this.#statements.position, values: keyValues(key) }]);
    return Number((result?.rows[0] as { position: string } | undefined)?.position ?? 0);
  }

  #outOfStep(key: SubscriptionKey, from: number, stored: number, count: number): StoreConsistency {
    return new StoreConsistency(
      `${describeSubscription(key)} in schema ${this.#schema} is at public-stream position ${stored}, but a receive of ${count} events started from position ${from}; nothing was received. Another writer received these events, or the caller lost track: read the position and receive from there`,
    );
  }
}

function subscriptionStatements(schema: SafeIdentifier) {
  const { s, statement } = statementsOf(schema);
  const key = `producer_microservice = $1::uuid AND producer_tenant = $2::uuid AND stream_id = $3::uuid
               AND partition_id = $4::uuid AND scope = $5::uuid`;
  return {
    position: statement('subscription-position', `SELECT position FROM ${s}.subscription_states WHERE ${key}`),
    /**
     * $1..$5 the key, $6 `from`, $7 the position after the receive; $8..$15 the events' columns (execution contexts
     * bound once each, $14, and picked per row by index); $16 the received time, $17 the consent. Every lookup is
     * by a full primary key or the log's last row (lastSequenceNumberSql), so every plan is cheap.
     *
     * `moved` and `started` are the fence: an UPDATE that re-checks the position on the row's latest version, and
     * an INSERT that only a new subscription received from 0 passes and that gives way to a concurrent one. The
     * events are appended only if one of them wrote; the statement's snapshot answers the position found.
     */
    receive: statement(
      'subscription-receive',
      `WITH moved AS (
         UPDATE ${s}.subscription_states SET position = $7::bigint WHERE ${key} AND position = $6::bigint
         RETURNING 1
       ), started AS (
         INSERT INTO ${s}.subscription_states (producer_microservice, producer_tenant, stream_id, partition_id, scope,
                                               position)
         SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $7::bigint
          WHERE $6::bigint = 0 AND NOT EXISTS (SELECT FROM ${s}.subscription_states WHERE ${key})
         ON CONFLICT DO NOTHING
         RETURNING 1
       ), accepted AS (
         SELECT 1 FROM moved UNION ALL SELECT 1 FROM started
       ), log AS (
         SELECT coalesce((${lastSequenceNumberSql(s, '$5')}), -1) AS last
       ), appended AS (
         INSERT INTO ${s}.events (scope, sequence_number, event_source_id, type_id, type_generation, public, content,
                                  occurred, execution_context, external_sequence_number, external_received,
                                  external_consent_id)
         SELECT $5::uuid, log.last + e.n, e.event_source_id, e.type_id, e.type_generation, false, e.content,
                e.occurred, ($14::text[])[e.context], e.producer_sequence_number, $16::timestamptz, $17::uuid
           FROM log, unnest($8::uuid[], $9::uuid[], $10::bigint[], $11::text[], $12::timestamptz[], $13::integer[],
                            $15::bigint[])
                     WITH ORDINALITY AS e(event_source_id, type_id, type_generation, content, occurred, context,
                                          producer_sequence_number, n)
          WHERE EXISTS (SELECT FROM accepted)
       )
       SELECT EXISTS (SELECT FROM accepted) AS received, log.last,
              coalesce((SELECT position FROM ${s}.subscription_states WHERE ${key}), 0) AS stored
         FROM log`,
    ),
  };
}

function keyValues(key: SubscriptionKey): string[] {
  return [key.producerMicroservice, key.producerTenant, key.stream, key.partition, key.scope];
}

function describeSubscription(key: SubscriptionKey): string {
  return `the subscription to partition ${key.partition} of public stream ${key.stream} of tenant ${key.producerTenant} in microservice ${key.producerMicroservice}, into scope ${key.scope}`;
}
