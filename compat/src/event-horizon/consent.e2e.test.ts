// Consents and the event-horizon configuration. A subscription the producer has no consent for is refused with
// MissingConsent (be1ba4e6-…): the consumer's SDK is told (its log and its failure callback), the consumer Runtime
// logs it, no event crosses, and the consumer keeps retrying (with back-off) until the producer consents. A consent
// under a producer tenant that is not configured, or a malformed microservices.json, stops the Runtime at start with
// exit code 2 and a message naming the file and the key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SubscriptionResponse } from '@dolittle/sdk.eventhorizon';
import { postgresDatabaseExists, storeTargets, writeConfigDir } from '../harness';
import { eventually } from '../support/eventually';
import { Deliveries } from './parcels';
import { startExpectingRefusal } from './refused-start';
import {
  type ConsumerHeadOptions,
  commitParcels,
  connectConsumerHead,
  connectProducerHead,
  consentsFor,
  freshHorizonIds,
  type HorizonIds,
  type MicroservicePair,
  type PairOptions,
  parcelsFrom,
  sdkLogText,
  sdkSubscriptionFailures,
  startMicroservicePair,
} from './two-microservices';

const missingConsent = 'be1ba4e6-81e3-49c4-bec2-6c7e262bfb77';
const missingMicroserviceConfiguration = '9b74482a-8eaa-47ab-ac1c-53d704e4e77d';

interface RefusalCase {
  readonly name: string;
  /** How the pair differs from a consented subscription. */
  readonly pair: (ids: HorizonIds) => PairOptions;
  /** The partition the consumer's head subscribes to; the consented one unless given. */
  readonly partition?: (ids: HorizonIds) => string;
}

const refusals: readonly RefusalCase[] = [
  {
    name: 'a partition without a consent',
    pair: () => ({}),
    partition: (ids) => ids.otherPartition,
  },
  {
    name: 'a consumer microservice the consent does not name',
    pair: () => ({ consumerMicroserviceId: randomUUID() }),
  },
  {
    name: 'a consumer tenant the consent does not name',
    pair: (ids) => ({ consents: consentsFor({ ...ids, consumerTenant: randomUUID() }) }),
  },
];

/** The JSON log entries of a Runtime whose text matches. */
function logEntries(pair: MicroservicePair, side: 'producer' | 'consumer', pattern: RegExp) {
  return pair[side].runtime.logs().filter((entry) => pattern.test(JSON.stringify(entry)));
}

