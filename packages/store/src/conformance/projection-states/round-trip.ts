import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awkwardContents, hostileStrings, megabyteDocument } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import { unpartitionedState } from '../processing-builders.js';
import { newReadModelSet, projectionPorts, projectionProcessorKey, replaceReadModel } from '../read-model-builders.js';

/** Keys a store must keep apart: case, trailing space, composed and decomposed forms are all different keys. */
export const lookalikeKeys: readonly string[] = ['a', 'A', 'a ', ' a', 'é', 'e\u0301', 'ä', 'ß', 'ss', '0', '00', '-0'];

export function roundTripCases(fixture: ConformanceFixture): void {
  describe('round trip', () => {
    it('an unknown read model is undefined, and a set with none is empty', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      assert.equal(await projections.get(set, 'unknown'), undefined);
      assert.equal(await projections.get(set, ''), undefined);
      assert.deepEqual(await projections.getAll(set), new Map());
    });

    it('keeps states verbatim: unicode, whitespace, key order, big numbers, hostile strings, 1 MiB', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const states = [
        ...awkwardContents,
        JSON.stringify({ hostile: hostileStrings }),
        ...hostileStrings.map((s) => JSON.stringify(s)),
        `{"raw":"'; DROP TABLE projection_states; --"}`,
        megabyteDocument(),
      ];
      const expected = new Map(states.map((state, i) => [`key ${i}`, state]));
      await projections.apply(
        set,
        [...expected].map(([key, state]) => replaceReadModel(key, state)),
        { key: projectionProcessorKey(set), state: unpartitionedState(states.length) },
      );
      for (const [key, state] of expected) assert.equal(await projections.get(set, key), state, key);
      assert.deepEqual(await projections.getAll(set), expected);
    });

    it('keeps keys verbatim: hostile strings, unicode, the empty key, and lookalikes apart', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const keys = [
        ...hostileStrings,
        ...lookalikeKeys,
        'æøå 日本語 🎉 𝄞',
        '8d2b7c1e-5d3f-4d7a-9c3e-1f2a3b4c5d6e',
        'long key '.repeat(120),
        // Keys come from event content, which may hold what database text cannot: each is a key like any other.
        'nul\u0000inside',
        '\u0000',
        'lone \ud800 surrogate',
        '\u0001starts with a control character',
      ];
      assert.equal(new Set(keys).size, keys.length, 'the keys are distinct');
      const expected = new Map(keys.map((key, i) => [key, JSON.stringify({ i, key })]));
      await projections.apply(
        set,
        [...expected].map(([key, state]) => replaceReadModel(key, state)),
        { key: projectionProcessorKey(set), state: unpartitionedState(1) },
      );
      for (const [key, state] of expected) {
        assert.equal(await projections.get(set, key), state, `key ${JSON.stringify(key.slice(0, 40))}`);
      }
      assert.deepEqual(await projections.getAll(set), expected);
    });
  });
}
