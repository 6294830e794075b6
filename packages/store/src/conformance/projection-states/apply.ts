import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DolittleError } from '@dolittle-ts/fundamentals';
import type { ReadModelChange, StreamProcessorState } from '../../index.js';
import type { ConformanceFixture } from '../harness.js';
import { newProcessorKey, unpartitionedState } from '../processing-builders.js';
import {
  deleteReadModel,
  newReadModelSet,
  projectionPorts,
  projectionProcessorKey,
  replaceReadModel,
} from '../read-model-builders.js';

const halted = unpartitionedState(7, {
  failure: {
    reason: 'the projection failed: TypeError',
    attempts: 1,
    retryAt: undefined,
    lastFailed: new Date('2024-05-06T07:08:09.456Z'),
  },
  lastSuccessfullyProcessed: new Date('2024-05-06T07:08:08.789Z'),
});

/** Processor states no store can keep as given: `apply` must refuse them and write nothing of the batch. */
const unstorableStates: readonly { readonly what: string; readonly state: StreamProcessorState }[] = [
  { what: 'a NaN position', state: unpartitionedState(Number.NaN) },
  { what: 'a negative position', state: unpartitionedState(-1) },
  { what: 'a fractional position', state: unpartitionedState(1.5) },
  {
    what: 'an invalid lastSuccessfullyProcessed',
    state: unpartitionedState(3, { lastSuccessfullyProcessed: new Date(Number.NaN) }),
  },
  {
    what: 'an invalid failure time',
    state: unpartitionedState(3, {
      failure: { reason: 'x', attempts: 1, retryAt: undefined, lastFailed: new Date(Number.NaN) },
    }),
  },
];

