import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope } from '@dolittle-ts/fundamentals';
import {
  aggregateCommit,
  buildEvent,
  committedEvents,
  eventsCommit,
  newAggregate,
  newTenantId,
  readAll,
} from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

export function tenancyCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-05-06T07:08:09.010Z');

  describe('tenancy', () => {
    it("keeps tenants apart: two tenants of one provider never see each other's events", async () => {
      const provider = await fixture.provider();
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      assert.notEqual(provider.locationOf(tenantA), provider.locationOf(tenantB));
      const storeA = await fixture.open(provider, tenantA);
      const storeB = await fixture.open(provider, tenantB);
      assert.equal(storeA.tenantId, tenantA);
      assert.equal(storeB.tenantId, tenantB);

      const shared = newAggregate();
      const inA = (
        await storeA.events.commit(
          [
            aggregateCommit({ ...shared, expectedVersion: 0, events: 2 }),
            eventsCommit([buildEvent({ eventSourceId: shared.eventSourceId, content: '{"tenant":"a"}' })]),
          ],
          { occurred },
        )
      ).flatMap(committedEvents);
      assert.equal(await storeB.events.nextSequenceNumber(defaultScope), 0);
      assert.deepEqual(await storeB.events.read(defaultScope, { from: inA[0]!.sequenceNumber, limit: 10 }), []);
      assert.equal(await storeB.events.aggregateVersion(shared.aggregateRootId, shared.eventSourceId), 0);
      assert.deepEqual(await storeB.events.fetchForAggregate(shared.aggregateRootId, shared.eventSourceId), {
        version: 0,
        events: [],
      });

      // The same aggregate in tenant B starts from version 0 and sequence number 0.
      const inB = committedEvents(
        (await storeB.events.commit([aggregateCommit({ ...shared, expectedVersion: 0, events: 1 })], { occurred }))[0],
      );
      assert.deepEqual(
        inB.map((e) => [e.sequenceNumber, e.aggregate?.version]),
        [[0, 0]],
      );
      assert.deepEqual(await readAll(storeA.events), inA);
      assert.deepEqual(await readAll(storeB.events), inB);
      assert.equal(await storeA.events.aggregateVersion(shared.aggregateRootId, shared.eventSourceId), 2);
      assert.equal(await storeB.events.aggregateVersion(shared.aggregateRootId, shared.eventSourceId), 1);
    });
  });
}
