import {
  type ConsentId,
  type EventLogSequenceNumber,
  type MicroserviceId,
  MissingMicroserviceConfiguration,
  ShuttingDown,
  type StreamPosition,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { ReceivedEvent, SubscriptionKey, SubscriptionStates } from '@dolittle-ts/store';
import type { Logger } from 'pino';
import type { MicroserviceAddress } from '../config/runtime-config.js';
import { sleep } from '../processing/event-watcher.js';
import type { Tenant, Tenants } from '../tenancy/tenants.js';

/** Where a producer microservice's Runtime serves its public port (microservices.json). */
export type ProducerAddress = MicroserviceAddress;

export interface ProducerConnectionOptions {
  readonly address: ProducerAddress;
  readonly consumerTenant: TenantId;
  readonly key: SubscriptionKey;
  readonly from: StreamPosition;
  /** Stores one received event; resolves once it is durable (the producer is then told). */
  readonly receive: (event: ReceivedEvent, consentId: ConsentId) => Promise<void>;
  readonly signal: AbortSignal;
}

export interface ProducerConnection {
  readonly consentId: ConsentId;
  /** Resolves when the connection ends, with why. */
  readonly closed: Promise<string>;
}

/** Opens the Runtime-to-Runtime stream; rejects with MissingConsent or SubscriptionFailed when it cannot. */
export type ConnectToProducer = (options: ProducerConnectionOptions) => Promise<ProducerConnection>;

export type SubscribeOutcome =
  | { readonly ok: true; readonly consentId: ConsentId }
  | { readonly ok: false; readonly error: unknown };

/**
 * The consumer side of the event horizon: one long-lived subscription per consumer tenant and subscription key. It
 * keeps the stream to the producer open, reconnects with back-off (1 s doubling up to 60 s, forever), and writes
 * each received event into the tenant's scoped event log together with the subscription's position, so a restart
 * resumes exactly after the last stored event.
 */
export class Subscriptions {
  /** Per running subscription: the outcome of its latest connection attempt, or the first attempt still going. */
  readonly #running = new Map<string, { latest: SubscribeOutcome | undefined; first: Promise<SubscribeOutcome> }>();
  readonly #tenants: Tenants;
  readonly #microservices: ReadonlyMap<MicroserviceId, ProducerAddress>;
  readonly #connect: ConnectToProducer;
  readonly #logger: Logger;
  readonly #signal: AbortSignal;
  readonly #track: <T>(work: Promise<T>) => Promise<T>;

  constructor(options: {
    tenants: Tenants;
    microservices: ReadonlyMap<MicroserviceId, ProducerAddress>;
    connect: ConnectToProducer;
    logger: Logger;
    signal: AbortSignal;
    track: <T>(work: Promise<T>) => Promise<T>;
  }) {
    this.#tenants = options.tenants;
    this.#microservices = options.microservices;
    this.#connect = options.connect;
    this.#logger = options.logger;
    this.#signal = options.signal;
    this.#track = options.track;
  }

  /**
   * Starts the subscription unless it runs already, and resolves with the outcome of its first connection (later
   * ones are retried in the background whatever happened).
   */
  subscribe(consumerTenant: TenantId, key: SubscriptionKey): Promise<SubscribeOutcome> {
    const tenant = this.#tenants.get(consumerTenant);
    const address = this.#microservices.get(key.producerMicroservice);
    if (address === undefined) {
      return Promise.resolve({
        ok: false,
        error: new MissingMicroserviceConfiguration(key.producerMicroservice, [...this.#microservices.keys()]),
      });
    }
    const id = `${consumerTenant}/${key.producerMicroservice}/${key.producerTenant}/${key.stream}/${key.partition}/${key.scope}`;
    const running = this.#running.get(id);
    if (running !== undefined) {
      return running.latest === undefined ? this.#untilShutdown(running.first) : Promise.resolve(running.latest);
    }
    let settleFirst: (outcome: SubscribeOutcome) => void = () => {};
    const entry: { latest: SubscribeOutcome | undefined; first: Promise<SubscribeOutcome> } = {
      latest: undefined,
      first: new Promise<SubscribeOutcome>((resolve) => {
        settleFirst = resolve;
      }),
    };
    this.#running.set(id, entry);
    const settle = (outcome: SubscribeOutcome) => {
      entry.latest = outcome;
      settleFirst(outcome);
    };
    this.#track(this.#run(tenant, key, address, settle)).catch((error: unknown) =>
      this.#logger.error({ err: error, subscription: id }, 'event horizon subscription stopped'),
    );
    return this.#untilShutdown(entry.first);
  }

  /** A caller waiting for a first attempt is answered at once when the Runtime stops, not after it. */
  #untilShutdown(outcome: Promise<SubscribeOutcome>): Promise<SubscribeOutcome> {
    if (this.#signal.aborted) return Promise.resolve({ ok: false, error: new ShuttingDown() });
    return new Promise<SubscribeOutcome>((resolve) => {
      const stop = () => resolve({ ok: false, error: new ShuttingDown() });
      this.#signal.addEventListener('abort', stop, { once: true });
      outcome.then((result) => {
        this.#signal.removeEventListener('abort', stop);
        resolve(result);
      }, stop);
    });
  }

  async #run(tenant: Tenant, key: SubscriptionKey, address: ProducerAddress, settle: (o: SubscribeOutcome) => void) {
    const states = tenant.store.subscriptions;
    const log = this.#logger.child({
      consumerTenant: tenant.id,
      producer: key.producerMicroservice,
      producerTenant: key.producerTenant,
      stream: key.stream,
      partition: key.partition,
      scope: key.scope,
    });
    let failures = 0;
    while (!this.#signal.aborted) {
      const connection = new AbortController();
      const stop = () => connection.abort();
      this.#signal.addEventListener('abort', stop, { once: true });
      try {
        const from = await states.position(key);
        const writer = new ReceivedEventWriter(states, key, tenant, from);
        const connected = await this.#connect({
          address,
          consumerTenant: tenant.id,
          key,
          from,
          receive: (event, consentId) => writer.receive(event, consentId),
          signal: connection.signal,
        });
        settle({ ok: true, consentId: connected.consentId });
        log.info({ from, consent: connected.consentId }, 'event horizon subscription connected');
        failures = 0;
        const why = await connected.closed;
        if (!this.#signal.aborted) log.warn({ reason: why }, 'event horizon connection ended; reconnecting');
      } catch (error) {
        settle({ ok: false, error });
        failures++;
        log.error(
          { reason: (error as Error).message, attempt: failures },
          'event horizon subscription failed; retrying',
        );
      } finally {
        this.#signal.removeEventListener('abort', stop);
        connection.abort();
      }
      // 1 s after the first failure, doubling up to 60 s; 1 s after a connection that worked ended.
      await sleep(Math.min(1000 * 2 ** Math.max(0, Math.min(failures - 1, 6)), 60_000), this.#signal);
    }
  }
}

