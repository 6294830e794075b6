import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DolittleError } from '@dolittle-ts/fundamentals';
import { newScopeId, newTenantId } from '../builders.js';
import { hostileStrings } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import { unpartitionedState } from '../processing-builders.js';
import {
  deleteReadModel,
  newReadModelSet,
  projectionPorts,
  projectionProcessorKey,
  replaceReadModel,
} from '../read-model-builders.js';
import { lookalikeKeys } from './round-trip.js';

/** `getMany` reads the read models a projection needs for a batch of events: all of them, only them, verbatim. */
export function getManyCases(fixture: ConformanceFixture): void {
  describe('getMany', () => {
    it('returns the read models of the keys that have one, and leaves the others out', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      assert.deepEqual(await projections.getMany(set, []), new Map());
      assert.deepEqual(await projections.getMany(set, ['a', 'b']), new Map());
      await projections.apply(
        set,
        ['a', 'b', 'c', 'd'].map((key) => replaceReadModel(key, JSON.stringify({ key }))),
        { key: projectionProcessorKey(set), state: unpartitionedState(4) },
      );
      assert.deepEqual(await projections.getMany(set, []), new Map());
      assert.deepEqual(
        await projections.getMany(set, ['d', 'unknown', 'a', 'a', '', 'A']),
        new Map([
          ['d', '{"key":"d"}'],
          ['a', '{"key":"a"}'],
        ]),
      );
      assert.deepEqual(await projections.getMany(set, ['a', 'b', 'c', 'd']), await projections.getAll(set));
    });

    it('sees what apply wrote: replaced states, deleted read models gone, new ones there', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await projections.apply(set, [replaceReadModel('a', '{"v":1}'), replaceReadModel('b', '{"v":1}')], {
        key,
        state: unpartitionedState(2),
      });
      await projections.apply(
        set,
        [replaceReadModel('a', '{"v":2}'), deleteReadModel('b'), replaceReadModel('c', '{"v":1}')],
        { key, state: unpartitionedState(5) },
      );
      assert.deepEqual(
        await projections.getMany(set, ['a', 'b', 'c']),
        new Map([
          ['a', '{"v":2}'],
          ['c', '{"v":1}'],
        ]),
      );
    });

    it('keeps keys verbatim: hostile strings, unicode, lookalikes, and keys database text cannot hold as they are', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      const keys = [
        ...new Set([
          ...hostileStrings,
          ...lookalikeKeys,
          'æøå 日本語 🎉 𝄞',
          '["a","b"]',
          '%',
          '_',
          'nul\u0000inside',
          'lone \ud800 surrogate',
          '\u0001starts with a control character',
        ]),
      ];
      const stored = keys.filter((_, i) => i % 2 === 0);
      const expected = new Map(stored.map((key, i) => [key, JSON.stringify({ i })]));
      await projections.apply(
        set,
        [...expected].map(([key, state]) => replaceReadModel(key, state)),
        { key: projectionProcessorKey(set), state: unpartitionedState(1) },
      );
      // Every key asked for, stored or not: only the stored ones come back, each under its exact key.
      assert.deepEqual(await projections.getMany(set, keys), expected);
    });

    it("keeps sets and tenants apart: never a neighbour's read model", async () => {
      const provider = await fixture.provider();
      const a = projectionPorts(await fixture.open(provider, newTenantId()));
      const b = projectionPorts(await fixture.open(provider, newTenantId()));
      const set = newReadModelSet({ generation: 2 });
      const neighbours = [
        { ...set, generation: 1 },
        { ...set, generation: 3 },
        { ...set, projectionId: newReadModelSet().projectionId },
        { ...set, scope: newScopeId() },
      ];
      for (const [i, neighbour] of neighbours.entries()) {
        await a.projections.apply(neighbour, [replaceReadModel('k', `{"neighbour":${i}}`)], {
          key: projectionProcessorKey(neighbour),
          state: unpartitionedState(1),
        });
      }
      await b.projections.apply(set, [replaceReadModel('k', '{"tenant":"b"}')], {
        key: projectionProcessorKey(set),
        state: unpartitionedState(1),
      });
      assert.deepEqual(await a.projections.getMany(set, ['k']), new Map());
      await a.projections.apply(set, [replaceReadModel('k', '{"tenant":"a"}')], {
        key: projectionProcessorKey(set),
        state: unpartitionedState(2),
      });
      assert.deepEqual(await a.projections.getMany(set, ['k']), new Map([['k', '{"tenant":"a"}']]));
      assert.deepEqual(await b.projections.getMany(set, ['k']), new Map([['k', '{"tenant":"b"}']]));
    });

    it('refuses a key that is not a string, naming it', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      for (const bad of [undefined, 7, null, { key: 'a' }]) {
        await assert.rejects(projections.getMany(set, ['a', bad as unknown as string]), (error) => {
          assert.ok(error instanceof DolittleError, `${String(bad)}: expected a DolittleError, got ${String(error)}`);
          assert.match(error.message, /keys\[1\]/);
          return true;
        });
      }
    });
  });
}
