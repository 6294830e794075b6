// Two microservices, each its own Runtime process on its own store (SQLite data dir, or its own PostgreSQL database)
// and config dir: a producer whose head commits public and private events and registers public filters, and a
// consumer whose head subscribes one of its tenants to a partition of the producer's public stream, into a scope,
// and handles that scope. Dolittle's event-horizon tutorial (spec §4.4) with the official SDK on both sides.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientBuilder } from '@dolittle/sdk';
import type { SubscriptionResponse } from '@dolittle/sdk.eventhorizon';
import {
  type CommittedEvent,
  type EventContext,
  EventSourceId,
  EventStore,
  type IEventStore,
  type UncommittedEvent,
} from '@dolittle/sdk.events';
import { PartitionedFilterResult } from '@dolittle/sdk.events.filtering';
import { type Claim, Claims, ExecutionContext } from '@dolittle/sdk.execution';
import {
  type ConfigDir,
  type PreparedStore,
  type RuntimeProcess,
  type StoreTarget,
  startRuntimeProcess,
  writeConfigDir,
} from '../harness';
import { createSdkClient, type SdkClient } from '../sdk';
import { consumerScope, Deliveries, type Lane, ParcelReturned, ParcelShipped, ParcelsFromProducer } from './parcels';
import { closeHead } from './sdk-quirks';
import { readStoredEvents, type StoredEvent } from './stored-events';

export interface HorizonIds {
  readonly producerMicroservice: string;
  readonly consumerMicroservice: string;
  readonly producerTenant: string;
  readonly consumerTenant: string;
  /** The producer's public stream the consumer subscribes to (the id of its public filter). */
  readonly stream: string;
  /** A second public stream of the producer, which puts other events into a partition of the same id. */
  readonly otherStream: string;
  readonly consentedPartition: string;
  readonly otherPartition: string;
  readonly consent: string;
  readonly scope: string;
  /** Consumer-side handlers built with the SDK's builder (the decorated one has a fixed id). */
  readonly unpartitionedHandler: string;
  readonly defaultScopeHandler: string;
}

export function freshHorizonIds(): HorizonIds {
  return {
    producerMicroservice: randomUUID(),
    consumerMicroservice: randomUUID(),
    producerTenant: randomUUID(),
    consumerTenant: randomUUID(),
    stream: randomUUID(),
    otherStream: randomUUID(),
    consentedPartition: randomUUID(),
    otherPartition: randomUUID(),
    consent: randomUUID(),
    scope: consumerScope,
    unpartitionedHandler: randomUUID(),
    defaultScopeHandler: randomUUID(),
  };
}

/** The producer's `event-horizon-consents.json`: the consumer may subscribe to the consented partition only. */
export function consentsFor(ids: HorizonIds): Record<string, unknown> {
  return {
    [ids.producerTenant]: [
      {
        microservice: ids.consumerMicroservice,
        tenant: ids.consumerTenant,
        stream: ids.stream,
        partition: ids.consentedPartition,
        consent: ids.consent,
      },
    ],
  };
}

export interface Microservice {
  readonly runtime: RuntimeProcess;
  readonly config: ConfigDir;
  readonly prepared: PreparedStore;
  /** Every event the microservice's tenant stored (all scopes); for SQLite only once its Runtime has stopped. */
  storedEvents(tenant: string): Promise<StoredEvent[]>;
}

export interface PairOptions {
  readonly ids?: HorizonIds;
  /** The producer's event-horizon-consents.json; `consentsFor(ids)` by default. */
  readonly consents?: unknown;
  /** The consumer's microservices.json entry for the producer, given its public port. Plain TCP by default. */
  readonly producerAddress?: (publicPort: number) => unknown;
  /** Called with the consumer's config dir before it starts (to put certificates in it). */
  readonly prepareConsumerConfig?: (configDir: string) => void;
  readonly producerArgs?: readonly string[];
  readonly consumerArgs?: readonly string[];
  /** The consumer Runtime's --microservice-id; `ids.consumerMicroservice` by default. */
  readonly consumerMicroserviceId?: string;
}

