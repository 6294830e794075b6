import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope } from '@dolittle-ts/fundamentals';
import {
  aggregateCommit,
  commitFailure,
  committedEvents,
  eventsCommit,
  newAggregate,
  range,
  readAll,
  sequenceNumber,
} from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

export function commitBatchCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-05-06T07:08:09.010Z');

  describe('commit batches', () => {
    it('write each commit on its own: a conflict in the middle writes nothing and leaves no gap', async () => {
      const { events } = await fixture.freshStore();
      const aggregate = newAggregate();
      committedEvents(
        (await events.commit([aggregateCommit({ ...aggregate, expectedVersion: 0, events: 2 })], { occurred }))[0],
      );

      const outcomes = await events.commit(
        [eventsCommit(2), aggregateCommit({ ...aggregate, expectedVersion: 0, events: 1 }), eventsCommit(3)],
        { occurred },
      );
      assert.equal(outcomes.length, 3);
      const first = committedEvents(outcomes[0]);
      const third = committedEvents(outcomes[2]);
      assert.deepEqual(
        first.map((e) => e.sequenceNumber),
        [2, 3],
      );
      assert.deepEqual(commitFailure(outcomes[1]), {
        kind: 'AggregateRootConcurrencyConflict',
        expected: 0,
        actual: 2,
      });
      assert.deepEqual(
        third.map((e) => e.sequenceNumber),
        [4, 5, 6],
      );
      assert.equal(await events.nextSequenceNumber(defaultScope), 7);
      assert.deepEqual(await events.read(defaultScope, { from: sequenceNumber(2), limit: 100 }), [...first, ...third]);
      assert.equal(await events.aggregateVersion(aggregate.aggregateRootId, aggregate.eventSourceId), 2);
    });

    it('answer an empty commit in the middle with NoEventsToCommit and leave no gap', async () => {
      const { events } = await fixture.freshStore();
      const outcomes = await events.commit([eventsCommit(2), eventsCommit([]), eventsCommit(1)], { occurred });
      assert.deepEqual(
        committedEvents(outcomes[0]).map((e) => e.sequenceNumber),
        [0, 1],
      );
      assert.deepEqual(commitFailure(outcomes[1]), { kind: 'NoEventsToCommit' });
      assert.deepEqual(
        committedEvents(outcomes[2]).map((e) => e.sequenceNumber),
        [2],
      );
      assert.equal(await events.nextSequenceNumber(defaultScope), 3);
    });

    it('process commits in array order: a later commit sees what an earlier one of the batch wrote', async () => {
      const { events } = await fixture.freshStore();
      const aggregate = newAggregate();
      const outcomes = await events.commit(
        [
          aggregateCommit({ ...aggregate, expectedVersion: 0, events: 2 }),
          aggregateCommit({ ...aggregate, expectedVersion: 2, events: 1 }),
          aggregateCommit({ ...aggregate, expectedVersion: 0, events: 1 }),
          aggregateCommit({ ...aggregate, expectedVersion: 3, events: 2 }),
        ],
        { occurred },
      );
      assert.deepEqual(
        committedEvents(outcomes[0]).map((e) => e.aggregate?.version),
        [0, 1],
      );
      assert.deepEqual(
        committedEvents(outcomes[1]).map((e) => e.aggregate?.version),
        [2],
      );
      assert.deepEqual(commitFailure(outcomes[2]), {
        kind: 'AggregateRootConcurrencyConflict',
        expected: 0,
        actual: 3,
      });
      assert.deepEqual(
        committedEvents(outcomes[3]).map((e) => [e.sequenceNumber, e.aggregate?.version]),
        [
          [3, 3],
          [4, 4],
        ],
      );
      assert.equal(await events.aggregateVersion(aggregate.aggregateRootId, aggregate.eventSourceId), 5);
    });

    it('write nothing when every commit of the batch fails', async () => {
      const { events } = await fixture.freshStore();
      const aggregate = newAggregate();
      await events.commit([eventsCommit(2)], { occurred });
      const before = await readAll(events);
      const outcomes = await events.commit(
        [
          eventsCommit([]),
          aggregateCommit({ ...aggregate, expectedVersion: 1, events: 2 }),
          aggregateCommit({ ...aggregate, expectedVersion: 0, events: [] }),
        ],
        { occurred },
      );
      assert.deepEqual(
        outcomes.map((o) => commitFailure(o).kind),
        ['NoEventsToCommit', 'AggregateRootConcurrencyConflict', 'NoEventsToCommit'],
      );
      assert.equal(await events.nextSequenceNumber(defaultScope), 2);
      assert.deepEqual(await readAll(events), before);
      assert.equal(await events.aggregateVersion(aggregate.aggregateRootId, aggregate.eventSourceId), 0);
      const next = committedEvents((await events.commit([eventsCommit(1)], { occurred }))[0]);
      assert.deepEqual(
        next.map((e) => e.sequenceNumber),
        [2],
      );
    });

    it('answer an empty batch with no outcomes and write nothing', async () => {
      const { events } = await fixture.freshStore();
      await events.commit([eventsCommit(1)], { occurred });
      assert.deepEqual(await events.commit([], { occurred }), []);
      assert.equal(await events.nextSequenceNumber(defaultScope), 1);
    });

    it('give a large batch one dense run of sequence numbers', async () => {
      const { events } = await fixture.freshStore();
      const outcomes = await events.commit(
        range(0, 100).map(() => eventsCommit(10)),
        { occurred },
      );
      const all = outcomes.flatMap(committedEvents);
      assert.deepEqual(
        all.map((e) => e.sequenceNumber),
        range(0, 1000),
      );
      assert.deepEqual(await readAll(events, defaultScope, 250), all);
    });
  });
}
