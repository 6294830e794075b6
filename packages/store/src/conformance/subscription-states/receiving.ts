import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, notSetVersion, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReceivedEvent } from '../../index.js';
import {
  aggregateCommit,
  committedEvents,
  eventsCommit,
  newAggregate,
  newArtifact,
  newScopeId,
  range,
  readAll,
  sequenceNumber,
} from '../builders.js';
import { awkwardContents, hostileStrings, megabyteDocument, richExecutionContext } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import {
  filtered,
  filterKeyOf,
  newPartitionId,
  privateStream,
  processingPorts,
  readStream,
  seedEventLog,
  streamPosition,
  unpartitionedState,
} from '../processing-builders.js';
import {
  expectedExternalEvents,
  newConsentId,
  newSubscriptionKey,
  producerExecutionContext,
  receivedEvent,
  receivedEvents,
  refusedWith,
  subscriptionPorts,
} from '../subscription-builders.js';

export function receivingCases(fixture: ConformanceFixture): void {
  const received = new Date('2024-05-06T07:08:09.010Z');

  describe("receiving into the scope's event log", () => {
    it("stores external events with the producer's fields verbatim, its sequence number, the received time and the consent", async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const key = newSubscriptionKey();
      const options = { consentId: newConsentId(), received };
      const contents = [...awkwardContents, megabyteDocument(), JSON.stringify({ hostile: hostileStrings })];
      const events: ReceivedEvent[] = contents.map((content, i) =>
        receivedEvent(3 * i + 1, {
          content,
          producerSequenceNumber: sequenceNumber(i === 0 ? 0 : 2 ** 40 + i),
          occurred: [new Date('1969-07-20T20:17:40.001Z'), new Date('9999-12-31T23:59:59.999Z')][i] ?? new Date(i),
          type: newArtifact([0, 4294967295, 2147483647][i] ?? i),
          executionContext:
            i % 3 === 0
              ? richExecutionContext('Production')
              : i % 3 === 1
                ? producerExecutionContext({ version: notSetVersion, environment: '' })
                : producerExecutionContext({
                    claims: hostileStrings.map((s) => ({ key: s, value: s, valueType: s })),
                    environment: hostileStrings.join(' '),
                  }),
        }),
      );

      const stored = await subscriptions.receive(key, streamPosition(0), events, options);
      const expected = expectedExternalEvents(events, 0, options);
      assert.deepEqual(stored, expected);
      assert.deepEqual(await readAll(store.events, key.scope, 5), expected);
      assert.equal(await store.events.nextSequenceNumber(key.scope), events.length);
      assert.equal(await subscriptions.position(key), 3 * (contents.length - 1) + 2);
      for (const event of stored) {
        assert.equal(event.public, false);
        assert.equal(event.aggregate, undefined);
      }
    });

    it("numbers each scope's log densely across its subscriptions, apart from the default scope and other scopes", async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const committed = await seedEventLog(store.events, 3);
      const [scope, other] = [newScopeId(), newScopeId()];
      const [a, b] = [newSubscriptionKey({ scope }), newSubscriptionKey({ scope })];
      const c = newSubscriptionKey({ scope: other });
      const options = { consentId: newConsentId(), received };

      const numbers = async (...args: Parameters<typeof subscriptions.receive>) =>
        (await subscriptions.receive(...args)).map((e) => e.sequenceNumber);
      assert.deepEqual(await numbers(a, streamPosition(0), receivedEvents([0, 1]), options), [0, 1]);
      assert.deepEqual(await numbers(c, streamPosition(0), receivedEvents([7]), options), [0]);
      assert.deepEqual(await numbers(b, streamPosition(0), receivedEvents([0, 1, 2]), options), [2, 3, 4]);
      assert.deepEqual(await numbers(a, streamPosition(2), receivedEvents([5]), options), [5]);
      assert.deepEqual(await numbers(c, streamPosition(8), receivedEvents([8, 9]), options), [1, 2]);

      assert.deepEqual(
        (await readAll(store.events, scope)).map((e) => e.sequenceNumber),
        range(0, 6),
      );
      assert.deepEqual(
        (await readAll(store.events, other)).map((e) => e.sequenceNumber),
        range(0, 3),
      );
      assert.equal(await store.events.nextSequenceNumber(scope), 6);
      assert.equal(await store.events.nextSequenceNumber(other), 3);

      // The default scope's log is untouched, and commits go on numbering it from where it was.
      assert.equal(await store.events.nextSequenceNumber(defaultScope), 3);
      assert.deepEqual(await readAll(store.events), committed);
      const next = committedEvents((await store.events.commit([eventsCommit(2)], { occurred: received }))[0]);
      assert.deepEqual(
        next.map((e) => e.sequenceNumber),
        [3, 4],
      );
      assert.equal(await store.events.nextSequenceNumber(scope), 6);
    });

    it('concurrent receives of different subscriptions into one scope get dense numbers, each in its order', async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const scope = newScopeId();
      const keys = Array.from({ length: 8 }, () => newSubscriptionKey({ scope }));
      const consents = keys.map(() => newConsentId());
      await Promise.all(
        keys.map(async (key, i) => {
          const consentId = consents[i] ?? newConsentId();
          await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1, 2]), { consentId, received });
          await subscriptions.receive(key, streamPosition(3), receivedEvents([3, 4]), { consentId, received });
        }),
      );

      const log = await readAll(store.events, scope);
      assert.deepEqual(
        log.map((e) => e.sequenceNumber),
        range(0, keys.length * 5),
      );
      for (const [i, key] of keys.entries()) {
        const own = log.filter((e) => e.external?.consentId === consents[i]);
        assert.deepEqual(
          own.map((e) => e.content),
          range(0, 5).map((n) => `{"at":${n}}`),
          `subscription #${i}`,
        );
        assert.equal(await subscriptions.position(key), 5);
      }
    });

    it('receiving into the default scope continues the log that commits write, and commits continue after it', async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const key = newSubscriptionKey({ scope: defaultScope });
      const options = { consentId: newConsentId(), received };
      const aggregate = newAggregate();
      const log: CommittedEvent[] = [];
      const commit = async (expectedVersion: number) => {
        const [plain, aggregated] = await store.events.commit(
          [eventsCommit(1), aggregateCommit({ ...aggregate, expectedVersion, events: 1 })],
          { occurred: received },
        );
        log.push(...committedEvents(plain), ...committedEvents(aggregated));
      };

      await commit(0);
      const events = receivedEvents([0, 1]);
      const stored = await subscriptions.receive(key, streamPosition(0), events, options);
      assert.deepEqual(stored, expectedExternalEvents(events, 2, options));
      log.push(...stored);
      await commit(1);
      assert.deepEqual(
        log.map((e) => e.sequenceNumber),
        range(0, 6),
      );
      assert.deepEqual(await readAll(store.events), log);
      assert.equal(await store.events.nextSequenceNumber(defaultScope), 6);
      assert.equal(await store.events.aggregateVersion(aggregate.aggregateRootId, aggregate.eventSourceId), 2);
    });

    it('a filter over the scoped log writes a scoped stream of the external events', async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 10);
      const key = newSubscriptionKey();
      const stored = await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1, 2, 3]), {
        consentId: newConsentId(),
        received,
      });

      const stream = privateStream(key.scope);
      const partition = newPartitionId();
      await streams.append(stream, [...filtered([1, 3], partition), ...filtered([2])], {
        key: filterKeyOf(stream),
        state: unpartitionedState(4),
      });
      assert.deepEqual(await readStream(streams, stream), [
        { position: 0, partition, event: stored[1] },
        { position: 1, partition, event: stored[3] },
        { position: 2, partition: unspecifiedPartition, event: stored[2] },
      ]);
      assert.deepEqual(await processorStates.get(filterKeyOf(stream)), unpartitionedState(4));

      // The scoped log holds 4 events, whatever the default scope's log holds.
      await assert.rejects(
        streams.append(stream, filtered([4]), { key: filterKeyOf(stream), state: unpartitionedState(5) }),
        refusedWith('InvalidArgument', 4),
      );
      assert.equal(await streams.nextPosition(stream), 3);
    });
  });
}