export interface MicroservicePair {
  readonly ids: HorizonIds;
  readonly target: StoreTarget;
  readonly producer: Microservice;
  readonly consumer: Microservice;
  /** Closes every head built through the pair, stops both Runtimes (exit code 0 expected), removes everything. */
  dispose(): Promise<void>;
  /** Heads to close on dispose. */
  track(head: SdkClient): SdkClient;
}

/** Starts the producer (its public port is OS-chosen), then the consumer configured to reach it. */
export async function startMicroservicePair(target: StoreTarget, options: PairOptions = {}): Promise<MicroservicePair> {
  const ids = options.ids ?? freshHorizonIds();
  const heads: SdkClient[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const head of heads.splice(0)) await closeHead(head);
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  };
  try {
    const producer = await startMicroservice(target, cleanups, {
      tenants: [ids.producerTenant],
      files: { 'event-horizon-consents.json': options.consents ?? consentsFor(ids) },
      microserviceId: ids.producerMicroservice,
      extraArgs: options.producerArgs,
    });
    const consumer = await startMicroservice(target, cleanups, {
      tenants: [ids.consumerTenant],
      files: {
        'microservices.json': {
          [ids.producerMicroservice]: options.producerAddress?.(producer.runtime.publicPort) ?? {
            host: '127.0.0.1',
            port: producer.runtime.publicPort,
          },
        },
      },
      microserviceId: options.consumerMicroserviceId ?? ids.consumerMicroservice,
      extraArgs: options.consumerArgs,
      prepare: options.prepareConsumerConfig,
    });
    return {
      ids,
      target,
      producer,
      consumer,
      dispose: cleanUp,
      track(head) {
        heads.push(head);
        return head;
      },
    };
  } catch (error) {
    await cleanUp().catch(() => {});
    throw error;
  }
}

async function startMicroservice(
  target: StoreTarget,
  cleanups: (() => Promise<void> | void)[],
  options: {
    tenants: readonly string[];
    files: Record<string, unknown>;
    microserviceId: string;
    extraArgs: readonly string[] | undefined;
    prepare?: ((configDir: string) => void) | undefined;
  },
): Promise<Microservice> {
  const config = writeConfigDir({ tenants: options.tenants, files: options.files });
  cleanups.push(() => config.remove());
  options.prepare?.(config.path);
  const prepared = await target.prepare();
  cleanups.push(() => prepared.release());
  const runtime = await startRuntimeProcess({
    store: prepared.store,
    configDir: config.path,
    microserviceId: options.microserviceId,
    ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
  });
  cleanups.push(() => runtime.dispose());
  return {
    runtime,
    config,
    prepared,
    storedEvents: (tenant) => readStoredEvents({ store: prepared.store, dataDir: runtime.dataDir, tenant }),
  };
}

