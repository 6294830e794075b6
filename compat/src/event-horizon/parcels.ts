// The events the event-horizon suites send from a producer microservice to a consumer microservice, the consumer's
// scoped event handler declared exactly as Dolittle's event-horizon tutorial does (`@eventHandler(id, { inScope })`),
// and a record of what the consumer's handlers were given.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventType } from '@dolittle/sdk.artifacts';
import type { EventContext } from '@dolittle/sdk.events';
import { eventHandler, handles } from '@dolittle/sdk.events.handling';

export const parcelShippedTypeId = '7b8a3f0e-2c4d-4e5f-8a9b-0c1d2e3f4a5b';
export const parcelReturnedTypeId = '8c9b4a1f-3d5e-4f60-9bac-1d2e3f4a5b6c';

/** The consumer scope of the tutorial-style handler (fixed: decorators take their ids at class definition). */
export const consumerScope = '808ddde4-c937-4f5c-9dc2-140580f6919e';
/** The tutorial-style scoped event handler (partitioned, the SDK's default). */
export const scopedHandlerId = '6c3d358f-3ecc-4c92-a91e-5fc34cacf27e';

/**
 * Which partition of the producer's public stream an event goes to, as its public filter decides: `consented` and
 * `other` are two partitions (only the first has a consent), `excluded` is public but filtered out, and `private`
 * is committed as a private event (never offered to a public filter).
 */
export type Lane = 'consented' | 'other' | 'excluded' | 'private';

@eventType(parcelShippedTypeId)
export class ParcelShipped {
  constructor(
    /** Unique within a test: identifies the event on the consumer side. */
    readonly Seq: number,
    readonly Lane: Lane,
    readonly Text: string,
  ) {}
}

/** Generation 2, to see that the type's generation crosses the horizon. */
@eventType(parcelReturnedTypeId, { generation: 2 })
export class ParcelReturned {
  constructor(
    readonly Seq: number,
    readonly Lane: Lane,
    readonly Text: string,
  ) {}
}

export type Parcel = ParcelShipped | ParcelReturned;

/** One call of a consumer-side handler. */
export interface Delivery {
  /** Which handler got it. */
  readonly by: string;
  readonly number: number;
  readonly lane: string;
  readonly type: string;
  /** The sequence number the handler saw: the event's position in the consumer's scoped event log. */
  readonly sequenceNumber: number;
  readonly eventSource: string;
  readonly occurred: number;
  readonly tenant: string;
  readonly at: number;
}

/** Every delivery of the consumer's handlers; the decorated handler writes into `Deliveries.current`. */
export class Deliveries {
  /** Where `ParcelsFromProducer` (built by the SDK, so not configurable) records; set by each test. */
  static current: Deliveries | undefined;
  readonly #entries: Delivery[] = [];

  record(by: string, event: unknown, context: EventContext): void {
    const content = (event ?? {}) as Partial<ParcelShipped>;
    this.#entries.push({
      by,
      number: typeof content.Seq === 'number' ? content.Seq : -1,
      lane: String(content.Lane),
      type: (event as object | null)?.constructor?.name ?? 'none',
      sequenceNumber: context.sequenceNumber,
      eventSource: context.eventSourceId.value.toString(),
      occurred: context.occurred.toMillis(),
      tenant: context.executionContext.tenantId.value.toString(),
      at: Date.now(),
    });
  }

  of(by: string): Delivery[] {
    return this.#entries.filter((delivery) => delivery.by === by);
  }

  /**
   * The first delivery of each event (by `Seq`), in the order they first arrived: a handler may be given an event
   * again after a restart (at least once), but never a new event before an older one.
   */
  firstOf(by: string): Delivery[] {
    const seen = new Set<number>();
    const first: Delivery[] = [];
    for (const delivery of this.of(by)) {
      if (seen.has(delivery.number)) continue;
      seen.add(delivery.number);
      first.push(delivery);
    }
    return first;
  }

  /** Waits until `by` has been given `count` distinct events; fails with what it got after `timeoutMs`. */
  async waitForDistinct(by: string, count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.firstOf(by).length < count) {
      if (Date.now() > deadline) {
        const got = this.firstOf(by);
        assert.fail(
          `${by}: ${got.length} of ${count} events arrived within ${timeoutMs} ms; the last ones: ${JSON.stringify(got.slice(-5).map((d) => [d.number, d.lane, d.sequenceNumber]))}`,
        );
      }
      await sleep(25);
    }
  }
}

/** The consumer's scoped event handler as the tutorial writes it: `@eventHandler(id, { inScope })` + `@handles`. */
@eventHandler(scopedHandlerId, { inScope: consumerScope })
export class ParcelsFromProducer {
  @handles(ParcelShipped)
  shipped(event: ParcelShipped, context: EventContext): void {
    Deliveries.current?.record('decorated', event, context);
  }

  @handles(ParcelReturned)
  returned(event: ParcelReturned, context: EventContext): void {
    Deliveries.current?.record('decorated', event, context);
  }
}
