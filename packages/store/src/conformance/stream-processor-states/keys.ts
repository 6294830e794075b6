import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventLogStream } from '@dolittle-ts/fundamentals';
import type { StreamProcessorKey, StreamProcessorState } from '../../index.js';
import { newScopeId, newTenantId } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import {
  failingPartition,
  newPartitionId,
  newProcessorKey,
  newStreamId,
  partitionedState,
  processingPorts,
  unpartitionedState,
} from '../processing-builders.js';

const byKey = (a: { key: StreamProcessorKey }, b: { key: StreamProcessorKey }): number =>
  JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1;

export function keyCases(fixture: ConformanceFixture): void {
  describe('keys, overwrite, remove and listing', () => {
    it('scope, processor id and source stream each make a different key', async () => {
      const { processorStates } = processingPorts(await fixture.freshStore());
      const base = newProcessorKey();
      const keys: StreamProcessorKey[] = [
        base,
        { ...base, scope: newScopeId() },
        { ...base, processorId: newProcessorKey().processorId },
        { ...base, sourceStream: newStreamId() },
        // An event handler: its filter reads the event log, its processor the filtered stream, under one id.
        { ...base, sourceStream: eventLogStream },
      ];
      for (const [i, key] of keys.entries()) await processorStates.set(key, unpartitionedState(i));
      for (const [i, key] of keys.entries()) {
        assert.deepEqual(await processorStates.get(key), unpartitionedState(i), `key #${i}`);
      }
    });

    it('set replaces the state, also with one of the other kind', async () => {
      const { processorStates } = processingPorts(await fixture.freshStore());
      const key = newProcessorKey();
      const partition = newPartitionId();
      const states: StreamProcessorState[] = [
        partitionedState(3, [[partition, failingPartition(1)]]),
        partitionedState(4),
        unpartitionedState(5),
        unpartitionedState(5, {
          failure: { reason: 'x', attempts: 1, retryAt: undefined, lastFailed: new Date('2024-01-01T00:00:00.001Z') },
        }),
        unpartitionedState(6),
      ];
      for (const state of states) {
        await processorStates.set(key, state);
        assert.deepEqual(await processorStates.get(key), state);
      }
    });

    it('remove deletes that state only, and removing an unknown key is a no-op', async () => {
      const { processorStates } = processingPorts(await fixture.freshStore());
      const [gone, kept] = [newProcessorKey(), newProcessorKey()];
      await processorStates.set(gone, unpartitionedState(1));
      await processorStates.set(kept, partitionedState(2));
      await processorStates.remove(gone);
      await processorStates.remove(gone);
      await processorStates.remove(newProcessorKey());
      assert.equal(await processorStates.get(gone), undefined);
      assert.deepEqual(await processorStates.get(kept), partitionedState(2));
      assert.deepEqual(await processorStates.all(), [{ key: kept, state: partitionedState(2) }]);
      await processorStates.set(gone, unpartitionedState(0));
      assert.deepEqual(await processorStates.get(gone), unpartitionedState(0));
    });

    it('all() lists every state with its key', async () => {
      const { processorStates } = processingPorts(await fixture.freshStore());
      assert.deepEqual(await processorStates.all(), []);
      const base = newProcessorKey();
      const expected = [
        { key: base, state: unpartitionedState(1) },
        {
          key: { ...base, scope: newScopeId() },
          state: partitionedState(2, [[newPartitionId(), failingPartition(0)]]),
        },
        { key: { ...base, sourceStream: eventLogStream }, state: unpartitionedState(3) },
        { key: newProcessorKey(), state: partitionedState(4) },
      ];
      for (const { key, state } of expected) await processorStates.set(key, state);
      await processorStates.set(base, unpartitionedState(5));
      expected[0] = { key: base, state: unpartitionedState(5) };
      assert.deepEqual([...(await processorStates.all())].sort(byKey), [...expected].sort(byKey));
    });

    it('states survive close and open', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const first = await fixture.open(provider, tenant);
      const [a, b, c] = [newProcessorKey(), newProcessorKey(), newProcessorKey()];
      const parked = partitionedState(7, [
        [newPartitionId(), failingPartition(3, { retryAt: undefined })],
        [newPartitionId(), failingPartition(5, { attempts: 9 })],
      ]);
      await processingPorts(first).processorStates.set(a, parked);
      await processingPorts(first).processorStates.set(b, unpartitionedState(1));
      await processingPorts(first).processorStates.set(c, unpartitionedState(2));
      await processingPorts(first).processorStates.remove(c);
      await first.close();

      const { processorStates } = processingPorts(await fixture.open(provider, tenant));
      assert.deepEqual(await processorStates.get(a), parked);
      assert.deepEqual(await processorStates.get(b), unpartitionedState(1));
      assert.equal(await processorStates.get(c), undefined);
      assert.deepEqual(
        [...(await processorStates.all())].sort(byKey),
        [
          { key: a, state: parked },
          { key: b, state: unpartitionedState(1) },
        ].sort(byKey),
      );
    });

    it("keeps tenants apart: two tenants of one provider never see each other's states", async () => {
      const provider = await fixture.provider();
      const a = processingPorts(await fixture.open(provider, newTenantId())).processorStates;
      const b = processingPorts(await fixture.open(provider, newTenantId())).processorStates;
      const key = newProcessorKey();
      await a.set(key, unpartitionedState(3));
      assert.equal(await b.get(key), undefined);
      assert.deepEqual(await b.all(), []);
      await b.set(key, partitionedState(1));
      await b.remove(key);
      assert.deepEqual(await a.get(key), unpartitionedState(3));
      assert.deepEqual(await a.all(), [{ key, state: unpartitionedState(3) }]);
    });
  });
}