for (const target of storeTargets) {
  describe(`event-horizon consents [${target.name}]`, { timeout: 180_000 }, () => {
    for (const refusal of refusals) {
      test(`a subscription for ${refusal.name} is refused with MissingConsent, and nothing crosses`, async (t) => {
        const ids = freshHorizonIds();
        const options = refusal.pair(ids);
        const pair = await startMicroservicePair(target, { ids, ...options });
        try {
          const producer = connectProducerHead(pair);
          const sources = [randomUUID(), randomUUID()];
          await commitParcels(producer, ids.producerTenant, parcelsFrom(0, 12, sources));
          const deliveries = new Deliveries();
          const subscribed: SubscriptionResponse[] = [];
          const consumer = connectConsumerHead(pair, deliveries, {
            ...(refusal.partition ? { partition: refusal.partition(ids) } : {}),
            onSubscribed: (response) => subscribed.push(response),
          });
          await eventually(() => assert.ok(sdkSubscriptionFailures(consumer).length >= 1, sdkLogText(consumer)), {
            what: 'the consumer SDK logs that the subscription failed',
            timeoutMs: 20_000,
          });
          assert.deepEqual(subscribed, [], 'the subscription was accepted');
          const failure = sdkSubscriptionFailures(consumer)[0];
          assert.equal(failure?.id, missingConsent, `the SDK logged: ${JSON.stringify(failure)}`);
          assert.ok((failure?.reason ?? '').length > 0, 'the failure has no reason');
          t.diagnostic(`failure reason the SDK got: ${failure?.reason}`);
          await eventually(
            () =>
              assert.ok(
                logEntries(pair, 'consumer', /consent/i).some((entry) => Number(entry.level) >= 40),
                `the consumer Runtime did not log the refusal:\n${pair.consumer.runtime.stderr()}`,
              ),
            { what: "the consumer Runtime's log", timeoutMs: 5_000 },
          );
          assert.ok(
            logEntries(pair, 'producer', /refused/).length >= 1,
            `the producer did not log a refusal:\n${pair.producer.runtime.stderr()}`,
          );

          await commitParcels(producer, ids.producerTenant, parcelsFrom(12, 12, sources));
          await sleep(3_000);
          assert.deepEqual(deliveries.of('unpartitioned'), [], 'events crossed without a consent');
          assert.deepEqual(deliveries.of('decorated'), [], 'events crossed without a consent');
          assert.deepEqual(deliveries.of('default-scope'), []);
        } finally {
          await pair.dispose();
        }
      });
    }

    const unreachable: readonly {
      name: string;
      head: (ids: HorizonIds) => ConsumerHeadOptions;
      failureId?: string;
    }[] = [
      {
        name: 'a producer microservice microservices.json does not list fails with MissingMicroserviceConfiguration',
        head: () => ({ producerMicroservice: randomUUID() }),
        failureId: missingMicroserviceConfiguration,
      },
      {
        name: 'a producer tenant the producer does not have is refused',
        head: () => ({ producerTenant: randomUUID() }),
      },
      {
        name: 'a consumer tenant the consumer Runtime does not have fails',
        head: () => ({ consumerTenant: randomUUID() }),
      },
    ];
    for (const subscription of unreachable) {
      test(`a subscription for ${subscription.name}, and nothing crosses`, async (t) => {
        const ids = freshHorizonIds();
        const pair = await startMicroservicePair(target, { ids });
        try {
          const producer = connectProducerHead(pair);
          await commitParcels(producer, ids.producerTenant, parcelsFrom(0, 12, [randomUUID()]));
          const deliveries = new Deliveries();
          const subscribed: SubscriptionResponse[] = [];
          const consumer = connectConsumerHead(pair, deliveries, {
            ...subscription.head(ids),
            onSubscribed: (response) => subscribed.push(response),
          });
          await eventually(() => assert.ok(sdkSubscriptionFailures(consumer).length >= 1, sdkLogText(consumer)), {
            what: 'the consumer SDK logs that the subscription failed',
            timeoutMs: 20_000,
          });
          const failure = sdkSubscriptionFailures(consumer)[0];
          t.diagnostic(`the SDK was told: ${failure?.id} ${failure?.reason}`);
          if (subscription.failureId) assert.equal(failure?.id, subscription.failureId, JSON.stringify(failure));
          assert.ok((failure?.reason ?? '').length > 0, 'the failure has no reason');
          await sleep(2_000);
          assert.deepEqual(subscribed, []);
          assert.deepEqual(deliveries.of('unpartitioned'), []);
          assert.deepEqual(deliveries.of('decorated'), []);
        } finally {
          await pair.dispose();
        }
      });
    }

    /** A pair whose producer consents to nothing yet, with the consumer head subscribing. */
    const startRefusedPair = async () => {
      const ids = freshHorizonIds();
      const pair = await startMicroservicePair(target, { ids, consents: {} });
      const producer = connectProducerHead(pair);
      const deliveries = new Deliveries();
      const subscribed: SubscriptionResponse[] = [];
      const consumer = connectConsumerHead(pair, deliveries, {
        onSubscribed: (response) => subscribed.push(response),
      });
      return { ids, pair, producer, deliveries, subscribed, consumer };
    };
    const refusedAttempts = (pair: MicroservicePair) =>
      logEntries(pair, 'producer', /refused/).map((entry) => Number(entry.time));

    test('the consumer Runtime retries a refused subscription after 1 s, then 2 s, doubling', async (t) => {
      const { pair, consumer } = await startRefusedPair();
      try {
        // The consumer Runtime retries by itself; the SDK's own Subscribe calls every 5 s come on top.
        await eventually(() => assert.ok(refusedAttempts(pair).length >= 3, pair.producer.runtime.stderr()), {
          what: 'the producer refuses three attempts',
          timeoutMs: 20_000,
        });
        const attempts = refusedAttempts(pair);
        const gaps = attempts.slice(1).map((time, index) => time - (attempts[index] as number));
        t.diagnostic(`gaps between refused attempts: ${gaps.join(', ')} ms`);
        assert.equal(sdkSubscriptionFailures(consumer)[0]?.id, missingConsent, sdkLogText(consumer));
        assert.ok(
          (gaps[0] as number) >= 700 && (gaps[0] as number) <= 1_700,
          `the first retry came ${gaps[0]} ms after the refusal (expected about 1 s); gaps: ${gaps.join(', ')} ms`,
        );
        assert.ok(
          (gaps[1] as number) >= 1_500 && (gaps[1] as number) <= 3_000,
          `the second retry came ${gaps[1]} ms after the first (expected about 2 s); gaps: ${gaps.join(', ')} ms`,
        );
      } finally {
        await pair.dispose();
      }
    });

    test('a refused subscription gets through once the producer consents, and the SDK is told so', async () => {
      const { ids, pair, producer, deliveries, subscribed, consumer } = await startRefusedPair();
      try {
        const sources = [randomUUID(), randomUUID()];
        const before = await commitParcels(producer, ids.producerTenant, parcelsFrom(0, 18, sources));
        await eventually(() => assert.equal(sdkSubscriptionFailures(consumer)[0]?.id, missingConsent), {
          what: 'the SDK is told the subscription was refused',
          timeoutMs: 20_000,
        });

        // The producer gets the consent (a restart reads its configuration), and the waiting subscription goes through.
        await pair.producer.runtime.stop();
        writeFileSync(
          join(pair.producer.config.path, 'event-horizon-consents.json'),
          `${JSON.stringify(consentsFor(ids), null, 2)}\n`,
        );
        await pair.producer.runtime.restart();
        const after = await commitParcels(producer, ids.producerTenant, parcelsFrom(18, 6, sources), 15_000);
        const expected = [...before, ...after].filter((parcel) => parcel.lane === 'consented');
        await deliveries.waitForDistinct('unpartitioned', expected.length, 90_000).catch((error: Error) => {
          throw new Error(`${error.message}\n--- consumer Runtime ---\n${pair.consumer.runtime.stderr().slice(-5000)}`);
        });
        assert.deepEqual(
          deliveries.of('unpartitioned').map((delivery) => delivery.number),
          expected.map((parcel) => parcel.number),
        );
        // The SDK, which retries every 5 s until it is told the subscription succeeded, is told so.
        await eventually(
          () =>
            assert.equal(
              subscribed.length,
              1,
              `events flow, but the SDK was still told the subscription failed (${sdkSubscriptionFailures(consumer).length} times):\n${sdkLogText(consumer)}`,
            ),
          { what: 'the SDK is told the subscription succeeded', timeoutMs: 15_000 },
        );
        assert.equal(subscribed[0]?.consentId.value.toString(), ids.consent);
      } finally {
        await pair.dispose();
      }
    });
  });

  describe(`event-horizon configuration refused at start [${target.name}]`, { timeout: 120_000 }, () => {
    const producerMicroservice = 'a14bb24e-51f3-4d83-9eba-44c4cffe6bb9';
    const cases: readonly {
      name: string;
      files: (tenant: string) => Record<string, unknown>;
      raw?: Record<string, string>;
      file: string;
      key: (tenant: string) => string | undefined;
    }[] = [
      {
        name: 'a consent under a producer tenant that is not configured',
        files: () => ({
          'event-horizon-consents.json': {
            '7e0ab6b1-6cf1-4b47-b3b6-4fd7c0bd2c01': [
              {
                microservice: producerMicroservice,
                tenant: randomUUID(),
                stream: randomUUID(),
                partition: '00000000-0000-0000-0000-000000000000',
                consent: randomUUID(),
              },
            ],
          },
        }),
        file: 'event-horizon-consents.json',
        key: () => '7e0ab6b1-6cf1-4b47-b3b6-4fd7c0bd2c01',
      },
      {
        name: 'a consent without its consent id',
        files: (tenant) => ({
          'event-horizon-consents.json': {
            [tenant]: [
              {
                microservice: producerMicroservice,
                tenant: randomUUID(),
                stream: randomUUID(),
                partition: '00000000-0000-0000-0000-000000000000',
              },
            ],
          },
        }),
        file: 'event-horizon-consents.json',
        key: (tenant) => `${tenant}[0].consent`,
      },
      {
        name: 'two consents of a producer tenant for the same subscription',
        files: (tenant) => {
          const consent = {
            microservice: producerMicroservice,
            tenant: '9a1c8f4e-2b7d-4e61-a3f5-0c9d8e7b6a51',
            stream: '5d2e7c1a-8f4b-4a39-b6e0-1f2a3b4c5d6e',
            partition: '00000000-0000-0000-0000-000000000000',
          };
          return {
            'event-horizon-consents.json': {
              [tenant]: [
                { ...consent, consent: randomUUID() },
                { ...consent, consent: randomUUID() },
              ],
            },
          };
        },
        file: 'event-horizon-consents.json',
        key: (tenant) => `${tenant}[1]`,
      },
      {
        name: 'microservices.json that is not JSON',
        files: () => ({}),
        raw: { 'microservices.json': `{ "${producerMicroservice}": { "host": "127.0.0.1", "port": 50052, }` },
        file: 'microservices.json',
        key: () => undefined,
      },
      {
        name: 'a producer port that is not a number',
        files: () => ({ 'microservices.json': { [producerMicroservice]: { host: '127.0.0.1', port: 'fifty' } } }),
        file: 'microservices.json',
        key: () => `${producerMicroservice}.port`,
      },
      {
        name: 'a producer port out of range',
        files: () => ({ 'microservices.json': { [producerMicroservice]: { host: '127.0.0.1', port: 70000 } } }),
        file: 'microservices.json',
        key: () => `${producerMicroservice}.port`,
      },
      {
        name: 'a producer port 0',
        files: () => ({ 'microservices.json': { [producerMicroservice]: { host: '127.0.0.1', port: 0 } } }),
        file: 'microservices.json',
        key: () => `${producerMicroservice}.port`,
      },
      {
        name: 'a producer without a host',
        files: () => ({ 'microservices.json': { [producerMicroservice]: { port: 50052 } } }),
        file: 'microservices.json',
        key: () => `${producerMicroservice}.host`,
      },
      {
        name: 'a producer id that is not a GUID',
        files: () => ({ 'microservices.json': { 'the-producer': { host: '127.0.0.1', port: 50052 } } }),
        file: 'microservices.json',
        key: () => 'the-producer',
      },
      {
        name: 'a producer CA file that does not exist',
        files: () => ({
          'microservices.json': {
            [producerMicroservice]: { host: '127.0.0.1', port: 50052, tls: { ca: 'certs/missing-ca.pem' } },
          },
        }),
        file: 'microservices.json',
        key: () => `${producerMicroservice}.tls.ca`,
      },
    ];
    for (const refusal of cases) {
      test(`${refusal.name}: exit code 2, naming the file and the key`, async () => {
        const tenant = randomUUID();
        const config = writeConfigDir({ tenants: [tenant], files: refusal.files(tenant) });
        for (const [name, text] of Object.entries(refusal.raw ?? {})) writeFileSync(join(config.path, name), text);
        const prepared = await target.prepare();
        try {
          const result = await startExpectingRefusal({ configDir: config.path, store: prepared.store });
          assert.deepEqual(
            { code: result.code, signal: result.signal, ready: result.stdout.includes('Dolittle Runtime ready') },
            { code: 2, signal: null, ready: false },
            `stderr: ${result.stderr}`,
          );
          const lines = result.stderr.split('\n').filter((line) => line.trim().length > 0);
          const message = lines.find((line) => line.includes(refusal.file));
          assert.ok(message, `no message names ${refusal.file}:\n${result.stderr}`);
          const key = refusal.key(tenant);
          if (key !== undefined) {
            assert.ok(message.includes(`(${key}`), `the message does not name the key ${key}: ${message}`);
          }
          if (typeof prepared.store !== 'string') {
            const name = new URL(prepared.store.postgres).pathname.slice(1);
            assert.equal(await postgresDatabaseExists(name), false, 'the Runtime created its database anyway');
          }
        } finally {
          await prepared.release();
          config.remove();
        }
      });
    }
  });
}
