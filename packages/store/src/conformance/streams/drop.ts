import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { ConformanceFixture } from '../harness.js';
import {
  filtered,
  filterKeyOf,
  newPartitionId,
  newStreamId,
  privateStream,
  processingPorts,
  publicStream,
  readStream,
  seedEventLog,
  streamPosition,
  unpartitionedState,
} from '../processing-builders.js';

export function dropCases(fixture: ConformanceFixture): void {
  describe('dropping a stream', () => {
    it('removes every event of that stream only, and its positions start again at 0', async () => {
      const store = await fixture.freshStore();
      const { streams } = processingPorts(store);
      const committed = await seedEventLog(store.events, 10);
      const id = newStreamId();
      const dropped = privateStream(defaultScope, id);
      const twin = publicStream(id);
      const neighbour = privateStream();
      const partition = newPartitionId();
      for (const stream of [dropped, twin, neighbour]) {
        await streams.append(stream, [...filtered([0, 1, 2]), ...filtered([5, 7], partition)], {
          key: filterKeyOf(stream),
          state: unpartitionedState(10),
        });
      }
      const twinBefore = await readStream(streams, twin);
      const neighbourBefore = await readStream(streams, neighbour);

      await streams.drop(dropped);
      assert.equal(await streams.nextPosition(dropped), 0);
      assert.deepEqual(await readStream(streams, dropped), []);
      assert.deepEqual(await streams.read(dropped, { from: streamPosition(0), limit: 10, partition }), []);
      assert.deepEqual(await readStream(streams, twin), twinBefore);
      assert.deepEqual(await readStream(streams, neighbour), neighbourBefore);
      assert.equal(twinBefore.length, 5);

      // A rebuilt filter writes the stream again from position 0; the events themselves are still in the log.
      await streams.append(dropped, filtered([9, 4]), { key: filterKeyOf(dropped), state: unpartitionedState(10) });
      assert.deepEqual(await readStream(streams, dropped), [
        { position: 0, partition: unspecifiedPartition, event: committed[9] },
        { position: 1, partition: unspecifiedPartition, event: committed[4] },
      ]);
      assert.equal(await streams.nextPosition(dropped), 2);
    });

    it('dropping a stream that holds nothing is a no-op', async () => {
      const { streams } = processingPorts(await fixture.freshStore());
      const stream = privateStream();
      await streams.drop(stream);
      await streams.drop(stream);
      assert.equal(await streams.nextPosition(stream), 0);
    });
  });
}