export function applyCases(fixture: ConformanceFixture): void {
  describe('applying changes with the processor state', () => {
    it("writes the changes and the projection's processor state together", async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await projections.apply(
        set,
        [replaceReadModel('a', '{"a":1}'), replaceReadModel('b', '{"b":1}'), replaceReadModel('c', '{"c":1}')],
        { key, state: unpartitionedState(3, { lastSuccessfullyProcessed: new Date('2024-05-06T07:08:09.001Z') }) },
      );
      assert.equal(await projections.get(set, 'a'), '{"a":1}');
      assert.deepEqual(
        await processorStates.get(key),
        unpartitionedState(3, { lastSuccessfullyProcessed: new Date('2024-05-06T07:08:09.001Z') }),
      );

      await projections.apply(set, [deleteReadModel('b'), replaceReadModel('c', '{"c":2}')], { key, state: halted });
      assert.deepEqual(
        await projections.getAll(set),
        new Map([
          ['a', '{"a":1}'],
          ['c', '{"c":2}'],
        ]),
      );
      assert.equal(await projections.get(set, 'b'), undefined);
      assert.deepEqual(await processorStates.get(key), halted);
    });

    it('the processor state it writes is the one processorStates reads, sets and removes', async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await processorStates.set(key, unpartitionedState(0));
      await projections.apply(set, [replaceReadModel('a', '{}')], { key, state: unpartitionedState(1) });
      assert.deepEqual(await processorStates.get(key), unpartitionedState(1));
      assert.deepEqual(
        (await processorStates.all()).filter((s) => s.key.processorId === set.projectionId),
        [{ key, state: unpartitionedState(1) }],
      );

      // Resetting the processor (a changed definition) goes through processorStates; apply goes on from there.
      await processorStates.remove(key);
      assert.equal(await processorStates.get(key), undefined);
      await projections.apply(set, [], { key, state: unpartitionedState(1) });
      assert.deepEqual(await processorStates.get(key), unpartitionedState(1));

      // The key is the caller's: apply writes whichever processor it is given, leaving others alone.
      const other = newProcessorKey();
      await projections.apply(set, [], { key: other, state: unpartitionedState(9) });
      assert.deepEqual(await processorStates.get(other), unpartitionedState(9));
      assert.deepEqual(await processorStates.get(key), unpartitionedState(1));
    });

    it('applies changes in order: for one key the last change wins', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await projections.apply(set, [replaceReadModel('kept', '{"v":0}'), replaceReadModel('gone', '{"v":0}')], {
        key,
        state: unpartitionedState(1),
      });
      const changes: ReadModelChange[] = [
        replaceReadModel('a', '{"v":1}'),
        replaceReadModel('a', '{"v":2}'),
        deleteReadModel('a'),
        replaceReadModel('b', '{"v":1}'),
        deleteReadModel('b'),
        replaceReadModel('b', '{"v":3}'),
        deleteReadModel('kept'),
        replaceReadModel('kept', '{"v":4}'),
        replaceReadModel('gone', '{"v":5}'),
        deleteReadModel('gone'),
        replaceReadModel('c', '{"v":6}'),
        replaceReadModel('c', '{"v":7}'),
      ];
      await projections.apply(set, changes, { key, state: unpartitionedState(13) });
      assert.deepEqual(
        await projections.getAll(set),
        new Map([
          ['b', '{"v":3}'],
          ['kept', '{"v":4}'],
          ['c', '{"v":7}'],
        ]),
      );
      assert.equal(await projections.get(set, 'a'), undefined);
      assert.equal(await projections.get(set, 'gone'), undefined);
    });

    it('deleting a read model that does not exist is fine', async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await projections.apply(set, [deleteReadModel('never'), deleteReadModel('never')], {
        key,
        state: unpartitionedState(2),
      });
      assert.deepEqual(await projections.getAll(set), new Map());
      assert.deepEqual(await processorStates.get(key), unpartitionedState(2));
    });

    it('an apply with no changes saves only the processor state', async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await projections.apply(set, [replaceReadModel('a', '{"a":1}')], { key, state: unpartitionedState(1) });
      await projections.apply(set, [], { key, state: halted });
      assert.deepEqual(await projections.getAll(set), new Map([['a', '{"a":1}']]));
      assert.deepEqual(await processorStates.get(key), halted);
    });

    it('an apply whose processor state cannot be stored is refused and writes neither changes nor state', async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      const initial = new Map(Array.from({ length: 100 }, (_, i) => [`key ${i}`, `{"v":${i}}`] as const));
      await projections.apply(
        set,
        [...initial].map(([k, state]) => replaceReadModel(k, state)),
        { key, state: unpartitionedState(100) },
      );

      // Replaces, deletes and inserts, many of them: a store that writes changes before it refuses keeps some.
      const changes: ReadModelChange[] = [
        ...Array.from({ length: 1000 }, (_, i) => replaceReadModel(`key ${i}`, '{"changed":true}')),
        ...Array.from({ length: 50 }, (_, i) => deleteReadModel(`key ${i}`)),
      ];
      for (const { what, state } of unstorableStates) {
        await assert.rejects(projections.apply(set, changes, { key, state }), (error) => {
          assert.ok(error instanceof DolittleError, `${what}: expected a DolittleError, got ${String(error)}`);
          return true;
        });
        assert.deepEqual(await projections.getAll(set), initial, `after refusing ${what}`);
        assert.deepEqual(await processorStates.get(key), unpartitionedState(100), `after refusing ${what}`);
      }

      // The projection goes on from where it was.
      await projections.apply(set, changes, { key, state: unpartitionedState(101) });
      assert.equal((await projections.getAll(set)).size, 950);
      assert.equal(await projections.get(set, 'key 0'), undefined);
      assert.equal(await projections.get(set, 'key 999'), '{"changed":true}');
      assert.deepEqual(await processorStates.get(key), unpartitionedState(101));
    });

    it('refuses a set whose generation is not a whole number ≥ 0, and writes neither changes nor state', async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const valid = newReadModelSet({ generation: 0 });
      const key = projectionProcessorKey(valid);
      for (const generation of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const set = { ...valid, generation };
        await assert.rejects(
          projections.apply(set, [replaceReadModel('a', '{}')], { key, state: unpartitionedState(1) }),
          (error) => {
            assert.ok(error instanceof DolittleError, `generation ${generation}: got ${String(error)}`);
            return true;
          },
        );
      }
      assert.equal(await processorStates.get(key), undefined);
      for (const generation of [0, 1, 2, 2 ** 31]) {
        assert.deepEqual(await projections.getAll({ ...valid, generation }), new Map(), `generation ${generation}`);
      }
      await projections.apply(valid, [replaceReadModel('a', '{}')], { key, state: unpartitionedState(1) });
      assert.equal(await projections.get(valid, 'a'), '{}');
      assert.deepEqual(await processorStates.get(key), unpartitionedState(1));
    });
  });
}
