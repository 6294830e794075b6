// The event horizon over TLS: the producer's public port serves TLS (--public-tls-cert/--public-tls-key, certificates
// signed by a test CA made with openssl at test time); a consumer whose microservices.json trusts that CA
// (`"tls": { "ca": "certs/…" }`, relative to its config dir; with `serverName` when the certificate names another host;
// with a client certificate when the producer requires one, --public-tls-ca) receives the events. A consumer that does
// not trust the producer (the system's roots, another CA), expects another name, has no client certificate, or
// speaks plain TCP receives nothing, and its log says why.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SubscriptionResponse } from '@dolittle/sdk.eventhorizon';
import { storeTargets } from '../harness';
import { eventually } from '../support/eventually';
import { Deliveries } from './parcels';
import { makeTestCertificates, type TestCertificates } from './test-certificates';
import {
  commitParcels,
  configSubdir,
  connectConsumerHead,
  connectProducerHead,
  type MicroservicePair,
  parcelsFrom,
  sdkLogText,
  sdkSubscriptionFailures,
  startMicroservicePair,
} from './two-microservices';

interface TlsSetup {
  /** The producer's certificate and key (`server` or `named-server`), and whether it requires client certificates. */
  readonly server?: 'server' | 'named-server';
  readonly requireClientCertificates?: boolean;
  /** The consumer's microservices.json `tls` for the producer. */
  readonly tls: unknown;
  /** Files copied into the consumer's config dir under certs/, by name. */
  readonly files?: (certificates: TestCertificates) => Record<string, string>;
}

interface RefusedCase extends TlsSetup {
  readonly name: string;
  /** What the consumer Runtime's log (and the failure the SDK gets) must say about the failed connection. */
  readonly why?: RegExp;
}

const untrusted = /certificate|self[- ]signed|unable to (get|verify)/i;

const refusedCases: readonly RefusedCase[] = [
  { name: 'trusting the system roots only ("tls": true)', tls: true, why: untrusted },
  {
    name: 'trusting another CA',
    tls: { ca: 'certs/ca.pem' },
    files: (certificates) => ({ 'ca.pem': certificates.otherCaPem }),
    why: untrusted,
  },
  {
    name: 'reaching by IP a producer whose certificate names another host, without serverName',
    server: 'named-server',
    tls: { ca: 'certs/ca.pem' },
    files: (certificates) => ({ 'ca.pem': certificates.caPem }),
    why: /altnames|does not match|hostname/i,
  },
  {
    name: 'expecting another serverName',
    tls: { ca: 'certs/ca.pem', serverName: 'elsewhere.test' },
    files: (certificates) => ({ 'ca.pem': certificates.caPem }),
    why: /altnames|does not match|hostname/i,
  },
  {
    name: 'without a client certificate, when the producer requires one',
    requireClientCertificates: true,
    tls: { ca: 'certs/ca.pem' },
    files: (certificates) => ({ 'ca.pem': certificates.caPem }),
  },
  { name: 'speaking plain TCP to the TLS port', tls: false },
];

const acceptedCases: readonly (TlsSetup & { name: string })[] = [
  {
    name: 'trusting the producer CA',
    tls: { ca: 'certs/ca.pem' },
    files: (certificates) => ({ 'ca.pem': certificates.caPem }),
  },
  {
    name: 'trusting the producer CA and naming the host its certificate names (serverName)',
    server: 'named-server',
    tls: { ca: 'certs/ca.pem', serverName: 'producer.test' },
    files: (certificates) => ({ 'ca.pem': certificates.caPem }),
  },
  {
    name: 'presenting a client certificate the producer requires (--public-tls-ca)',
    requireClientCertificates: true,
    tls: { ca: 'certs/ca.pem', certificate: 'certs/client.pem', key: 'certs/client.key' },
    files: (certificates) => ({
      'ca.pem': certificates.caPem,
      'client.pem': certificates.clientPem,
      'client.key': certificates.clientKey,
    }),
  },
];

