import {
  type ConsentId,
  DolittleError,
  InvalidArgument,
  StoreConsistency,
  StoreUnavailable,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReceivedEvent, SubscriptionKey, SubscriptionStates } from '@dolittle-ts/store';
import type Database from 'better-sqlite3';
import { assertOpen } from './open-database.js';
import type { SqliteEventStore } from './sqlite-event-store.js';

type KeyColumns = [
  producerMicroservice: string,
  producerTenant: string,
  stream: string,
  partition: string,
  scope: string,
];

/**
 * Event-horizon subscriptions in `subscription_states`: the next public-stream position per subscription.
 * `receive` appends the events to the scope's log through the event store (which keeps that log's next sequence
 * number) and stores the new position in the same transaction, on the tenant's synchronous=FULL connection:
 * durable when it resolves.
 *
 * The connection holds the file's writer lock and better-sqlite3 is synchronous, so this object is the only
 * writer and a receive runs start to end without interleaving: it keeps each subscription's position in memory
 * once read, checks `from` against it, and forgets it when a receive fails.
 */
export class SqliteSubscriptionStates implements SubscriptionStates {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #events: SqliteEventStore;
  /** Next position per subscription (keyed by `cacheKey`), for subscriptions this store has looked at. */
  readonly #positions = new Map<string, number>();

  readonly #select: Database.Statement<KeyColumns, number>;
  readonly #upsert: Database.Statement<[...KeyColumns, number]>;

  constructor(db: Database.Database, location: string, events: SqliteEventStore) {
    this.#db = db;
    this.#location = location;
    this.#events = events;
    this.#select = db
      .prepare<KeyColumns, number>(
        `SELECT position FROM subscription_states
          WHERE producer_microservice = ? AND producer_tenant = ? AND stream_id = ? AND partition_id = ? AND scope = ?`,
      )
      .pluck();
    this.#upsert = db.prepare(
      `INSERT INTO subscription_states (producer_microservice, producer_tenant, stream_id, partition_id, scope, position)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (producer_microservice, producer_tenant, stream_id, partition_id, scope)
          DO UPDATE SET position = excluded.position`,
    );
  }

  async position(key: SubscriptionKey): Promise<StreamPosition> {
    assertOpen(this.#db, this.#location);
    return this.#positionOf(keyColumns(key)) as StreamPosition;
  }

  async receive(
    key: SubscriptionKey,
    from: StreamPosition,
    events: readonly ReceivedEvent[],
    options: { readonly consentId: ConsentId; readonly received: Date },
  ): Promise<readonly CommittedEvent[]> {
    assertOpen(this.#db, this.#location);
    const columns = keyColumns(key);
    const cached = cacheKey(columns);
    try {
      const stored = this.#positionOf(columns);
      if (from !== stored) {
        throw new StoreConsistency(
          `${this.#location}: ${describeSubscription(key)} is at public-stream position ${stored}, but a receive of ${events.length} events started from position ${from}; nothing was received. Another writer received these events, or the caller lost track: read the position and receive from there`,
        );
      }
      assertReceivable(from, events, options.received);
      const last = events.at(-1);
      if (last === undefined) return [];
      const next = last.streamPosition + 1;
      const written = this.#events.appendReceived(key.scope, events, options, () => this.#upsert.run(...columns, next));
      this.#positions.set(cached, next);
      return written;
    } catch (error) {
      if (error instanceof DolittleError) throw error;
      // Rolled back: read the position from the file before the next receive.
      this.#positions.delete(cached);
      throw new StoreUnavailable(
        `${this.#location}: receiving ${events.length} events for ${describeSubscription(key)} failed, and neither they nor the subscription's position were written (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
  }

  #positionOf(columns: KeyColumns): number {
    const cached = cacheKey(columns);
    let position = this.#positions.get(cached);
    if (position === undefined) {
      position = this.#select.get(...columns) ?? 0;
      this.#positions.set(cached, position);
    }
    return position;
  }
}

/**
 * Refuses what the store could not keep, or what would break the subscription's "no gap, no duplicate" promise:
 * positions must be whole numbers increasing from `from` (a partition's positions may jump), producer sequence
 * numbers whole numbers ≥ 0, and times valid.
 */
function assertReceivable(from: number, events: readonly ReceivedEvent[], received: Date): void {
  if (!Number.isFinite(received.getTime())) {
    throw new InvalidArgument('options.received', 'is not a valid date; nothing was received');
  }
  let previous: number | undefined;
  for (const [i, event] of events.entries()) {
    const position = event.streamPosition;
    if (!Number.isSafeInteger(position) || position < (previous === undefined ? from : previous + 1)) {
      throw new InvalidArgument(
        `events[${i}].streamPosition`,
        `public-stream position ${position} ${previous === undefined ? `is before the receive's start ${from}` : `does not come after the previous event's ${previous}`}; the positions of a receive must be whole numbers increasing from its start. Nothing was received`,
      );
    }
    if (!Number.isSafeInteger(event.producerSequenceNumber) || event.producerSequenceNumber < 0) {
      throw new InvalidArgument(
        `events[${i}].producerSequenceNumber`,
        `must be a whole number ≥ 0, not ${event.producerSequenceNumber}; nothing was received`,
      );
    }
    if (!Number.isFinite(event.occurred.getTime())) {
      throw new InvalidArgument(`events[${i}].occurred`, 'is not a valid date; nothing was received');
    }
    previous = position;
  }
}

function keyColumns(key: SubscriptionKey): KeyColumns {
  return [key.producerMicroservice, key.producerTenant, key.stream, key.partition, key.scope];
}

function cacheKey(columns: KeyColumns): string {
  return JSON.stringify(columns);
}

function describeSubscription(key: SubscriptionKey): string {
  return `the subscription to partition ${key.partition} of public stream ${key.stream} of tenant ${key.producerTenant} in microservice ${key.producerMicroservice}, into scope ${key.scope}`;
}
