import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamProcessorState } from '../../index.js';
import { hostileStrings } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import {
  failingPartition,
  newPartitionId,
  newProcessorKey,
  partitionedState,
  processingPorts,
  unpartitionedState,
} from '../processing-builders.js';

/** Times a store must keep to the millisecond, including before 1970 and far in the future. */
const awkwardTimes: readonly Date[] = [
  new Date('2024-05-06T07:08:09.001Z'),
  new Date('2024-05-06T07:08:09.999Z'),
  new Date(0),
  new Date(-1),
  new Date('1601-01-01T00:00:00.000Z'),
  new Date('9999-12-31T23:59:59.999Z'),
];

export function roundTripCases(fixture: ConformanceFixture): void {
  async function assertKept(state: StreamProcessorState): Promise<void> {
    const { processorStates } = processingPorts(await fixture.freshStore());
    const key = newProcessorKey();
    await processorStates.set(key, state);
    assert.deepEqual(await processorStates.get(key), state);
  }

  describe('round trip', () => {
    it('an unknown key has no state', async () => {
      const { processorStates } = processingPorts(await fixture.freshStore());
      assert.equal(await processorStates.get(newProcessorKey()), undefined);
    });

    it('keeps an unpartitioned state exactly: new, processing, halted with and without a retry time', async () => {
      await assertKept(unpartitionedState(0));
      await assertKept(unpartitionedState(17, { lastSuccessfullyProcessed: new Date('2024-05-06T07:08:09.123Z') }));
      await assertKept(
        unpartitionedState(3, {
          failure: {
            reason: 'the handler threw: TypeError: cannot read properties of undefined',
            attempts: 4,
            retryAt: new Date('2024-05-06T07:09:09.456Z'),
            lastFailed: new Date('2024-05-06T07:08:09.789Z'),
          },
          lastSuccessfullyProcessed: new Date('2024-05-06T07:00:00.001Z'),
        }),
      );
      // retry=false: parked until it is reprocessed, never retried on its own.
      await assertKept(
        unpartitionedState(2 ** 40, {
          failure: { reason: '', attempts: 1, retryAt: undefined, lastFailed: new Date('2024-05-06T07:08:09.010Z') },
        }),
      );
    });

    it('keeps a partitioned state exactly: no failing partitions, and several with every field', async () => {
      await assertKept(partitionedState(0));
      await assertKept(partitionedState(12, [], new Date('2024-05-06T07:08:09.123Z')));
      await assertKept(
        partitionedState(
          1234,
          [
            [newPartitionId(), failingPartition(0)],
            [newPartitionId(), failingPartition(17, { attempts: 12, retryAt: undefined, reason: 'not retried' })],
            [
              newPartitionId(),
              failingPartition(1233, {
                reason: 'æøå 日本語 🎉\n"quoted" \\ \u0000',
                attempts: 2 ** 31,
                retryAt: new Date('2024-05-06T07:08:09.001Z'),
                lastFailed: new Date('2024-05-06T07:08:08.999Z'),
              }),
            ],
          ],
          new Date('2024-05-06T07:08:09.500Z'),
        ),
      );
    });

    it('keeps times to the millisecond and reasons verbatim', async () => {
      for (const time of awkwardTimes) {
        await assertKept(
          unpartitionedState(1, {
            failure: { reason: 'r', attempts: 1, retryAt: time, lastFailed: time },
            lastSuccessfullyProcessed: time,
          }),
        );
      }
      await assertKept(
        partitionedState(
          9,
          hostileStrings.map((reason, i) => {
            const time = awkwardTimes[i % awkwardTimes.length];
            return [newPartitionId(), failingPartition(i, { reason, retryAt: time, lastFailed: time ?? new Date() })];
          }),
        ),
      );
    });
  });
}
