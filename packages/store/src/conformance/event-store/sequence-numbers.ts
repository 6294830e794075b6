import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '../../index.js';
import { committedEvents, eventsCommit, newScopeId, newTenantId, range, readAll, sequenceNumber } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

export function sequenceNumberCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-05-06T07:08:09.010Z');

  describe('sequence numbers', () => {
    it('start at 0 in an empty store', async () => {
      const { events } = await fixture.freshStore();
      assert.equal(await events.nextSequenceNumber(defaultScope), 0);
      assert.deepEqual(await events.read(defaultScope, { from: sequenceNumber(0), limit: 10 }), []);
    });

    it('are dense, 0-based and in commit order across many batches', async () => {
      const { events } = await fixture.freshStore();
      const committed: CommittedEvent[] = [];
      for (let b = 0; b < 30; b++) {
        const batch = range(0, 1 + (b % 4)).map((c) => eventsCommit(1 + ((b + c) % 3)));
        const outcomes = await events.commit(batch, { occurred });
        assert.equal(outcomes.length, batch.length);
        for (const outcome of outcomes) committed.push(...committedEvents(outcome));
      }
      assert.deepEqual(
        committed.map((e) => e.sequenceNumber),
        range(0, committed.length),
      );
      assert.equal(await events.nextSequenceNumber(defaultScope), committed.length);
      assert.deepEqual(await readAll(events), committed);
    });

    it('stay dense when many commit calls run at once, each batch in one run', async () => {
      const { events } = await fixture.freshStore();
      const batches = await Promise.all(
        range(0, 20).map((i) => events.commit([eventsCommit(1 + (i % 3)), eventsCommit(2)], { occurred })),
      );
      const all = batches.flatMap((outcomes) => outcomes.flatMap(committedEvents));
      for (const outcomes of batches) {
        const numbers = outcomes.flatMap(committedEvents).map((e) => e.sequenceNumber);
        assert.deepEqual(numbers, range(numbers[0] ?? -1, numbers.length), 'a batch is written as one run');
      }
      const inLogOrder = [...all].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
      assert.deepEqual(
        inLogOrder.map((e) => e.sequenceNumber),
        range(0, all.length),
      );
      assert.deepEqual(await readAll(events), inLogOrder);
    });

    it('are kept per scope: commits go to the default scope and leave other scopes empty', async () => {
      const { events } = await fixture.freshStore();
      await events.commit([eventsCommit(3)], { occurred });
      const other = newScopeId();
      assert.equal(await events.nextSequenceNumber(other), 0);
      assert.deepEqual(await events.read(other, { from: sequenceNumber(0), limit: 10 }), []);
      assert.equal(await events.nextSequenceNumber(defaultScope), 3);
    });

    it('continue where they were after the store is closed and opened again', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const first = await fixture.open(provider, tenant);
      const before = [
        ...(await first.events.commit([eventsCommit(2), eventsCommit(3)], { occurred })).flatMap(committedEvents),
      ];
      await first.close();

      const second = await fixture.open(provider, tenant);
      assert.equal(await second.events.nextSequenceNumber(defaultScope), 5);
      assert.deepEqual(await readAll(second.events), before);
      const after = committedEvents((await second.events.commit([eventsCommit(3)], { occurred }))[0]);
      assert.deepEqual(
        after.map((e) => e.sequenceNumber),
        [5, 6, 7],
      );
      await second.close();

      if (fixture.harness.createProviderOnSameStorage === undefined) return;
      const otherProvider = await fixture.providerOnSameStorage(provider);
      const third = await fixture.open(otherProvider, tenant);
      assert.equal(await third.events.nextSequenceNumber(defaultScope), 8);
      assert.deepEqual(await readAll(third.events), [...before, ...after]);
      const last = committedEvents((await third.events.commit([eventsCommit(1)], { occurred }))[0]);
      assert.deepEqual(
        last.map((e) => e.sequenceNumber),
        [8],
      );
    });
  });
}