for (const target of storeTargets) {
  describe(`the event horizon over TLS [${target.name}]`, { timeout: 300_000 }, () => {
    let certificates: TestCertificates | undefined;
    before(() => {
      certificates = makeTestCertificates();
    });
    after(() => certificates?.remove());
    const certs = () => {
      if (!certificates) throw new Error('no certificates: the before hook failed');
      return certificates;
    };
    const startPair = (setup: TlsSetup): Promise<MicroservicePair> => {
      const named = setup.server === 'named-server';
      return startMicroservicePair(target, {
        producerArgs: [
          '--public-tls-cert',
          named ? certs().namedServerPem : certs().serverPem,
          '--public-tls-key',
          named ? certs().namedServerKey : certs().serverKey,
          ...(setup.requireClientCertificates ? ['--public-tls-ca', certs().caPem] : []),
        ],
        producerAddress: (port) => ({ host: '127.0.0.1', port, tls: setup.tls }),
        prepareConsumerConfig: (configDir) => {
          for (const [name, source] of Object.entries(setup.files?.(certs()) ?? {})) {
            copyFileSync(source, join(configSubdir(configDir, 'certs'), name));
          }
        },
      });
    };

    for (const accepted of acceptedCases) {
      test(`a consumer ${accepted.name} receives the consented events`, async () => {
        const pair = await startPair(accepted);
        try {
          const { ids } = pair;
          const producer = connectProducerHead(pair);
          const sources = [randomUUID(), randomUUID()];
          const committed = await commitParcels(producer, ids.producerTenant, parcelsFrom(0, 18, sources));
          const deliveries = new Deliveries();
          const subscribed: SubscriptionResponse[] = [];
          const consumer = connectConsumerHead(pair, deliveries, {
            onSubscribed: (response) => subscribed.push(response),
          });
          await eventually(
            () =>
              assert.equal(
                subscribed.length,
                1,
                `${sdkLogText(consumer)}\n--- consumer Runtime ---\n${pair.consumer.runtime.stderr().slice(-4000)}`,
              ),
            { what: 'the consumer subscribes over TLS', timeoutMs: 20_000 },
          );
          assert.equal(subscribed[0]?.consentId.value.toString(), ids.consent);
          committed.push(...(await commitParcels(producer, ids.producerTenant, parcelsFrom(18, 12, sources))));
          const expected = committed.filter((parcel) => parcel.lane === 'consented').map((parcel) => parcel.number);
          await deliveries.waitForDistinct('unpartitioned', expected.length);
          assert.deepEqual(
            deliveries.of('unpartitioned').map((delivery) => delivery.number),
            expected,
          );
        } finally {
          await pair.dispose();
        }
      });
    }

    for (const refused of refusedCases) {
      test(`a consumer ${refused.name} receives nothing, and its log says why`, async (t) => {
        const pair = await startPair(refused);
        try {
          const { ids } = pair;
          const producer = connectProducerHead(pair);
          await commitParcels(producer, ids.producerTenant, parcelsFrom(0, 12, [randomUUID()]));
          const deliveries = new Deliveries();
          const subscribed: SubscriptionResponse[] = [];
          const consumer = connectConsumerHead(pair, deliveries, {
            onSubscribed: (response) => subscribed.push(response),
          });
          await eventually(() => assert.ok(sdkSubscriptionFailures(consumer).length >= 1, sdkLogText(consumer)), {
            what: 'the consumer SDK logs that the subscription failed',
            timeoutMs: 20_000,
          });
          const failure = sdkSubscriptionFailures(consumer)[0];
          t.diagnostic(`the SDK was told: ${failure?.id} ${failure?.reason}`);
          await sleep(2_000);
          assert.deepEqual(subscribed, [], 'the subscription was accepted');
          assert.deepEqual(deliveries.of('unpartitioned'), [], 'events arrived');
          const horizonLog = pair.consumer.runtime
            .logs()
            .filter((entry) => Number(entry.level) >= 40 && /event horizon/.test(String(entry.msg)));
          assert.ok(
            horizonLog.length > 0,
            `the consumer Runtime logged no failure:\n${pair.consumer.runtime.stderr()}`,
          );
          const logged = horizonLog.map((entry) => JSON.stringify(entry)).join('\n');
          t.diagnostic(`the consumer Runtime logged: ${String(horizonLog[0]?.reason ?? horizonLog[0]?.msg)}`);
          if (refused.why) {
            assert.match(logged, refused.why, 'the consumer log does not say why the connection failed');
            assert.match(failure?.reason ?? '', refused.why, 'the failure the SDK got does not say why');
          }
        } finally {
          await pair.dispose();
        }
      });
    }
  });
}
