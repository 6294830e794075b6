import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import type { ConformanceFixture } from '../harness.js';
import { unpartitionedState } from '../processing-builders.js';
import { newReadModelSet, projectionPorts, projectionProcessorKey, replaceReadModel } from '../read-model-builders.js';

const readModels = 10_000;
const perApply = 1_000;

/** A read model of a typical size (about 200 bytes), different for every key. */
const stateOf = (i: number): string =>
  JSON.stringify({ id: `dish-${i}`, name: `Bean Blaster Taco #${i}`, chef: 'Mr. Taco', prepared: i, tags: ['hot'] });

export function volumeCases(fixture: ConformanceFixture): void {
  describe('volume', () => {
    // The Runtime's target is GetAll of 10,000 read models in 100 ms end to end. The times are reported as
    // diagnostics, not asserted: on a loaded CI machine a timed test would be flaky.
    it(`getAll returns all of ${readModels.toLocaleString('en')} read models`, async (t) => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const neighbour = { ...set, generation: set.generation + 1 };
      const key = projectionProcessorKey(set);

      let applying = 0;
      for (let from = 0; from < readModels; from += perApply) {
        const changes = Array.from({ length: perApply }, (_, i) =>
          replaceReadModel(`key-${from + i}`, stateOf(from + i)),
        );
        const started = performance.now();
        await projections.apply(set, changes, { key, state: unpartitionedState(from + perApply) });
        applying += performance.now() - started;
      }
      await projections.apply(neighbour, [replaceReadModel('key-0', '{"neighbour":true}')], {
        key,
        state: unpartitionedState(readModels + 1),
      });

      const started = performance.now();
      const all = await projections.getAll(set);
      const reading = performance.now() - started;

      assert.equal(all.size, readModels);
      for (let i = 0; i < readModels; i++) assert.equal(all.get(`key-${i}`), stateOf(i), `key-${i}`);
      assert.equal(await projections.get(set, `key-${readModels - 1}`), stateOf(readModels - 1));
      const asked = [...Array.from({ length: readModels }, (_, i) => `key-${i}`), 'key-unknown', `key-${readModels}`];
      assert.deepEqual(await projections.getMany(set, asked), all);
      assert.deepEqual(await processorStates.get(key), unpartitionedState(readModels + 1));
      t.diagnostic(
        `apply of ${perApply} changes: ${(applying / (readModels / perApply)).toFixed(1)} ms on average; getAll of ${readModels} read models: ${reading.toFixed(1)} ms`,
      );
    });
  });
}
