// Event-horizon subscriptions with our SDK on both sides: a producer microservice (its own Runtime process, tenant
// and event-horizon-consents.json) whose head runs a public filter and commits public events, and consumers that
// subscribe one tenant to a partition of that public stream into a scope and handle the scope: a consumer Runtime
// process (microservices.json, --microservice-id) reached over gRPC, and an in-process Runtime (embedded mode).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConnectOptions, DolittleClient } from './client.js';
import type { HandlerContext } from './committed-event.js';
import { DolittleSdkError } from './errors.js';
import { defineEventHandler } from './event-handlers.js';
import { definePublicFilter } from './filters.js';
import { silentLogger } from './logger.js';
import { DishPrepared, IngredientsRestocked, newId } from './test-support/kitchen.js';
import { type ConfigDir, type RuntimeProcess, startRuntimeProcess, writeConfigDir } from './test-support/modes.js';
import { eventually } from './testing/in-process-runtime.js';

const ids = {
  producerMicroservice: newId(),
  consumerMicroservice: newId(),
  producerTenant: newId(),
  consumerTenant: newId(),
  /** The producer's public stream: its public filter's id. */
  stream: newId(),
  /** A public stream of the producer no consumer has consent for. */
  unconsentedStream: newId(),
  /** The partition of the stream the consumer may subscribe to (the producer's filter partitions by event source). */
  partition: newId(),
  otherPartition: newId(),
  consent: newId(),
};

interface Received {
  readonly type: string;
  readonly content: unknown;
  readonly context: HandlerContext;
}

/** A scoped event handler at the consumer, recording what it receives. */
function scopedHandler(scope: string) {
  const received: Received[] = [];
  const handler = defineEventHandler({
    id: newId(),
    scope,
    events: { DishPrepared, IngredientsRestocked },
    handle: {
      DishPrepared: (event, context) => void received.push({ type: 'DishPrepared', content: event, context }),
      IngredientsRestocked: (event, context) =>
        void received.push({ type: 'IngredientsRestocked', content: event, context }),
    },
  });
  return { handler, received };
}

