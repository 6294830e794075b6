import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, StoreLocked } from '@dolittle-ts/fundamentals';
import { committedEvents, eventsCommit, newTenantId, readAll } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

function assertStoreLocked(error: unknown): true {
  assert.ok(error instanceof StoreLocked, `expected StoreLocked, got ${String(error)}`);
  assert.equal(error.code, 'StoreLocked');
  return true;
}

export function storeLifecycleCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-05-06T07:08:09.010Z');
  const noLock = !fixture.harness.supportsWriterLock && 'this storage has no writer lock';

  describe('store lifecycle', () => {
    it('close() is idempotent', async () => {
      const store = await fixture.freshStore();
      await store.events.commit([eventsCommit(1)], { occurred });
      await store.close();
      await store.close();
      await Promise.all([store.close(), store.close()]);
    });

    it('refuses a second open of an open tenant from another provider with StoreLocked', { skip: noLock }, async () => {
      const first = await fixture.provider();
      const tenant = newTenantId();
      const holder = await fixture.open(first, tenant);
      const before = (await holder.events.commit([eventsCommit(2)], { occurred })).flatMap(committedEvents);

      const second = await fixture.providerOnSameStorage(first);
      await assert.rejects(second.open(tenant), assertStoreLocked);

      // The refused opener changed nothing: the holder goes on writing, and other tenants open fine.
      const after = committedEvents((await holder.events.commit([eventsCommit(1)], { occurred }))[0]);
      assert.equal(after[0]?.sequenceNumber, 2);
      await fixture.open(second, newTenantId());

      await holder.close();
      const successor = await fixture.open(second, tenant);
      assert.equal(await successor.events.nextSequenceNumber(defaultScope), 3);
      assert.deepEqual(await readAll(successor.events), [...before, ...after]);
    });

    it('refuses a second open of an open tenant from the same provider with StoreLocked', {
      skip: noLock,
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const holder = await fixture.open(provider, tenant);
      await assert.rejects(provider.open(tenant), assertStoreLocked);
      await holder.close();
      const successor = await fixture.open(provider, tenant);
      assert.equal(await successor.events.nextSequenceNumber(defaultScope), 0);
    });
  });
}
