import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTenantId } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import { unpartitionedState } from '../processing-builders.js';
import {
  deleteReadModel,
  newReadModelSet,
  projectionPorts,
  projectionProcessorKey,
  replaceReadModel,
} from '../read-model-builders.js';

export function persistenceCases(fixture: ConformanceFixture): void {
  describe('persistence', () => {
    it('read models and the processor state survive close and open, with deletes and drops', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const set = newReadModelSet();
      const next = { ...set, generation: set.generation + 1 };
      const key = projectionProcessorKey(set);

      const first = await fixture.open(provider, tenant);
      const written = projectionPorts(first).projections;
      await written.apply(
        set,
        [replaceReadModel('a', '{"v":1}'), replaceReadModel('b', '{"v":1}'), replaceReadModel('c', '{"v":1}')],
        { key, state: unpartitionedState(3) },
      );
      await written.apply(set, [deleteReadModel('b'), replaceReadModel('c', '{"v":2}')], {
        key,
        state: unpartitionedState(5),
      });
      await written.apply(next, [replaceReadModel('x', '{"next":true}')], { key, state: unpartitionedState(6) });
      await first.close();

      const second = await fixture.open(provider, tenant);
      const { projections, processorStates } = projectionPorts(second);
      assert.deepEqual(
        await projections.getAll(set),
        new Map([
          ['a', '{"v":1}'],
          ['c', '{"v":2}'],
        ]),
      );
      assert.equal(await projections.get(set, 'b'), undefined);
      assert.deepEqual(await projections.getAll(next), new Map([['x', '{"next":true}']]));
      assert.deepEqual(await processorStates.get(key), unpartitionedState(6));
      await projections.drop(set);
      await second.close();

      const third = projectionPorts(await fixture.open(provider, tenant));
      assert.deepEqual(await third.projections.getAll(set), new Map());
      assert.deepEqual(await third.projections.getAll(next), new Map([['x', '{"next":true}']]));
      assert.deepEqual(await third.processorStates.get(key), unpartitionedState(6));
    });
  });
}
