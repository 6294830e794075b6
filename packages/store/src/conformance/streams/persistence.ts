import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTenantId } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import {
  failingPartition,
  filtered,
  filterKeyOf,
  newPartitionId,
  partitionedState,
  privateStream,
  processingPorts,
  publicStream,
  readStream,
  seedEventLog,
  unpartitionedState,
} from '../processing-builders.js';

export function persistenceCases(fixture: ConformanceFixture): void {
  describe('persistence', () => {
    it('streams and filter states survive close and open, and appends go on from where they were', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const first = await fixture.open(provider, tenant);
      await seedEventLog(first.events, 8);
      const [mine, ours] = [privateStream(), publicStream()];
      const partition = newPartitionId();
      const parked = partitionedState(6, [[partition, failingPartition(2)]]);
      const written = processingPorts(first).streams;
      await written.append(mine, [...filtered([0]), ...filtered([2, 5], partition)], {
        key: filterKeyOf(mine),
        state: parked,
      });
      await written.append(ours, filtered([1]), { key: filterKeyOf(ours), state: unpartitionedState(2) });
      const before = await readStream(written, mine);
      await first.close();

      const second = await fixture.open(provider, tenant);
      const { streams, processorStates } = processingPorts(second);
      assert.equal(await streams.nextPosition(mine), 3);
      assert.equal(await streams.nextPosition(ours), 1);
      assert.deepEqual(await readStream(streams, mine), before);
      assert.deepEqual(await processorStates.get(filterKeyOf(mine)), parked);
      assert.deepEqual(await processorStates.get(filterKeyOf(ours)), unpartitionedState(2));

      await streams.append(mine, filtered([7]), { key: filterKeyOf(mine), state: partitionedState(8) });
      assert.deepEqual(
        (await readStream(streams, mine)).map((e) => [e.position, e.event.sequenceNumber]),
        [
          [0, 0],
          [1, 2],
          [2, 5],
          [3, 7],
        ],
      );
      await streams.drop(ours);
      await second.close();

      const third = processingPorts(await fixture.open(provider, tenant));
      assert.equal(await third.streams.nextPosition(mine), 4);
      assert.equal(await third.streams.nextPosition(ours), 0);
      assert.deepEqual(await third.processorStates.get(filterKeyOf(mine)), partitionedState(8));
    });
  });
}