/** A directory inside a config dir, for files a config names by a relative path. */
export function configSubdir(configDir: string, name: string): string {
  const dir = join(configDir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function registerParcelTypes(builder: ClientBuilder): ClientBuilder {
  return builder.withEventTypes((types) => {
    types.register(ParcelShipped);
    types.register(ParcelReturned);
  });
}

export interface ProducerHeadOptions {
  /** Makes the public filter take this long per event, so the public stream grows slowly (a long-running stream). */
  readonly filterDelayMs?: number;
  /** Gets every event the public filter of `ids.stream` was asked about. */
  readonly onFiltered?: (event: unknown, context: EventContext) => void;
}

/**
 * The producer's head: the parcel event types and two public filters. `ids.stream` puts `consented` events into the
 * consented partition and `other` ones into the other partition, and leaves `excluded` ones out; `ids.otherStream`
 * puts `other` events into a partition with the consented partition's id (a different stream: never the consumer's).
 */
export function connectProducerHead(pair: MicroservicePair, options: ProducerHeadOptions = {}): SdkClient {
  const { ids } = pair;
  return pair.track(
    createSdkClient({
      port: pair.producer.runtime.privatePort,
      microserviceId: ids.producerMicroservice,
      configure: (builder) =>
        registerParcelTypes(builder).withFilters((filters) => {
          filters.createPublicFilter(ids.stream, (fb) =>
            fb.handle(async (event: unknown, context: EventContext) => {
              options.onFiltered?.(event, context);
              if (options.filterDelayMs) await sleep(options.filterDelayMs);
              const lane = (event as Partial<ParcelShipped>).Lane;
              return new PartitionedFilterResult(
                lane === 'consented' || lane === 'other',
                lane === 'other' ? ids.otherPartition : ids.consentedPartition,
              );
            }),
          );
          filters.createPublicFilter(ids.otherStream, (fb) =>
            fb.handle(
              (event: unknown) =>
                new PartitionedFilterResult((event as Partial<ParcelShipped>).Lane === 'other', ids.consentedPartition),
            ),
          );
        }),
    }),
  );
}

export interface ConsumerHeadOptions {
  /** The producer partition to subscribe to; the consented one by default. */
  readonly partition?: string;
  /** The producer microservice and tenant, and the consumer tenant, of the subscription; `ids`' by default. */
  readonly producerMicroservice?: string;
  readonly producerTenant?: string;
  readonly consumerTenant?: string;
  readonly onSubscribed?: (response: SubscriptionResponse) => void;
  /** Never called by SDK 17 (see `sdkSubscriptionFailures`); registered as an application would. */
  readonly onSubscriptionFailed?: (response: SubscriptionResponse) => void;
}

/**
 * The consumer's head: subscribes the consumer tenant to the producer's public stream partition into `ids.scope`
 * (`withEventHorizons(b => b.forTenant(t, ts => ts.fromProducerMicroservice(ms).fromProducerTenant(t)
 * .fromProducerStream(s).fromProducerPartition(p).toScope(scope)))`), and handles the parcel types with three
 * handlers: the tutorial's decorated scoped handler (`decorated`, partitioned), an unpartitioned scoped handler
 * (`unpartitioned`) and a handler of the default scope (`default-scope`, which must see nothing).
 */
export function connectConsumerHead(
  pair: MicroservicePair,
  deliveries: Deliveries,
  options: ConsumerHeadOptions = {},
): SdkClient {
  const { ids } = pair;
  Deliveries.current = deliveries;
  const record = (by: string) => (event: unknown, context: EventContext) => deliveries.record(by, event, context);
  return pair.track(
    createSdkClient({
      port: pair.consumer.runtime.privatePort,
      microserviceId: ids.consumerMicroservice,
      configure: (builder) =>
        registerParcelTypes(builder)
          .withEventHorizons((horizons) => {
            horizons.forTenant(options.consumerTenant ?? ids.consumerTenant, (ts) =>
              ts
                .fromProducerMicroservice(options.producerMicroservice ?? ids.producerMicroservice)
                .fromProducerTenant(options.producerTenant ?? ids.producerTenant)
                .fromProducerStream(ids.stream)
                .fromProducerPartition(options.partition ?? ids.consentedPartition)
                .toScope(ids.scope)
                .onSuccess((_tenant, _subscription, response) => options.onSubscribed?.(response))
                .onFailure((_tenant, _subscription, response) => options.onSubscriptionFailed?.(response)),
            );
          })
          .withEventHandlers((handlers) => {
            handlers.register(ParcelsFromProducer);
            handlers.createEventHandler(ids.unpartitionedHandler, (b) => {
              const methods = b.inScope(ids.scope).unpartitioned();
              methods.handle(ParcelShipped, record('unpartitioned'));
              methods.handle(ParcelReturned, record('unpartitioned'));
            });
            handlers.createEventHandler(ids.defaultScopeHandler, (b) => {
              const methods = b.partitioned();
              methods.handle(ParcelShipped, record('default-scope'));
              methods.handle(ParcelReturned, record('default-scope'));
            });
          }),
    }),
  );
}

/** What a test commits: `lane` decides public or private and, through the public filter, the partition. */
export interface ParcelToCommit {
  readonly number: number;
  readonly lane: Lane;
  readonly source: string;
  /** `returned` commits a ParcelReturned (generation 2); `shipped` by default. */
  readonly kind?: 'shipped' | 'returned';
}

export interface CommittedParcel extends ParcelToCommit {
  readonly sequenceNumber: number;
  readonly occurred: number;
  readonly isPublic: boolean;
}

/**
 * Commits the parcels in one `Commit` for the producer tenant (public unless `private`). With `retryMs`, retries
 * while the producer Runtime cannot be reached (right after a restart) — a refused call stored nothing.
 */
export async function commitParcels(
  head: SdkClient,
  tenant: string,
  parcels: readonly ParcelToCommit[],
  retryMs = 0,
  claims: readonly Claim[] = [],
): Promise<CommittedParcel[]> {
  const uncommitted: UncommittedEvent[] = parcels.map((parcel) => {
    const text = `parcel ${parcel.number} (${parcel.lane}) ✓ "quoted" \\ ünïcode`;
    return {
      content:
        parcel.kind === 'returned'
          ? new ParcelReturned(parcel.number, parcel.lane, text)
          : new ParcelShipped(parcel.number, parcel.lane, text),
      eventSourceId: EventSourceId.from(parcel.source),
      public: parcel.lane !== 'private',
    };
  });
  const deadline = Date.now() + retryMs;
  for (;;) {
    try {
      const result = await eventStoreWithClaims(head, tenant, claims).commit(uncommitted);
      assert.equal(result.failed, false, `the producer refused the commit: ${result.failure?.reason.value}`);
      const events: CommittedEvent[] = result.events.toArray();
      assert.equal(events.length, parcels.length);
      return parcels.map((parcel, index) => {
        const event = events[index] as CommittedEvent;
        return {
          ...parcel,
          sequenceNumber: event.eventLogSequenceNumber.value,
          occurred: event.occurred.toMillis(),
          isPublic: event.isPublic,
        };
      });
    } catch (error) {
      if (!/UNAVAILABLE|14 /.test(String(error)) || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/**
 * The SDK's event store for a tenant, committing with these claims in its execution context. SDK 17 has no public way
 * to give a commit claims: the store `forTenant` builds is rebuilt from its own parts with claims added.
 */
function eventStoreWithClaims(head: SdkClient, tenant: string, claims: readonly Claim[]): IEventStore {
  const plain = head.client.eventStore.forTenant(tenant);
  if (claims.length === 0) return plain;
  const parts = plain as unknown as {
    _eventStoreClient: ConstructorParameters<typeof EventStore>[0];
    _eventTypes: ConstructorParameters<typeof EventStore>[1];
    _executionContext: ExecutionContext;
    _logger: ConstructorParameters<typeof EventStore>[3];
  };
  const context = parts._executionContext;
  const withClaims = new ExecutionContext(
    context.microserviceId,
    context.tenantId,
    context.version,
    context.environment,
    context.correlationId,
    new Claims([...claims]),
  );
  return new EventStore(parts._eventStoreClient, parts._eventTypes, withClaims, parts._logger);
}

/** `count` parcels numbered from `first`, cycling through the lanes and `sources`, half of them ParcelReturned. */
export function parcelsFrom(
  first: number,
  count: number,
  sources: readonly string[],
  lanes: readonly Lane[] = ['consented', 'private', 'other', 'consented', 'excluded', 'consented'],
): ParcelToCommit[] {
  return Array.from({ length: count }, (_, index) => {
    const number = first + index;
    return {
      number,
      lane: lanes[index % lanes.length] as Lane,
      source: sources[index % sources.length] as string,
      kind: number % 2 === 0 ? 'shipped' : 'returned',
    };
  });
}

/**
 * The subscription failures the consumer's SDK logged ("… Failure id:<id>) and reason: '<reason>'. Will retry in
 * 5s."). SDK 17 never calls `onFailure` callbacks (it calls the callbacks only on success), so its log is where a
 * refused subscription shows.
 */
export function sdkSubscriptionFailures(head: SdkClient): { id: string; reason: string }[] {
  const failures: { id: string; reason: string }[] = [];
  for (const entry of head.logs()) {
    if (entry.level !== 'error' || !entry.message.startsWith('Failed to subscribe')) continue;
    const match = /Failure id:([0-9a-f-]+)\) and reason: '([\s\S]*)'\. Will retry/.exec(entry.message);
    failures.push({ id: match?.[1] ?? '', reason: match?.[2] ?? entry.message });
  }
  return failures;
}

/** The SDK's log lines as text, for assertions and failure messages. */
export function sdkLogText(head: SdkClient): string {
  return head
    .logs()
    .map((entry) => `${entry.level}: ${entry.message}`)
    .join('\n');
}
