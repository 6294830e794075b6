import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { range } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import {
  filtered,
  filterKeyOf,
  privateStream,
  processingPorts,
  readStream,
  seedEventLog,
  streamPosition,
  unpartitionedState,
} from '../processing-builders.js';

export function positionCases(fixture: ConformanceFixture): void {
  describe('stream positions', () => {
    it('start at 0 in an empty stream', async () => {
      const { streams } = processingPorts(await fixture.freshStore());
      const stream = privateStream();
      assert.equal(await streams.nextPosition(stream), 0);
      assert.deepEqual(await streams.read(stream, { from: streamPosition(0), limit: 10 }), []);
    });

    it('are dense, 0-based and in append order across many appends', async () => {
      const store = await fixture.freshStore();
      const { streams } = processingPorts(store);
      await seedEventLog(store.events, 40);
      const stream = privateStream();
      const appended: number[] = [];
      let next = 0;
      for (const size of [1, 4, 2, 7, 1, 5]) {
        // Every other event of the log, as a type filter would pick them.
        const numbers = range(next, size).map((i) => 2 * i);
        await streams.append(stream, filtered(numbers), {
          key: filterKeyOf(stream),
          state: unpartitionedState(numbers.at(-1)! + 1),
        });
        appended.push(...numbers);
        next += size;
        assert.equal(await streams.nextPosition(stream), appended.length);
      }
      const read = await readStream(streams, stream, { pageSize: 3 });
      assert.deepEqual(
        read.map((e) => e.position),
        range(0, appended.length),
      );
      assert.deepEqual(
        read.map((e) => e.event.sequenceNumber),
        appended,
      );
    });

    it('stay dense when many appends to one stream run at once, each append in one run', async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 30);
      const stream = privateStream();
      const states = range(0, 10).map((i) => unpartitionedState(3 * i + 3));
      await Promise.all(
        range(0, 10).map((i) =>
          streams.append(stream, filtered(range(3 * i, 3)), { key: filterKeyOf(stream), state: states[i]! }),
        ),
      );
      assert.equal(await streams.nextPosition(stream), 30);
      const read = await readStream(streams, stream);
      assert.deepEqual(
        read.map((e) => e.position),
        range(0, 30),
      );
      for (let i = 0; i < 10; i++) {
        const positions = read.filter((e) => Math.floor(e.event.sequenceNumber / 3) === i).map((e) => e.position);
        assert.deepEqual(positions, range(positions[0] ?? -1, 3), `append #${i} is written as one run`);
      }
      const saved = await processorStates.get(filterKeyOf(stream));
      assert.ok(
        states.some((state) => isDeepStrictEqual(state, saved)),
        `the filter's state is one of the states appended, not ${JSON.stringify(saved)}`,
      );
    });

    it('an append with no entries writes only the filter state and leaves the positions alone', async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 5);
      const stream = privateStream();
      const key = filterKeyOf(stream);
      await streams.append(stream, filtered([1]), { key, state: unpartitionedState(2) });
      // The filter looked at events 2..4 and included none of them: only its position moves.
      await streams.append(stream, [], { key, state: unpartitionedState(5) });
      assert.equal(await streams.nextPosition(stream), 1);
      assert.deepEqual(await processorStates.get(key), unpartitionedState(5));
      const read = await readStream(streams, stream);
      assert.deepEqual(
        read.map((e) => [e.position, e.event.sequenceNumber]),
        [[0, 1]],
      );
    });
  });
}