/**
 * Writes received events in batches: events that arrive while a write is in progress go together in the next
 * transaction, and each is acknowledged only once its batch is durable. An event already stored (a producer
 * resending after a reconnect) is acknowledged without being written again.
 */
class ReceivedEventWriter {
  #next: number;
  #queue: { event: ReceivedEvent; consentId: ConsentId; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #writing = false;
  readonly #states: SubscriptionStates;
  readonly #key: SubscriptionKey;
  readonly #tenant: Tenant;

  constructor(states: SubscriptionStates, key: SubscriptionKey, tenant: Tenant, from: StreamPosition) {
    this.#states = states;
    this.#key = key;
    this.#tenant = tenant;
    this.#next = from;
  }

  receive(event: ReceivedEvent, consentId: ConsentId): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ event, consentId, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, 1000);
        const fresh = batch.filter((item) => item.event.streamPosition >= this.#next);
        try {
          if (fresh.length > 0) {
            const ordered = [...fresh].sort((a, b) => a.event.streamPosition - b.event.streamPosition);
            const written = await this.#states.receive(
              this.#key,
              this.#next as StreamPosition,
              ordered.map((item) => item.event),
              { consentId: (ordered[0] as (typeof ordered)[number]).consentId, received: new Date() },
            );
            this.#next = (ordered[ordered.length - 1] as (typeof ordered)[number]).event.streamPosition + 1;
            const last = written[written.length - 1];
            if (last !== undefined) {
              this.#tenant.watcher.notify(
                { kind: 'event-log', scope: this.#key.scope },
                last.sequenceNumber as EventLogSequenceNumber,
              );
            }
          }
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}
