import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommittedEvent, ReceivedEvent, SubscriptionKey, SubscriptionStates, TenantStore } from '../../index.js';
import { readAll, sequenceNumber } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import { streamPosition } from '../processing-builders.js';
import {
  newConsentId,
  newSubscriptionKey,
  receivedEvent,
  receivedEvents,
  refusedWith,
  subscriptionPorts,
} from '../subscription-builders.js';

export function refusalCases(fixture: ConformanceFixture): void {
  const options = { consentId: newConsentId(), received: new Date('2024-05-06T07:08:09.010Z') };

  /** A store with a subscription that has received events at positions 0 and 1 (so it is at 2). */
  async function subscribed() {
    const store = await fixture.freshStore();
    const { subscriptions } = subscriptionPorts(store);
    const key = newSubscriptionKey();
    const stored = await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1]), options);
    return { store, subscriptions, key, stored };
  }

  /** Checks that nothing changed: the subscription is still at `position` and the scope's log holds `log`. */
  async function assertUnchanged(
    store: TenantStore,
    subscriptions: SubscriptionStates,
    key: SubscriptionKey,
    expected: { readonly position: number; readonly log: readonly CommittedEvent[] },
    what: string,
  ): Promise<void> {
    assert.equal(await subscriptions.position(key), expected.position, `${what}: position`);
    assert.deepEqual(await readAll(store.events, key.scope), expected.log, `${what}: the scope's log`);
  }

  describe('refused receives', () => {
    it('refuses a receive from any position but the stored one with StoreConsistency, naming both, and writes nothing', async () => {
      const { store, subscriptions, key, stored } = await subscribed();
      for (const from of [0, 1, 3, 1_000_000]) {
        await assert.rejects(
          subscriptions.receive(key, streamPosition(from), receivedEvents([from + 5, from + 6]), options),
          refusedWith('StoreConsistency', from, 2),
        );
        await assertUnchanged(store, subscriptions, key, { position: 2, log: stored }, `from ${from}`);
      }

      // The subscription goes on from its stored position, and the log without a gap.
      const next = await subscriptions.receive(key, streamPosition(2), receivedEvents([2]), options);
      assert.deepEqual(
        next.map((e) => e.sequenceNumber),
        [2],
      );
      assert.equal(await subscriptions.position(key), 3);
    });

    it('of concurrent receives from one position exactly one is stored', async () => {
      const store = await fixture.freshStore();
      const { subscriptions } = subscriptionPorts(store);
      const key = newSubscriptionKey();
      const attempts = Array.from({ length: 8 }, (_, i) => [
        receivedEvent(0, { content: `{"writer":${i},"n":0}` }),
        receivedEvent(1, { content: `{"writer":${i},"n":1}` }),
      ]);
      const results = await Promise.allSettled(
        attempts.map((events) => subscriptions.receive(key, streamPosition(0), events, options)),
      );
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(won.length, 1, `exactly one receive is stored, not ${won.length}`);
      for (const result of results) {
        if (result.status === 'rejected') refusedWith('StoreConsistency', 0, 2)(result.reason);
      }
      assert.deepEqual(await readAll(store.events, key.scope), won[0]);
      assert.equal(await subscriptions.position(key), 2);
    });

    it('refuses malformed events and received times with InvalidArgument, and writes nothing', async () => {
      const { store, subscriptions, key, stored } = await subscribed();
      const refusals: { what: string; events: ReceivedEvent[]; received?: Date }[] = [
        { what: 'a position before from', events: [receivedEvent(1)] },
        { what: 'a repeated position', events: [receivedEvent(2), receivedEvent(3), receivedEvent(3)] },
        { what: 'a position going back', events: [receivedEvent(2), receivedEvent(5), receivedEvent(4)] },
        { what: 'a fractional position', events: [receivedEvent(2), receivedEvent(2.5)] },
        {
          what: 'a negative producer sequence number',
          events: [receivedEvent(2), receivedEvent(3, { producerSequenceNumber: sequenceNumber(-1) })],
        },
        {
          what: 'a fractional producer sequence number',
          events: [receivedEvent(2), receivedEvent(3, { producerSequenceNumber: sequenceNumber(1.5) })],
        },
        {
          what: 'an invalid occurred time',
          events: [receivedEvent(2), receivedEvent(3, { occurred: new Date(Number.NaN) })],
        },
        { what: 'an invalid received time', events: receivedEvents([2, 3]), received: new Date(Number.NaN) },
      ];
      for (const { what, events, received } of refusals) {
        await assert.rejects(
          subscriptions.receive(key, streamPosition(2), events, { ...options, received: received ?? options.received }),
          refusedWith('InvalidArgument'),
          what,
        );
        await assertUnchanged(store, subscriptions, key, { position: 2, log: stored }, what);
      }

      const next = await subscriptions.receive(key, streamPosition(2), receivedEvents([2, 3]), options);
      assert.deepEqual(
        next.map((e) => e.sequenceNumber),
        [2, 3],
      );
    });
  });
}
