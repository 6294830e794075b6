// The event horizon through crashes: the producer Runtime is killed (SIGKILL) and restarted on the same ports while
// it streams to the consumer, then the consumer Runtime is killed while it receives, and restarted. Afterwards the
// consumer's scoped event log holds every public event of the consented partition exactly once and in the producer's
// order: checked through the scoped handlers (their first delivery of each event) and by reading the log from the
// consumer's store.
//
// The producer's public filter takes a few milliseconds per event, so its public stream (and with it the stream to the
// consumer) grows slowly: the kills land while events are on their way, not after everything arrived.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { storeTargets } from '../harness';
import { eventually } from '../support/eventually';
import { Deliveries } from './parcels';
import { closeHead } from './sdk-quirks';
import {
  type CommittedParcel,
  commitParcels,
  connectConsumerHead,
  connectProducerHead,
  type ParcelToCommit,
  parcelsFrom,
  sdkLogText,
  startMicroservicePair,
} from './two-microservices';

const batch = 50;

for (const target of storeTargets) {
  describe(`the event horizon when Runtimes crash [${target.name}]`, { timeout: 240_000 }, () => {
    test('after the producer and then the consumer were killed mid-stream, every consented event is stored once, in order', async (t) => {
      const pair = await startMicroservicePair(target);
      try {
        const { ids } = pair;
        const producer = connectProducerHead(pair, { filterDelayMs: 3 });
        const sources = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        const committed: CommittedParcel[] = [];
        let next = 0;
        /** Commits `count` parcels in commits of `batch`; every third is consented (the others: private, other…). */
        const commit = async (count: number, retryMs = 0) => {
          for (let done = 0; done < count; done += batch) {
            const parcels: ParcelToCommit[] = parcelsFrom(next, Math.min(batch, count - done), sources);
            next += parcels.length;
            committed.push(...(await commitParcels(producer, ids.producerTenant, parcels, retryMs)));
          }
        };
        const consented = () => committed.filter((parcel) => parcel.lane === 'consented');

        const deliveries = new Deliveries();
        let subscriptions = 0;
        let consumer = connectConsumerHead(pair, deliveries, { onSubscribed: () => subscriptions++ });
        await eventually(() => assert.equal(subscriptions, 1, sdkLogText(consumer)), {
          what: 'the consumer subscribes',
          timeoutMs: 20_000,
        });

        // 1. The producer dies while it streams.
        await commit(600);
        const beforeProducerKill = consented().length;
        await deliveries.waitForDistinct('unpartitioned', 20, 30_000);
        await pair.producer.runtime.kill();
        const arrivedWhenProducerDied = deliveries.firstOf('unpartitioned').length;
        await pair.producer.runtime.restart();
        const firstAfterProducerRestart = next;
        await commit(450, 15_000);

        // 2. The consumer dies while it receives: killed once events committed after the producer restart arrive.
        await eventually(
          () =>
            assert.ok(
              deliveries.of('unpartitioned').some((delivery) => delivery.number >= firstAfterProducerRestart),
              `no event committed after the producer restart arrived; ${deliveries.firstOf('unpartitioned').length} arrived in all`,
            ),
          { what: 'events flow again after the producer restart', timeoutMs: 60_000, intervalMs: 10 },
        );
        await pair.consumer.runtime.kill();
        const arrivedWhenConsumerDied = deliveries.firstOf('unpartitioned').length;
        const committedWhenConsumerDied = consented().length;
        await closeHead(consumer);
        await pair.consumer.runtime.restart();
        // SDK 17 subscribes once per client; the consumer's head comes back with its Runtime and subscribes again.
        // Its handlers go on from their stored positions: events handled before the kill may come again.
        subscriptions = 0;
        consumer = connectConsumerHead(pair, deliveries, { onSubscribed: () => subscriptions++ });
        await eventually(() => assert.equal(subscriptions, 1, sdkLogText(consumer)), {
          what: 'the consumer subscribes again after its restart',
          timeoutMs: 20_000,
        });
        await commit(150);

        const expected = consented().sort((a, b) => a.sequenceNumber - b.sequenceNumber);
        const expectedNumbers = expected.map((parcel) => parcel.number);
        const progress = `committed ${committed.length} (${expected.length} consented); when the producer was killed ${arrivedWhenProducerDied} of ${beforeProducerKill} consented events had arrived, when the consumer was killed ${arrivedWhenConsumerDied} of ${committedWhenConsumerDied}`;
        t.diagnostic(progress);
        assert.ok(arrivedWhenProducerDied < beforeProducerKill, `the producer was not killed mid-stream: ${progress}`);
        assert.ok(
          arrivedWhenConsumerDied < committedWhenConsumerDied,
          `the consumer was not killed mid-stream: ${progress}`,
        );
        await deliveries.waitForDistinct('unpartitioned', expected.length, 90_000).catch((error: Error) => {
          throw new Error(
            `${error.message}\n${progress}\n--- consumer Runtime ---\n${pair.consumer.runtime.stderr().slice(-6000)}`,
          );
        });
        await deliveries.waitForDistinct('decorated', expected.length, 30_000);
        await sleep(1_000);

        // Through the handlers: the first delivery of each event (before and after the consumer restart) is each
        // consented event once, in order, and a redelivered event keeps its place in the scoped log.
        const firsts = deliveries.firstOf('unpartitioned');
        assert.deepEqual(
          firsts.map((delivery) => delivery.number),
          expectedNumbers,
          `first deliveries to the unpartitioned scoped handler, in order (${progress})`,
        );
        const placeOf = new Map<number, number>();
        for (const delivery of [...deliveries.of('unpartitioned'), ...deliveries.of('decorated')]) {
          const place = placeOf.get(delivery.number);
          if (place === undefined) placeOf.set(delivery.number, delivery.sequenceNumber);
          else assert.equal(delivery.sequenceNumber, place, `parcel ${delivery.number} delivered at two places`);
        }
        assert.deepEqual(
          firsts.map((delivery) => delivery.sequenceNumber),
          expected.map((_, index) => index),
          'the scoped log numbers the events densely in order',
        );
        const decorated = new Set(deliveries.of('decorated').map((delivery) => delivery.number));
        assert.deepEqual(
          [...decorated].sort((a, b) => a - b),
          [...expectedNumbers].sort((a, b) => a - b),
          'the decorated handler saw every event',
        );
        assert.deepEqual(deliveries.of('default-scope'), []);

        // Through the store: exactly once, in order, with the producer's sequence numbers.
        await closeHead(consumer);
        await pair.consumer.runtime.stop();
        const rows = await pair.consumer.storedEvents(ids.consumerTenant);
        assert.ok(
          rows.every((row) => row.scope === ids.scope),
          'only the scope has events',
        );
        assert.deepEqual(
          rows.map((row) => [
            row.sequenceNumber,
            (JSON.parse(row.content) as { Seq: number }).Seq,
            row.externalSequenceNumber,
            row.externalConsentId,
          ]),
          expected.map((parcel, index) => [index, parcel.number, parcel.sequenceNumber, ids.consent]),
          `the consumer's scoped event log after the crashes (${progress})`,
        );
      } finally {
        await pair.dispose();
      }
    });

    test('a consumer head that restarts while its Runtime runs subscribes again without receiving anything twice', async () => {
      const pair = await startMicroservicePair(target);
      try {
        const { ids } = pair;
        const producer = connectProducerHead(pair);
        const sources = [randomUUID(), randomUUID()];
        const committed = await commitParcels(producer, ids.producerTenant, parcelsFrom(0, 30, sources));
        const deliveries = new Deliveries();
        const consents: string[] = [];
        const first = connectConsumerHead(pair, deliveries, {
          onSubscribed: (response) => consents.push(response.consentId.value.toString()),
        });
        const consented = () => committed.filter((parcel) => parcel.lane === 'consented');
        await deliveries.waitForDistinct('unpartitioned', consented().length);
        await closeHead(first);

        // The head comes back (a new process, as far as the Runtime can tell) and subscribes the same way again.
        const second = connectConsumerHead(pair, deliveries, {
          onSubscribed: (response) => consents.push(response.consentId.value.toString()),
        });
        await eventually(() => assert.equal(consents.length, 2, sdkLogText(second)), {
          what: 'the second head is told it is subscribed',
          timeoutMs: 20_000,
        });
        assert.deepEqual(consents, [ids.consent, ids.consent]);
        committed.push(...(await commitParcels(producer, ids.producerTenant, parcelsFrom(30, 30, sources))));
        await deliveries.waitForDistinct('unpartitioned', consented().length);
        await sleep(1_000);
        assert.deepEqual(
          deliveries.firstOf('unpartitioned').map((delivery) => delivery.number),
          consented().map((parcel) => parcel.number),
        );

        await closeHead(second);
        await pair.consumer.runtime.stop();
        const rows = await pair.consumer.storedEvents(ids.consumerTenant);
        assert.deepEqual(
          rows.map((row) => [row.sequenceNumber, (JSON.parse(row.content) as { Seq: number }).Seq]),
          consented().map((parcel, index) => [index, parcel.number]),
          'each event stored once',
        );
      } finally {
        await pair.dispose();
      }
    });
  });
}
