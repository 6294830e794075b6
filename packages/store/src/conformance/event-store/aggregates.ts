import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, EventStore } from '../../index.js';
import {
  type AggregateIdentity,
  aggregateCommit,
  buildAggregateEvent,
  buildEvent,
  commitFailure,
  committedEvents,
  eventsCommit,
  newAggregate,
  newAggregateRootId,
  newEventSourceId,
  range,
  readAll,
} from '../builders.js';
import type { ConformanceFixture } from '../harness.js';

export function aggregateCases(fixture: ConformanceFixture): void {
  const occurred = new Date('2024-05-06T07:08:09.010Z');
  const versionOf = (events: EventStore, a: AggregateIdentity) =>
    events.aggregateVersion(a.aggregateRootId, a.eventSourceId);

  /** Brings a new aggregate to `version` with events of its own; returns them. */
  async function aggregateAt(events: EventStore, a: AggregateIdentity, version: number) {
    if (version === 0) return [];
    return committedEvents(
      (await events.commit([aggregateCommit({ ...a, expectedVersion: 0, events: version })], { occurred }))[0],
    );
  }

  describe('aggregates', () => {
    it('version each event expected + i and move the aggregate to expected + n', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const first = committedEvents(
        (await events.commit([aggregateCommit({ ...a, expectedVersion: 0, events: 3 })], { occurred }))[0],
      );
      assert.deepEqual(
        first.map((e) => e.aggregate),
        range(0, 3).map((version) => ({ rootId: a.aggregateRootId, version })),
      );
      assert.ok(first.every((e) => e.eventSourceId === a.eventSourceId));
      assert.equal(await versionOf(events, a), 3);

      const second = committedEvents(
        (await events.commit([aggregateCommit({ ...a, expectedVersion: 3, events: 2 })], { occurred }))[0],
      );
      assert.deepEqual(
        second.map((e) => e.aggregate?.version),
        [3, 4],
      );
      assert.equal(await versionOf(events, a), 5);
    });

    for (const [what, expected] of [
      ['stale', 1],
      ['zero (new-aggregate)', 0],
      ['future', 4],
      ['far future', 1000],
    ] as const) {
      it(`refuse a ${what} expected version with AggregateRootConcurrencyConflict and write nothing`, async () => {
        const { events } = await fixture.freshStore();
        const a = newAggregate();
        const before = await aggregateAt(events, a, 2);
        const outcomes = await events.commit([aggregateCommit({ ...a, expectedVersion: expected, events: 2 })], {
          occurred,
        });
        assert.deepEqual(commitFailure(outcomes[0]), { kind: 'AggregateRootConcurrencyConflict', expected, actual: 2 });
        assert.equal(await versionOf(events, a), 2);
        assert.equal(await events.nextSequenceNumber(defaultScope), 2);
        assert.deepEqual(await readAll(events), before);
      });
    }

    it('refuse a non-zero expected version for an aggregate that has no events', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const outcomes = await events.commit([aggregateCommit({ ...a, expectedVersion: 1, events: 1 })], { occurred });
      assert.deepEqual(commitFailure(outcomes[0]), {
        kind: 'AggregateRootConcurrencyConflict',
        expected: 1,
        actual: 0,
      });
      assert.equal(await versionOf(events, a), 0);
      assert.equal(await events.nextSequenceNumber(defaultScope), 0);
    });

    for (const base of [0, 3]) {
      it(`let exactly one of 16 commits at the same expected version ${base} in one batch win`, async () => {
        const { events } = await fixture.freshStore();
        const a = newAggregate();
        await aggregateAt(events, a, base);
        const outcomes = await events.commit(
          range(0, 16).map(() => aggregateCommit({ ...a, expectedVersion: base, events: 2 })),
          { occurred },
        );
        const winners = outcomes.filter((o) => o.ok);
        assert.equal(winners.length, 1);
        assert.ok(outcomes[0]?.ok, 'the first commit of the batch is the one that wins');
        for (const outcome of outcomes.slice(1)) {
          assert.deepEqual(commitFailure(outcome), {
            kind: 'AggregateRootConcurrencyConflict',
            expected: base,
            actual: base + 2,
          });
        }
        assert.equal(await versionOf(events, a), base + 2);
        assert.equal(await events.nextSequenceNumber(defaultScope), base + 2);
      });

      it(`let exactly one of 16 concurrent commit calls at the same expected version ${base} win`, async () => {
        const { events } = await fixture.freshStore();
        const a = newAggregate();
        await aggregateAt(events, a, base);
        const calls = range(0, 16).map((i) =>
          aggregateCommit({ ...a, expectedVersion: base, events: [buildAggregateEvent({ content: `{"call":${i}}` })] }),
        );
        const outcomes = (await Promise.all(calls.map((commit) => events.commit([commit], { occurred })))).map(
          (o) => o[0],
        );
        const winners = outcomes.flatMap((o, i) => (o?.ok ? [i] : []));
        assert.equal(winners.length, 1, `exactly one call wins, ${winners.length} did`);
        for (const outcome of outcomes) {
          if (outcome?.ok) continue;
          assert.deepEqual(commitFailure(outcome), {
            kind: 'AggregateRootConcurrencyConflict',
            expected: base,
            actual: base + 1,
          });
        }
        const fetched = await events.fetchForAggregate(a.aggregateRootId, a.eventSourceId);
        assert.equal(fetched.version, base + 1);
        assert.equal(fetched.events.at(-1)?.content, `{"call":${winners[0]}}`);
        assert.equal(await events.nextSequenceNumber(defaultScope), base + 1);
      });
    }

    it('answer commits with no events with NoEventsToCommit and change neither version nor log', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const before = await aggregateAt(events, a, 3);
      const outcomes = await events.commit(
        [
          eventsCommit([]),
          aggregateCommit({ ...a, expectedVersion: 3, events: [] }),
          aggregateCommit({ ...a, expectedVersion: 0, events: [] }),
          aggregateCommit({ ...a, expectedVersion: 7, events: [] }),
          aggregateCommit({ ...newAggregate(), expectedVersion: 0, events: [] }),
        ],
        { occurred },
      );
      for (const outcome of outcomes) assert.deepEqual(commitFailure(outcome), { kind: 'NoEventsToCommit' });
      assert.equal(await versionOf(events, a), 3);
      assert.equal(await events.nextSequenceNumber(defaultScope), 3);
      assert.deepEqual(await readAll(events), before);
    });

    it('never lower a version through an empty or failed commit', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      await aggregateAt(events, a, 3);
      await events.commit(
        [
          aggregateCommit({ ...a, expectedVersion: 0, events: [] }),
          aggregateCommit({ ...a, expectedVersion: 0, events: 1 }),
          aggregateCommit({ ...a, expectedVersion: 1, events: 1 }),
        ],
        { occurred },
      );
      assert.equal(await versionOf(events, a), 3);
      const next = committedEvents(
        (await events.commit([aggregateCommit({ ...a, expectedVersion: 3, events: 1 })], { occurred }))[0],
      );
      assert.deepEqual(
        next.map((e) => e.aggregate?.version),
        [3],
      );
      assert.equal(await versionOf(events, a), 4);
    });

    it('keep a version per (aggregate root, event source) pair', async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const sameSourceOtherRoot = { ...a, aggregateRootId: newAggregateRootId() };
      const sameRootOtherSource = { ...a, eventSourceId: newEventSourceId() };
      const outcomes = await events.commit(
        [
          aggregateCommit({ ...a, expectedVersion: 0, events: 3 }),
          aggregateCommit({ ...sameSourceOtherRoot, expectedVersion: 0, events: 1 }),
          aggregateCommit({ ...sameRootOtherSource, expectedVersion: 0, events: 2 }),
          eventsCommit([buildEvent({ eventSourceId: a.eventSourceId })]),
        ],
        { occurred },
      );
      outcomes.forEach(committedEvents);
      assert.equal(await versionOf(events, a), 3);
      assert.equal(await versionOf(events, sameSourceOtherRoot), 1);
      assert.equal(await versionOf(events, sameRootOtherSource), 2);
    });

    it('report version 0 for an aggregate that has no events', async () => {
      const { events } = await fixture.freshStore();
      assert.equal(await versionOf(events, newAggregate()), 0);
    });
  });

  describe('fetchForAggregate', () => {
    it("returns exactly that aggregate's events, in version order, with its version", async () => {
      const { events } = await fixture.freshStore();
      const a = newAggregate();
      const sameSourceOtherRoot = { ...a, aggregateRootId: newAggregateRootId() };
      const sameRootOtherSource = { ...a, eventSourceId: newEventSourceId() };
      const own: CommittedEvent[] = [];
      let version = 0;
      for (let round = 0; round < 4; round++) {
        const outcomes = await events.commit(
          [
            eventsCommit([buildEvent({ eventSourceId: a.eventSourceId, content: `{"plain":${round}}` })]),
            aggregateCommit({ ...sameSourceOtherRoot, expectedVersion: round, events: 1 }),
            aggregateCommit({ ...a, expectedVersion: version, events: round + 1 }),
            aggregateCommit({ ...sameRootOtherSource, expectedVersion: round, events: 1 }),
          ],
          { occurred: new Date(occurred.getTime() + round) },
        );
        outcomes.forEach(committedEvents);
        own.push(...committedEvents(outcomes[2]));
        version += round + 1;
      }
      const fetched = await events.fetchForAggregate(a.aggregateRootId, a.eventSourceId);
      assert.equal(fetched.version, version);
      assert.deepEqual(fetched.events, own);
      assert.deepEqual(
        fetched.events.map((e) => e.aggregate?.version),
        range(0, version),
      );
    });

    it('returns version 0 and no events for an unknown aggregate', async () => {
      const { events } = await fixture.freshStore();
      await events.commit([eventsCommit(2)], { occurred });
      const a = newAggregate();
      assert.deepEqual(await events.fetchForAggregate(a.aggregateRootId, a.eventSourceId), { version: 0, events: [] });
    });
  });
}
