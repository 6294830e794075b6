import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '../../index.js';
import { aggregateCommit, committedEvents, eventsCommit, newAggregate, range, sequenceNumber } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

export function readingCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-05-06T07:08:09.010Z');

  describe('reading the event log', () => {
    it('pages with from and limit, in sequence order, never past the end', async () => {
      const { events } = await fixture.freshStore();
      const all: CommittedEvent[] = [];
      for (const size of [10, 7, 8]) {
        all.push(...(await events.commit([eventsCommit(size)], { occurred })).flatMap(committedEvents));
      }
      assert.equal(all.length, 25);

      const paged: CommittedEvent[] = [];
      while (paged.length < all.length) {
        const page = await events.read(defaultScope, { from: sequenceNumber(paged.length), limit: 10 });
        assert.ok(page.length > 0 && page.length <= 10, `a page holds 1..10 events, this one ${page.length}`);
        assert.deepEqual(
          page.map((e) => e.sequenceNumber),
          range(paged.length, page.length),
        );
        paged.push(...page);
      }
      assert.deepEqual(paged, all);

      assert.deepEqual(await events.read(defaultScope, { from: sequenceNumber(7), limit: 1 }), [all[7]]);
      assert.deepEqual(await events.read(defaultScope, { from: sequenceNumber(20), limit: 100 }), all.slice(20));
      assert.deepEqual(await events.read(defaultScope, { from: sequenceNumber(25), limit: 10 }), []);
      assert.deepEqual(await events.read(defaultScope, { from: sequenceNumber(1000), limit: 10 }), []);
    });

    it('nextSequenceNumber counts the events in the log, and failed commits add none', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      assert.equal(await events.nextSequenceNumber(defaultScope), 0);
      await events.commit([eventsCommit(3)], { occurred });
      assert.equal(await events.nextSequenceNumber(defaultScope), 3);
      await events.commit([eventsCommit([]), aggregateCommit({ ...a, expectedVersion: 5, events: 2 })], { occurred });
      assert.equal(await events.nextSequenceNumber(defaultScope), 3);
      await events.commit([aggregateCommit({ ...a, expectedVersion: 0, events: 2 })], { occurred });
      assert.equal(await events.nextSequenceNumber(defaultScope), 5);
    });
  });
}
