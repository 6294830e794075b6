/*
 * The soak's event handler: a partitioned handler for the soak's event type (a bare head over a real socket,
 * reconnected after every restart), and what it saw per tenant: which sequence numbers reached it at least once,
 * how often one came again (redelivery is allowed), and whether first arrivals in each partition kept log order.
 */
import { randomUUID } from 'node:crypto';
import { connectEventHandlerHead, type EventHandlerHead, type HandledEvent } from '@dolittle-ts/runtime/testing';
import { soakEventType } from './load.js';

/** A growable bitmap of sequence numbers. */
class SeenSet {
  #bits = new Uint8Array(1 << 16);
  count = 0;

  /** Marks `n`; false if it was marked already. */
  add(n: number): boolean {
    const byte = n >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(this.#bits.length * 2, byte + 1));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const mask = 1 << (n & 7);
    if ((this.#bits[byte] as number) & mask) return false;
    this.#bits[byte] = (this.#bits[byte] as number) | mask;
    this.count++;
    return true;
  }

  has(n: number): boolean {
    const byte = n >>> 3;
    return byte < this.#bits.length && ((this.#bits[byte] as number) & (1 << (n & 7))) !== 0;
  }
}

export interface TenantView {
  readonly seen: SeenSet;
  /** The last first-arrival per partition. */
  readonly lastInPartition: Map<string, number>;
  outOfOrder: { sequenceNumber: number; partition: string; after: number }[];
}

export class HandlerTracker {
  readonly eventHandlerId = randomUUID();
  readonly tenants = new Map<string, TenantView>();
  deliveries = 0;
  redeliveries = 0;
  /** Registrations the Runtime refused or streams that failed before registering. */
  readonly registrationProblems: string[] = [];
  #head: EventHandlerHead | undefined;

  /** (Re)connects the head to a Runtime's private port; resolves once the registration is accepted. */
  async connect(port: number): Promise<void> {
    this.#head?.close();
    const head = connectEventHandlerHead({
      port,
      eventHandlerId: this.eventHandlerId,
      types: [soakEventType],
      partitioned: true,
      handle: (event) => this.#handle(event),
    });
    this.#head = head;
    const failure = await head.registered;
    if (failure !== undefined) {
      this.registrationProblems.push(failure);
      throw new Error(`the event handler registration failed: ${failure}`);
    }
  }

  close(): void {
    this.#head?.close();
    this.#head = undefined;
  }

  view(tenant: string): TenantView {
    let view = this.tenants.get(tenant);
    if (view === undefined) {
      view = { seen: new SeenSet(), lastInPartition: new Map(), outOfOrder: [] };
      this.tenants.set(tenant, view);
    }
    return view;
  }

  /** Events seen at least once, over every tenant. */
  get distinct(): number {
    let sum = 0;
    for (const view of this.tenants.values()) sum += view.seen.count;
    return sum;
  }

  #handle(event: HandledEvent): undefined {
    this.deliveries++;
    const view = this.view(event.tenant);
    if (!view.seen.add(event.sequenceNumber)) {
      this.redeliveries++;
      return undefined;
    }
    // Order is checked on first arrivals: an event given again after a restart is a redelivery, not disorder.
    const previous = view.lastInPartition.get(event.partition);
    if (previous !== undefined && previous > event.sequenceNumber) {
      view.outOfOrder.push({ sequenceNumber: event.sequenceNumber, partition: event.partition, after: previous });
    } else view.lastInPartition.set(event.partition, event.sequenceNumber);
    return undefined;
  }
}
