import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DolittleError, defaultScope } from '@dolittle-ts/fundamentals';
import { newScopeId, newTenantId } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import {
  filtered,
  filterKeyOf,
  newStreamId,
  privateStream,
  processingPorts,
  publicStream,
  readStream,
  seedEventLog,
  unpartitionedState,
} from '../processing-builders.js';

const positionsAndNumbers = (events: readonly { position: number; event: { sequenceNumber: number } }[]) =>
  events.map((e) => [e.position, e.event.sequenceNumber]);

export function identityCases(fixture: ConformanceFixture): void {
  describe('which stream is which', () => {
    it('a private and a public stream with the same id are different streams', async () => {
      const store = await fixture.freshStore();
      const { streams } = processingPorts(store);
      await seedEventLog(store.events, 6);
      const id = newStreamId();
      const [mine, ours] = [privateStream(defaultScope, id), publicStream(id)];

      await streams.append(mine, filtered([0, 1, 2]), { key: filterKeyOf(mine), state: unpartitionedState(3) });
      assert.equal(await streams.nextPosition(ours), 0);
      assert.deepEqual(await readStream(streams, ours), []);

      await streams.append(ours, filtered([4, 5]), { key: filterKeyOf(ours), state: unpartitionedState(6) });
      assert.deepEqual(positionsAndNumbers(await readStream(streams, mine)), [
        [0, 0],
        [1, 1],
        [2, 2],
      ]);
      assert.deepEqual(positionsAndNumbers(await readStream(streams, ours)), [
        [0, 4],
        [1, 5],
      ]);
      assert.equal(await streams.nextPosition(mine), 3);
      assert.equal(await streams.nextPosition(ours), 2);
    });

    it("scopes never see each other's streams", async () => {
      const store = await fixture.freshStore();
      const { streams, processorStates } = processingPorts(store);
      await seedEventLog(store.events, 3);
      const id = newStreamId();
      const inDefault = privateStream(defaultScope, id);
      const scope = newScopeId();
      const inScope = privateStream(scope, id);

      await streams.append(inDefault, filtered([0, 2]), { key: filterKeyOf(inDefault), state: unpartitionedState(3) });
      await streams.append(inScope, [], { key: filterKeyOf(inScope), state: unpartitionedState(0) });
      assert.equal(await streams.nextPosition(inScope), 0);
      assert.deepEqual(await readStream(streams, inScope), []);
      assert.deepEqual(await readStream(streams, privateStream(newScopeId(), id)), []);
      assert.deepEqual(await processorStates.get(filterKeyOf(inDefault)), unpartitionedState(3));
      assert.deepEqual(await processorStates.get(filterKeyOf(inScope)), unpartitionedState(0));

      await streams.drop(inScope);
      assert.deepEqual(positionsAndNumbers(await readStream(streams, inDefault)), [
        [0, 0],
        [1, 2],
      ]);
      assert.equal(await streams.nextPosition(inDefault), 2);
    });

    it("keeps tenants apart: two tenants of one provider never see each other's streams or states", async () => {
      const provider = await fixture.provider();
      const storeA = await fixture.open(provider, newTenantId());
      const storeB = await fixture.open(provider, newTenantId());
      const [a, b] = [processingPorts(storeA), processingPorts(storeB)];
      await seedEventLog(storeA.events, 4);
      const stream = privateStream();
      const key = filterKeyOf(stream);

      await a.streams.append(stream, filtered([1, 3]), { key, state: unpartitionedState(4) });
      assert.equal(await b.streams.nextPosition(stream), 0);
      assert.deepEqual(await readStream(b.streams, stream), []);
      assert.equal(await b.processorStates.get(key), undefined);
      // Tenant B's log is empty, so the same entries refer to nothing there.
      await assert.rejects(
        b.streams.append(stream, filtered([1]), { key, state: unpartitionedState(2) }),
        DolittleError,
      );

      await seedEventLog(storeB.events, 2);
      await b.streams.append(stream, filtered([1]), { key, state: unpartitionedState(2) });
      assert.deepEqual(positionsAndNumbers(await readStream(a.streams, stream)), [
        [0, 1],
        [1, 3],
      ]);
      assert.deepEqual(positionsAndNumbers(await readStream(b.streams, stream)), [[0, 1]]);
      assert.deepEqual(await a.processorStates.get(key), unpartitionedState(4));
      assert.deepEqual(await b.processorStates.get(key), unpartitionedState(2));

      await b.streams.drop(stream);
      assert.equal(await a.streams.nextPosition(stream), 2);
    });
  });
}
