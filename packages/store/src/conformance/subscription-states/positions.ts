import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asMicroserviceId, createGuid } from '@dolittle-ts/fundamentals';
import type { SubscriptionKey } from '../../index.js';
import { newScopeId, newTenantId, readAll } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import { newPartitionId, newStreamId, streamPosition } from '../processing-builders.js';
import {
  newConsentId,
  newSubscriptionKey,
  receivedEvents,
  refusedWith,
  subscriptionPorts,
} from '../subscription-builders.js';

export function positionCases(fixture: ConformanceFixture): void {
  const options = { consentId: newConsentId(), received: new Date('2024-05-06T07:08:09.010Z') };

  describe('subscription positions', () => {
    it('a new subscription is at position 0, and each receive moves it past its last event', async () => {
      const { subscriptions } = subscriptionPorts(await fixture.freshStore());
      const key = newSubscriptionKey();
      assert.equal(await subscriptions.position(key), 0);

      await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1, 2]), options);
      assert.equal(await subscriptions.position(key), 3);
      await subscriptions.receive(key, streamPosition(3), receivedEvents([3]), options);
      assert.equal(await subscriptions.position(key), 4);
    });

    it("positions may jump: the subscription follows its partition's positions in the public stream", async () => {
      const { subscriptions } = subscriptionPorts(await fixture.freshStore());
      const key = newSubscriptionKey();
      const first = await subscriptions.receive(key, streamPosition(0), receivedEvents([2, 5, 9]), options);
      assert.equal(await subscriptions.position(key), 10);
      const second = await subscriptions.receive(key, streamPosition(10), receivedEvents([40]), options);
      assert.equal(await subscriptions.position(key), 41);
      // The scope's log is dense however far the positions jump.
      assert.deepEqual(
        [...first, ...second].map((e) => e.sequenceNumber),
        [0, 1, 2, 3],
      );
    });

    it('an empty receive at the stored position writes nothing and keeps the position', async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const key = newSubscriptionKey();
      assert.deepEqual(await subscriptions.receive(key, streamPosition(0), [], options), []);
      assert.equal(await subscriptions.position(key), 0);
      assert.equal(await store.events.nextSequenceNumber(key.scope), 0);

      const stored = await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 4]), options);
      assert.deepEqual(await subscriptions.receive(key, streamPosition(5), [], options), []);
      assert.equal(await subscriptions.position(key), 5);
      assert.deepEqual(await readAll(store.events, key.scope), stored);

      // It is checked like any other receive: from a position other than the stored one it is refused.
      await assert.rejects(
        subscriptions.receive(key, streamPosition(3), [], options),
        refusedWith('StoreConsistency', 3, 5),
      );
      assert.equal(await subscriptions.position(key), 5);
    });

    it('each field of the key makes a different subscription', async () => {
      const { subscriptions } = subscriptionPorts(await fixture.freshStore());
      const base = newSubscriptionKey();
      const keys: SubscriptionKey[] = [
        base,
        { ...base, producerMicroservice: asMicroserviceId(createGuid()) },
        { ...base, producerTenant: newTenantId() },
        { ...base, stream: newStreamId() },
        { ...base, partition: newPartitionId() },
        { ...base, scope: newScopeId() },
      ];
      // Subscription #i receives i + 1 events.
      for (const [i, key] of keys.entries()) {
        await subscriptions.receive(
          key,
          streamPosition(0),
          receivedEvents(Array.from({ length: i + 1 }, (_, n) => n)),
          options,
        );
      }
      for (const [i, key] of keys.entries()) assert.equal(await subscriptions.position(key), i + 1, `key #${i}`);
      assert.equal(await subscriptions.position(newSubscriptionKey({ scope: base.scope })), 0);
    });
  });
}
