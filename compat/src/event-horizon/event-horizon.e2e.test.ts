// The event horizon end to end, as Dolittle's tutorial (spec §4.4) sets it up: two microservices, each its own
// Runtime process on its own store. The producer's head (official SDK) commits public and private events from several
// event sources and registers public filters; the consumer's head subscribes its tenant to one partition of the
// producer's public stream into a scope, and scoped event handlers see what arrives. Checked: exactly the public
// events of the consented partition arrive, once and in the producer's order, nothing private, nothing of the other
// partition or of another public stream, nothing in the default scope; and the consumer's scoped event log (read from
// its store) holds them as external events with the consent.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SubscriptionResponse } from '@dolittle/sdk.eventhorizon';
import { Claim } from '@dolittle/sdk.execution';
import { storeTargets } from '../harness';
import { eventually } from '../support/eventually';
import { Deliveries, type Delivery, parcelReturnedTypeId, parcelShippedTypeId } from './parcels';
import { closeHead } from './sdk-quirks';
import {
  type CommittedParcel,
  commitParcels,
  connectConsumerHead,
  connectProducerHead,
  parcelsFrom,
  sdkLogText,
  startMicroservicePair,
} from './two-microservices';

for (const target of storeTargets) {
  describe(`the event horizon between two Runtimes [${target.name}]`, { timeout: 120_000 }, () => {
    test('a scoped event handler sees exactly the public events of the consented partition, in order, and nothing private', async () => {
      const pair = await startMicroservicePair(target);
      try {
        const { ids } = pair;
        const filteredLanes: string[] = [];
        const producer = connectProducerHead(pair, {
          onFiltered: (event) => filteredLanes.push(String((event as { Lane?: string }).Lane)),
        });
        const sources = [randomUUID(), randomUUID(), randomUUID()];
        const committed: CommittedParcel[] = [];
        const commit = async (first: number, count: number, lanes?: Parameters<typeof parcelsFrom>[3]) => {
          committed.push(
            ...(await commitParcels(producer, ids.producerTenant, parcelsFrom(first, count, sources, lanes))),
          );
        };

        // Before the consumer subscribes: the producer's public stream already has events in both partitions.
        await commit(0, 12);
        await commit(12, 1, ['private']);
        // With claims in the producer's execution context: they stay at the producer.
        committed.push(
          ...(await commitParcels(producer, ids.producerTenant, parcelsFrom(13, 7, sources), 0, [
            new Claim('role', 'chef', 'string'),
            new Claim('secret', 'do not forward', 'string'),
          ])),
        );

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
              `--- consumer SDK ---\n${sdkLogText(consumer)}\n--- consumer Runtime ---\n${pair.consumer.runtime.stderr().slice(-8000)}`,
            ),
          { what: 'the consumer SDK reports its subscription', timeoutMs: 20_000 },
        );
        assert.equal(subscribed[0]?.consentId.value.toString(), ids.consent, 'the consent id answered to the SDK');
        assert.equal(subscribed[0]?.failed, false);

        // After: events committed while the subscription runs, one per commit and in batches.
        for (let number = 20; number < 26; number++) await commit(number, 1, ['consented']);
        await commit(26, 30);
        await commit(56, 4, ['private', 'excluded', 'other', 'consented']);

        const expected = committed
          .filter((parcel) => parcel.lane === 'consented')
          .sort((a, b) => a.sequenceNumber - b.sequenceNumber);
        assert.ok(expected.length >= 20, `only ${expected.length} consented events were committed`);
        await deliveries.waitForDistinct('unpartitioned', expected.length);
        await deliveries.waitForDistinct('decorated', expected.length);
        // Anything that should not arrive would have had the time to.
        await sleep(1_500);

        // The unpartitioned scoped handler: every event once, in the producer's order, numbered 0.. in the scope.
        const unpartitioned = deliveries.of('unpartitioned');
        assert.deepEqual(
          unpartitioned.map((delivery) => delivery.number),
          expected.map((parcel) => parcel.number),
          'the unpartitioned scoped handler got exactly the consented partition, in the producer order',
        );
        assert.deepEqual(
          unpartitioned.map((delivery) => delivery.sequenceNumber),
          expected.map((_, index) => index),
          'sequence numbers of the consumer scoped event log: dense from 0',
        );
        for (const [index, delivery] of unpartitioned.entries()) {
          const parcel = expected[index] as CommittedParcel;
          assert.deepEqual(
            {
              source: delivery.eventSource,
              occurred: delivery.occurred,
              tenant: delivery.tenant,
              type: delivery.type,
              lane: delivery.lane,
            },
            {
              source: parcel.source,
              occurred: parcel.occurred,
              tenant: ids.consumerTenant,
              type: parcel.kind === 'returned' ? 'ParcelReturned' : 'ParcelShipped',
              lane: 'consented',
            },
            `delivery ${index} (parcel ${parcel.number})`,
          );
        }

        // The tutorial's decorated (partitioned) scoped handler: the same events once each, in order per event source.
        const decorated = deliveries.of('decorated');
        assert.deepEqual(
          decorated.map((delivery) => delivery.number).sort((a, b) => a - b),
          expected.map((parcel) => parcel.number).sort((a, b) => a - b),
          'the decorated scoped handler got exactly the consented partition, each event once',
        );
        for (const source of sources) {
          assert.deepEqual(
            decorated.filter((delivery) => delivery.eventSource === source).map((delivery) => delivery.number),
            expected.filter((parcel) => parcel.source === source).map((parcel) => parcel.number),
            `decorated handler, event source ${source}: in order`,
          );
        }
        const bySequence = new Map(unpartitioned.map((delivery) => [delivery.number, delivery.sequenceNumber]));
        for (const delivery of decorated) {
          assert.equal(delivery.sequenceNumber, bySequence.get(delivery.number), `parcel ${delivery.number}`);
        }

        assert.deepEqual(deliveries.of('default-scope'), [], 'nothing arrives in the default scope');
        assert.ok(!filteredLanes.includes('private'), 'the public filter was asked about a private event');
        assert.ok(filteredLanes.includes('excluded'), 'the public filter was asked about the excluded public events');

        // The consumer's stored scoped event log, read from its store once the Runtime stopped.
        const subscribedAt = Date.now();
        await closeHead(consumer);
        await pair.consumer.runtime.stop();
        const rows = await pair.consumer.storedEvents(ids.consumerTenant);
        assert.deepEqual(
          [...new Set(rows.map((row) => row.scope))],
          [ids.scope],
          'the consumer tenant stored events in its scope only',
        );
        assert.deepEqual(
          rows.map((row) => ({
            sequenceNumber: row.sequenceNumber,
            number: (JSON.parse(row.content) as { Seq: number }).Seq,
            eventSourceId: row.eventSourceId,
            typeId: row.typeId,
            typeGeneration: row.typeGeneration,
            isPublic: row.isPublic,
            occurred: row.occurred,
            aggregateRootId: row.aggregateRootId,
            externalSequenceNumber: row.externalSequenceNumber,
            externalConsentId: row.externalConsentId,
          })),
          expected.map((parcel, index) => ({
            sequenceNumber: index,
            number: parcel.number,
            eventSourceId: parcel.source,
            typeId: parcel.kind === 'returned' ? parcelReturnedTypeId : parcelShippedTypeId,
            typeGeneration: parcel.kind === 'returned' ? 2 : 1,
            isPublic: false,
            occurred: parcel.occurred,
            aggregateRootId: null,
            externalSequenceNumber: parcel.sequenceNumber,
            externalConsentId: ids.consent,
          })),
          'the consumer scoped event log: external events with the producer sequence number and the consent',
        );
        for (const row of rows) {
          const context = JSON.parse(row.executionContext) as {
            tenantId?: string;
            microserviceId?: string;
            claims?: unknown[];
          };
          assert.equal(context.tenantId, ids.producerTenant, `row ${row.sequenceNumber}: the producer's tenant`);
          assert.equal(context.microserviceId, ids.producerMicroservice, `row ${row.sequenceNumber}: the producer`);
          assert.deepEqual(context.claims ?? [], [], `row ${row.sequenceNumber}: claims stripped`);
          assert.ok(
            row.externalReceived !== null &&
              row.externalReceived >= row.occurred - 1_000 &&
              row.externalReceived <= subscribedAt + 1_000,
            `row ${row.sequenceNumber}: received ${row.externalReceived} is not between occurred and now`,
          );
          const content = JSON.parse(row.content) as { Text?: string };
          assert.match(content.Text ?? '', /✓ "quoted" \\ ünïcode$/, 'content crosses the horizon unchanged');
        }
        assert.deepEqual(
          deliveries.firstOf('unpartitioned').map((delivery: Delivery) => delivery.number),
          rows.map((row) => (JSON.parse(row.content) as { Seq: number }).Seq),
        );

        // The claims were there at the producer (so "stripped" above means something).
        await closeHead(producer);
        await pair.producer.runtime.stop();
        const produced = await pair.producer.storedEvents(ids.producerTenant);
        const withClaims = produced.filter((row) => {
          const seq = (JSON.parse(row.content) as { Seq: number }).Seq;
          return seq >= 13 && seq < 20;
        });
        assert.equal(withClaims.length, 7);
        for (const row of withClaims) {
          const claims = (JSON.parse(row.executionContext) as { claims?: { key?: string }[] }).claims ?? [];
          assert.deepEqual(
            claims.map((claim) => claim.key),
            ['role', 'secret'],
            `the producer stored event ${row.sequenceNumber} without its claims`,
          );
        }

        // The process contract: every line either Runtime wrote on stderr is a JSON log entry.
        for (const side of ['producer', 'consumer'] as const) {
          const stray = pair[side].runtime
            .stderr()
            .split('\n')
            .filter((line) => line.trim().length > 0 && !line.startsWith('{'));
          assert.deepEqual(stray, [], `the ${side} Runtime wrote lines that are not JSON log entries on stderr`);
        }
      } finally {
        await pair.dispose();
      }
    });
  });
}
