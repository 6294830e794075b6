import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, StreamEvent } from '../../index.js';
import {
  aggregateCommit,
  buildAggregateEvent,
  buildEvent,
  buildExecutionContext,
  committedEvents,
  eventsCommit,
  newAggregate,
  newArtifact,
  range,
  readAll,
} from '../builders.js';
import { megabyteDocument, richExecutionContext } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import {
  filtered,
  filterKeyOf,
  newPartitionId,
  partitionedState,
  privateStream,
  processingPorts,
  readStream,
  seedEventLog,
  streamPosition,
  unpartitionedState,
} from '../processing-builders.js';

export function readingCases(fixture: ConformanceFixture): void {
  describe('reading a stream', () => {
    it('returns the referenced events with the same data the event log gives, with partition and position', async () => {
      const store = await fixture.freshStore();
      const { events } = store;
      const { streams } = processingPorts(store);
      const a = newAggregate();
      const occurred = new Date('2024-02-29T23:59:59.987Z');
      const outcomes = await events.commit(
        [
          eventsCommit(
            [
              buildEvent({ type: newArtifact(0), public: true, content: '{"first":1}' }),
              buildEvent({ type: newArtifact(4294967295), content: '{"b":1,"a":2, "spaced" :\t[ 1 ]}\n' }),
              buildEvent({ content: megabyteDocument() }),
            ],
            richExecutionContext('Production'),
          ),
          aggregateCommit({
            ...a,
            expectedVersion: 0,
            events: [
              buildAggregateEvent({ public: true, content: '{"æøå":"日本語 🎉"}' }),
              buildAggregateEvent({ type: newArtifact(2147483647), content: 'null' }),
            ],
            executionContext: richExecutionContext('Staging'),
          }),
          eventsCommit(2, buildExecutionContext({ claims: [], environment: '' })),
        ],
        { occurred },
      );
      const committed = outcomes.flatMap(committedEvents);
      assert.equal(committed.length, 7);

      const [p, q] = [newPartitionId(), newPartitionId()];
      const stream = privateStream();
      const entries = [...filtered([0], p), ...filtered([2, 3], q), ...filtered([4]), ...filtered([6], p)];
      await streams.append(stream, entries, { key: filterKeyOf(stream), state: partitionedState(7) });
      // A second stream refers to some of the same events: streams refer to events, they do not own them.
      const other = privateStream();
      await streams.append(other, filtered([3, 5]), { key: filterKeyOf(other), state: unpartitionedState(7) });

      const logged = await readAll(events, defaultScope, 3);
      const read = await readStream(streams, stream, { pageSize: 2 });
      assert.deepEqual(
        read,
        entries.map((entry, position) => ({
          position,
          partition: entry.partition,
          event: logged[entry.sequenceNumber],
        })),
      );
      for (const streamEvent of read) {
        const [fromLog] = await events.read(defaultScope, { from: streamEvent.event.sequenceNumber, limit: 1 });
        assert.deepEqual(streamEvent.event, fromLog);
        assert.deepEqual(streamEvent.event, committed[streamEvent.event.sequenceNumber]);
      }
      assert.deepEqual(await readStream(streams, other), [
        { position: 0, partition: unspecifiedPartition, event: committed[3] },
        { position: 1, partition: unspecifiedPartition, event: committed[5] },
      ]);
    });

    it('pages with from and limit, in position order, never past the end', async () => {
      const store = await fixture.freshStore();
      const { streams } = processingPorts(store);
      const committed = await seedEventLog(store.events, 60);
      const stream = privateStream();
      const numbers = range(0, 25).map((i) => 2 * i + 1);
      for (const chunk of [numbers.slice(0, 10), numbers.slice(10, 17), numbers.slice(17)]) {
        await streams.append(stream, filtered(chunk), { key: filterKeyOf(stream), state: unpartitionedState(60) });
      }
      const all: StreamEvent[] = numbers.map((n, position) => ({
        position: streamPosition(position),
        partition: unspecifiedPartition,
        event: committed[n] as CommittedEvent,
      }));

      const paged: StreamEvent[] = [];
      while (paged.length < all.length) {
        const page = await streams.read(stream, { from: streamPosition(paged.length), limit: 10 });
        assert.ok(page.length > 0 && page.length <= 10, `a page holds 1..10 events, this one ${page.length}`);
        paged.push(...page);
      }
      assert.deepEqual(paged, all);
      assert.deepEqual(await streams.read(stream, { from: streamPosition(7), limit: 1 }), [all[7]]);
      assert.deepEqual(await streams.read(stream, { from: streamPosition(20), limit: 100 }), all.slice(20));
      assert.deepEqual(await streams.read(stream, { from: streamPosition(25), limit: 10 }), []);
      assert.deepEqual(await streams.read(stream, { from: streamPosition(1000), limit: 10 }), []);
    });

    it("reads one partition: only its events, with the stream's own positions, in order, with from and limit", async () => {
      const store = await fixture.freshStore();
      const { streams } = processingPorts(store);
      const committed = await seedEventLog(store.events, 12);
      const [a, b] = [newPartitionId(), newPartitionId()];
      const stream = privateStream();
      // Positions:        0  1  2  3  4  5  6  7  8  9  10 11
      const partitions = [a, b, a, a, b, b, a, b, a, b, b, a];
      const entries = partitions.map((partition, n) => filtered([n], partition)[0]!);
      await streams.append(stream, entries.slice(0, 5), { key: filterKeyOf(stream), state: partitionedState(5) });
      await streams.append(stream, entries.slice(5), { key: filterKeyOf(stream), state: partitionedState(12) });

      const ofPartition = (partition: typeof a): StreamEvent[] =>
        partitions.flatMap((p, n) =>
          p === partition ? [{ position: streamPosition(n), partition, event: committed[n] as CommittedEvent }] : [],
        );
      const readA = (from: number, limit: number) =>
        streams.read(stream, { from: streamPosition(from), limit, partition: a });

      assert.deepEqual(await readA(0, 100), ofPartition(a));
      assert.deepEqual(await readStream(streams, stream, { partition: b, pageSize: 2 }), ofPartition(b));
      assert.deepEqual(
        (await readA(0, 2)).map((e) => e.position),
        [0, 2],
      );
      assert.deepEqual(
        (await readA(3, 2)).map((e) => e.position),
        [3, 6],
      );
      // From a position of another partition: that partition's next event on.
      assert.deepEqual(
        (await readA(4, 100)).map((e) => e.position),
        [6, 8, 11],
      );
      assert.deepEqual(await readA(12, 100), []);
      assert.deepEqual(
        await streams.read(stream, { from: streamPosition(0), limit: 100, partition: newPartitionId() }),
        [],
      );
      assert.deepEqual(
        await streams.read(stream, { from: streamPosition(0), limit: 100, partition: unspecifiedPartition }),
        [],
      );
    });
  });
}
