import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope } from '@dolittle-ts/fundamentals';
import { committedEvents, eventsCommit, newTenantId, readAll } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import { seedEventLog, streamPosition } from '../processing-builders.js';
import {
  newConsentId,
  newSubscriptionKey,
  receivedEvents,
  refusedWith,
  subscriptionPorts,
} from '../subscription-builders.js';

export function persistenceCases(fixture: ConformanceFixture): void {
  const options = { consentId: newConsentId(), received: new Date('2024-05-06T07:08:09.010Z') };

  describe('persistence and tenancy', () => {
    it('positions and received events survive close and open, and receiving goes on from where it was', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const first = await fixture.open(provider, tenant);
      const committed = await seedEventLog(first.events, 2);
      const a = newSubscriptionKey();
      const b = newSubscriptionKey({ scope: a.scope });
      const written = subscriptionPorts(first).subscriptions;
      await written.receive(a, streamPosition(0), receivedEvents([0, 3, 4]), options);
      await written.receive(b, streamPosition(0), receivedEvents([1]), options);
      const before = await readAll(first.events, a.scope);
      await first.close();

      const second = await fixture.open(provider, tenant);
      const { subscriptions } = subscriptionPorts(second);
      assert.equal(await subscriptions.position(a), 5);
      assert.equal(await subscriptions.position(b), 2);
      assert.deepEqual(await readAll(second.events, a.scope), before);
      assert.equal(await second.events.nextSequenceNumber(a.scope), 4);
      await assert.rejects(
        subscriptions.receive(a, streamPosition(0), receivedEvents([0]), options),
        refusedWith('StoreConsistency', 0, 5),
      );
      const next = await subscriptions.receive(a, streamPosition(5), receivedEvents([5, 6]), options);
      assert.deepEqual(
        next.map((e) => e.sequenceNumber),
        [4, 5],
      );
      assert.deepEqual(await readAll(second.events), committed);
      await second.close();

      const third = await fixture.open(provider, tenant);
      assert.equal(await subscriptionPorts(third).subscriptions.position(a), 7);
      assert.deepEqual(await readAll(third.events, a.scope), [...before, ...next]);
      assert.equal(await third.events.nextSequenceNumber(defaultScope), 2);
      const more = committedEvents((await third.events.commit([eventsCommit(1)], { occurred: options.received }))[0]);
      assert.equal(more[0]?.sequenceNumber, 2);
    });

    it('keeps tenants apart: one subscription key in two tenants has two positions and two logs', async () => {
      const provider = await fixture.provider();
      const [storeA, storeB] = [
        await fixture.open(provider, newTenantId()),
        await fixture.open(provider, newTenantId()),
      ];
      const key = newSubscriptionKey();
      const inA = await subscriptionPorts(storeA).subscriptions.receive(
        key,
        streamPosition(0),
        receivedEvents([0, 1, 2]),
        options,
      );
      const subscriptionsB = subscriptionPorts(storeB).subscriptions;
      assert.equal(await subscriptionsB.position(key), 0);
      assert.equal(await storeB.events.nextSequenceNumber(key.scope), 0);

      const inB = await subscriptionsB.receive(key, streamPosition(0), receivedEvents([0]), options);
      assert.deepEqual(
        inB.map((e) => e.sequenceNumber),
        [0],
      );
      assert.equal(await subscriptionsB.position(key), 1);
      assert.equal(await subscriptionPorts(storeA).subscriptions.position(key), 3);
      assert.deepEqual(await readAll(storeA.events, key.scope), inA);
      assert.deepEqual(await readAll(storeB.events, key.scope), inB);
    });
  });
}
