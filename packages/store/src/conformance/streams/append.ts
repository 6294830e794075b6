import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DolittleError, defaultScope, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { FilteredEvent, StreamProcessorState } from '../../index.js';
import { newScopeId } from '../builders.js';
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

/** Checks the refusal of an entry that refers to no event: a Dolittle error that names the sequence number. */
function refusedFor(sequenceNumber: number): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof DolittleError, `expected a DolittleError, got ${String(error)}`);
    assert.match(
      error.message,
      new RegExp(`(^|[^0-9])${String(sequenceNumber).replace('-', '\\-')}([^0-9]|$)`),
      `the error names the missing sequence number ${sequenceNumber}: ${error.message}`,
    );
    return true;
  };
}

export function appendCases(fixture: ConformanceFixture): void {
  describe('appending to a stream with its filter state', () => {
    it("writes the filter's state with the entries: unpartitioned and partitioned, with failures", async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 10);

      const unpartitioned = privateStream();
      const halted = unpartitionedState(4, {
        failure: {
          reason: 'the filter failed',
          attempts: 2,
          retryAt: new Date('2024-05-06T07:08:19.123Z'),
          lastFailed: new Date('2024-05-06T07:08:09.456Z'),
        },
        lastSuccessfullyProcessed: new Date('2024-05-06T07:08:08.789Z'),
      });
      await streams.append(unpartitioned, filtered([0, 3]), { key: filterKeyOf(unpartitioned), state: halted });
      assert.deepEqual(await processorStates.get(filterKeyOf(unpartitioned)), halted);

      const partitioned = privateStream();
      const [a, b] = [newPartitionId(), newPartitionId()];
      const parked = partitionedState(
        10,
        [
          [a, failingPartition(1, { attempts: 3, retryAt: undefined })],
          [b, failingPartition(2)],
        ],
        new Date('2024-05-06T07:08:09.999Z'),
      );
      await streams.append(partitioned, [...filtered([1, 5], a), ...filtered([2, 9], b)], {
        key: filterKeyOf(partitioned),
        state: parked,
      });
      assert.deepEqual(await processorStates.get(filterKeyOf(partitioned)), parked);

      // Each append replaces the state it carries.
      await streams.append(unpartitioned, filtered([7]), {
        key: filterKeyOf(unpartitioned),
        state: unpartitionedState(8),
      });
      assert.deepEqual(await processorStates.get(filterKeyOf(unpartitioned)), unpartitionedState(8));
      assert.deepEqual(await processorStates.get(filterKeyOf(partitioned)), parked);
    });

    it('refuses entries that refer to no event of the log, and writes neither entries nor state', async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 5);
      const stream = privateStream();
      const key = filterKeyOf(stream);
      await streams.append(stream, filtered([0, 2]), { key, state: unpartitionedState(3) });
      const before = await readStream(streams, stream);

      const refusals: { entries: FilteredEvent[]; missing: number }[] = [
        { entries: filtered([5]), missing: 5 }, // = the log's next sequence number
        { entries: filtered([3, 4, 99]), missing: 99 }, // the bad one last: the first two must not stay
        { entries: filtered([1_000_000, 4]), missing: 1_000_000 },
        { entries: filtered([-1]), missing: -1 },
      ];
      for (const { entries, missing } of refusals) {
        await assert.rejects(
          streams.append(stream, entries, { key, state: unpartitionedState(100) }),
          refusedFor(missing),
        );
        assert.equal(await streams.nextPosition(stream), 2, `after refusing ${missing}`);
        assert.deepEqual(await readStream(streams, stream), before, `after refusing ${missing}`);
        assert.deepEqual(await processorStates.get(key), unpartitionedState(3), `after refusing ${missing}`);
      }

      // The stream goes on from where it was.
      await streams.append(stream, filtered([3, 4]), { key, state: unpartitionedState(5) });
      const after = await readStream(streams, stream);
      assert.deepEqual(
        after.map((e) => [e.position, e.event.sequenceNumber]),
        [
          [0, 0],
          [1, 2],
          [2, 3],
          [3, 4],
        ],
      );
      assert.deepEqual(await processorStates.get(key), unpartitionedState(5));
    });

    it("refuses entries of another scope's log: a scoped stream refers to its scope's event log", async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 3);
      const scope = newScopeId();
      const scoped = privateStream(scope);
      const state: StreamProcessorState = unpartitionedState(1);
      // Event 0 is in the default scope's log; the scope's own log is empty.
      await assert.rejects(streams.append(scoped, filtered([0]), { key: filterKeyOf(scoped), state }), refusedFor(0));
      assert.equal(await streams.nextPosition(scoped), 0);
      assert.equal(await processorStates.get(filterKeyOf(scoped)), undefined);

      // A filter over the empty scoped log still saves its state.
      await streams.append(scoped, [], { key: filterKeyOf(scoped), state: unpartitionedState(0) });
      assert.deepEqual(await processorStates.get(filterKeyOf(scoped)), unpartitionedState(0));
      assert.equal(await streams.nextPosition(scoped), 0);
      assert.deepEqual(await readStream(streams, scoped), []);
    });

    it('a public filter appends to its public stream in the default scope', async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      const committed = await seedEventLog(store.events, 4);
      const stream = publicStream();
      assert.equal(stream.scope, defaultScope);
      const partition = newPartitionId();
      await streams.append(stream, [...filtered([1], partition), ...filtered([3])], {
        key: filterKeyOf(stream),
        state: partitionedState(4),
      });
      assert.deepEqual(await readStream(streams, stream), [
        { position: 0, partition, event: committed[1] },
        { position: 1, partition: unspecifiedPartition, event: committed[3] },
      ]);
      assert.deepEqual(await processorStates.get(filterKeyOf(stream)), partitionedState(4));
    });
  });
}