describe('event-horizon subscriptions between two microservices', { timeout: 120_000 }, () => {
  const configs: ConfigDir[] = [];
  const runtimes: RuntimeProcess[] = [];
  const clients: DolittleClient[] = [];
  let producer: RuntimeProcess;
  let consumer: RuntimeProcess;
  let producerHead: DolittleClient;
  const publicFilterSaw: string[] = [];

  const connect = async (options: ConnectOptions) => {
    const client = await DolittleClient.connect({
      logger: silentLogger,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      signal: AbortSignal.timeout(30_000),
      ...options,
    });
    clients.push(client);
    return client;
  };

  /** What the producer commits: public events in the consented partition and in another one, and a private one. */
  async function produce(tag: string) {
    await producerHead.eventStore.commitPublic(DishPrepared, { Dish: `${tag} Taco`, Chef: 'Mr. Taco' }, ids.partition);
    await producerHead.eventStore.commit(DishPrepared, { Dish: `${tag} private`, Chef: 'Mr. Taco' }, ids.partition);
    await producerHead.eventStore.commitPublic(
      DishPrepared,
      { Dish: `${tag} elsewhere`, Chef: 'Mr. Taco' },
      ids.otherPartition,
    );
    await producerHead.eventStore.commit(IngredientsRestocked, { amount: 3 }, ids.partition); // public by its type
  }

  before(async () => {
    const producerConfig = await writeConfigDir({
      tenants: [ids.producerTenant],
      files: {
        'event-horizon-consents.json': {
          [ids.producerTenant]: [
            {
              microservice: ids.consumerMicroservice,
              tenant: ids.consumerTenant,
              stream: ids.stream,
              partition: ids.partition,
              consent: ids.consent,
            },
          ],
        },
      },
    });
    configs.push(producerConfig);
    producer = await startRuntimeProcess({ configDir: producerConfig.path, microserviceId: ids.producerMicroservice });
    runtimes.push(producer);
    const consumerConfig = await writeConfigDir({
      tenants: [ids.consumerTenant],
      files: { 'microservices.json': { [ids.producerMicroservice]: { host: '127.0.0.1', port: producer.publicPort } } },
    });
    configs.push(consumerConfig);
    consumer = await startRuntimeProcess({ configDir: consumerConfig.path, microserviceId: ids.consumerMicroservice });
    runtimes.push(consumer);

    producerHead = await connect({
      runtime: producer.address,
      microserviceId: ids.producerMicroservice,
      defaultTenant: ids.producerTenant,
      filters: [
        definePublicFilter({
          id: ids.stream,
          filter: (event) => {
            publicFilterSaw.push(event.type.id);
            return { included: true, partition: event.eventSourceId };
          },
        }),
        definePublicFilter({ id: ids.unconsentedStream, filter: () => true }),
      ],
    });
    await produce('before');
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(runtimes.map((runtime) => runtime.dispose()));
    for (const config of configs) config.remove();
  });

  /** Checks what a consumer's scoped handler received of the producer's stream. */
  async function assertReceived(received: Received[], scope: string, tags: readonly string[]) {
    const expected = tags.flatMap((tag) => [
      { type: 'DishPrepared', content: { Dish: `${tag} Taco`, Chef: 'Mr. Taco' } },
      { type: 'IngredientsRestocked', content: { amount: 3 } },
    ]);
    await eventually(() => received.length >= expected.length, {
      timeoutMs: 30_000,
      message: `the consumer to receive ${expected.length} events (received ${received.length})`,
    });
    assert.deepEqual(
      received.map(({ type, content }) => ({ type, content })),
      expected,
    );
    for (const { context } of received) {
      assert.equal(context.scope, scope);
      assert.equal(context.tenant, ids.consumerTenant);
      assert.equal(context.eventSourceId, ids.partition);
      assert.equal(context.executionContext.microserviceId, ids.producerMicroservice);
      assert.equal(context.executionContext.tenantId, ids.producerTenant);
      assert.ok(context.external !== undefined, 'an event from the event horizon is external');
      assert.equal(context.public, false, 'the consumer stores received events as not public');
    }
    assert.deepEqual(
      received.map(({ context }) => context.external?.sequenceNumber),
      [...received.map(({ context }) => context.external?.sequenceNumber)].sort((a, b) => Number(a) - Number(b)),
    );
  }

  it('the producer’s public filter sees its public events only', async () => {
    await eventually(() => publicFilterSaw.length >= 3);
    assert.deepEqual(publicFilterSaw.slice(0, 3), [DishPrepared.id, DishPrepared.id, IngredientsRestocked.id]);
  });

  it('a consumer head subscribes at connect and handles the consented partition in its scope [remote]', async () => {
    const scope = newId();
    const { handler, received } = scopedHandler(scope);
    const consumerHead = await connect({
      runtime: consumer.address,
      microserviceId: ids.consumerMicroservice,
      defaultTenant: ids.consumerTenant,
      eventHandlers: [handler],
      subscriptions: [
        {
          producer: {
            microserviceId: ids.producerMicroservice,
            tenantId: ids.producerTenant,
            streamId: ids.stream,
            partitionId: ids.partition,
          },
          scope,
          consumerTenant: ids.consumerTenant,
        },
      ],
    });
    await assertReceived(received, scope, ['before']);
    await produce('after');
    await assertReceived(received, scope, ['before', 'after']);
    // Nothing reached the consumer's default scope.
    const local = await consumerHead.eventStore.fetchForAggregate(newId(), ids.partition);
    assert.equal(local.version, 0);
  });

  it('forTenant(t).subscribe answers the consent id, and typed errors when it cannot subscribe [remote]', async () => {
    const scope = newId();
    const { handler, received } = scopedHandler(scope);
    const consumerHead = await connect({
      runtime: consumer.address,
      microserviceId: ids.consumerMicroservice,
      defaultTenant: ids.consumerTenant,
      eventHandlers: [handler],
    });
    const tenant = consumerHead.forTenant(ids.consumerTenant);
    const producerStream = {
      microserviceId: ids.producerMicroservice,
      tenantId: ids.producerTenant,
      streamId: ids.stream,
      partitionId: ids.partition,
    };
    const subscribed = await tenant.subscribe({ producer: producerStream, scope });
    assert.equal(subscribed.consentId, ids.consent);
    await assertReceived(received, scope, ['before', 'after']);

    const noConsent = await tenant
      .subscribe({ producer: { ...producerStream, streamId: ids.unconsentedStream }, scope })
      .then(
        () => assert.fail('expected MissingConsent'),
        (e: unknown) => e,
      );
    assert.ok(noConsent instanceof DolittleSdkError, String(noConsent));
    assert.equal(noConsent.code, 'MissingConsent');
    const otherPartition = await tenant
      .subscribe({ producer: { ...producerStream, partitionId: ids.otherPartition }, scope })
      .then(
        () => assert.fail('expected MissingConsent'),
        (e: unknown) => e,
      );
    assert.ok(otherPartition instanceof DolittleSdkError);
    assert.equal(otherPartition.code, 'MissingConsent');
    const unknownProducer = await tenant
      .subscribe({ producer: { ...producerStream, microserviceId: newId() }, scope })
      .then(
        () => assert.fail('expected MissingMicroserviceConfiguration'),
        (e: unknown) => e,
      );
    assert.ok(unknownProducer instanceof DolittleSdkError);
    assert.equal(unknownProducer.code, 'MissingMicroserviceConfiguration');
  });

  it('an in-process Runtime subscribes to the producer Runtime process [embedded]', async () => {
    const scope = newId();
    const { handler, received } = scopedHandler(scope);
    const consumerHead = await connect({
      runtime: {
        embedded: {
          tenants: [ids.consumerTenant],
          microservices: { [ids.producerMicroservice]: { host: '127.0.0.1', port: producer.publicPort } },
        },
      },
      microserviceId: ids.consumerMicroservice,
      defaultTenant: ids.consumerTenant,
      eventHandlers: [handler],
      subscriptions: [
        {
          producer: {
            microserviceId: ids.producerMicroservice,
            tenantId: ids.producerTenant,
            streamId: ids.stream,
            partitionId: ids.partition,
          },
          scope,
          consumerTenant: ids.consumerTenant,
        },
      ],
    });
    assert.equal(consumerHead.mode, 'embedded');
    await assertReceived(received, scope, ['before', 'after']);
    const subscribed = await consumerHead.forTenant(ids.consumerTenant).subscribe({
      producer: {
        microserviceId: ids.producerMicroservice,
        tenantId: ids.producerTenant,
        streamId: ids.stream,
        partitionId: ids.partition,
      },
      scope,
    });
    assert.equal(subscribed.consentId, ids.consent);
    await assert.rejects(
      consumerHead.forTenant(ids.consumerTenant).subscribe({
        producer: {
          microserviceId: ids.producerMicroservice,
          tenantId: ids.producerTenant,
          streamId: ids.unconsentedStream,
        },
        scope,
      }),
      (e: DolittleSdkError) => e.code === 'MissingConsent',
    );
  });
});
