import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProjectionStates, ReadModelSet } from '../../index.js';
import { newScopeId, newTenantId } from '../builders.js';
import type { ConformanceFixture } from '../harness.js';
import { unpartitionedState } from '../processing-builders.js';
import { newReadModelSet, projectionPorts, projectionProcessorKey, replaceReadModel } from '../read-model-builders.js';

/** A set and its neighbours: each differs from it in one of generation, projection id or scope. */
function neighboursOf(set: ReadModelSet): { readonly what: string; readonly set: ReadModelSet }[] {
  return [
    { what: 'the set', set },
    { what: 'the next generation', set: { ...set, generation: set.generation + 1 } },
    { what: 'generation 0', set: { ...set, generation: 0 } },
    { what: 'another projection', set: { ...set, projectionId: newReadModelSet().projectionId } },
    { what: 'another scope', set: { ...set, scope: newScopeId() } },
  ];
}

/** Writes the same keys to every set, each with a state that names its set. */
async function fill(projections: ProjectionStates, sets: readonly { what: string; set: ReadModelSet }[]) {
  const written = new Map<string, Map<string, string>>();
  for (const { what, set } of sets) {
    const states = new Map(['a', 'b', what].map((key) => [key, JSON.stringify({ what, key })]));
    await projections.apply(
      set,
      [...states].map(([key, state]) => replaceReadModel(key, state)),
      { key: projectionProcessorKey(set), state: unpartitionedState(3) },
    );
    written.set(what, states);
  }
  return written;
}

export function setCases(fixture: ConformanceFixture): void {
  describe('which read models belong to which set', () => {
    it('getAll returns every read model of the set and only it: generations, projections, scopes apart', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const sets = neighboursOf(newReadModelSet({ generation: 3 }));
      const written = await fill(projections, sets);
      for (const { what, set } of sets) {
        assert.deepEqual(await projections.getAll(set), written.get(what), what);
        assert.equal(await projections.get(set, 'a'), JSON.stringify({ what, key: 'a' }), what);
      }
    });

    it('drop removes the read models of that set only, and the set can be filled again', async () => {
      const { projections, processorStates } = projectionPorts(await fixture.freshStore());
      const sets = neighboursOf(newReadModelSet({ generation: 3 }));
      const written = await fill(projections, sets);
      const [dropped] = sets;
      assert.ok(dropped !== undefined);

      await projections.drop(dropped.set);
      assert.deepEqual(await projections.getAll(dropped.set), new Map());
      assert.equal(await projections.get(dropped.set, 'a'), undefined);
      for (const { what, set } of sets.slice(1)) {
        assert.deepEqual(await projections.getAll(set), written.get(what), `${what} after dropping the set`);
      }
      // Dropping read models does not reset the processor: the Runtime does that through processorStates.
      assert.deepEqual(await processorStates.get(projectionProcessorKey(dropped.set)), unpartitionedState(3));

      await projections.apply(dropped.set, [replaceReadModel('a', '{"rebuilt":true}')], {
        key: projectionProcessorKey(dropped.set),
        state: unpartitionedState(1),
      });
      assert.deepEqual(await projections.getAll(dropped.set), new Map([['a', '{"rebuilt":true}']]));
    });

    it('dropping a set that holds nothing is a no-op', async () => {
      const { projections } = projectionPorts(await fixture.freshStore());
      const set = newReadModelSet();
      await projections.drop(set);
      await projections.drop(set);
      assert.deepEqual(await projections.getAll(set), new Map());
    });

    it("keeps tenants apart: two tenants of one provider never see each other's read models", async () => {
      const provider = await fixture.provider();
      const a = projectionPorts(await fixture.open(provider, newTenantId()));
      const b = projectionPorts(await fixture.open(provider, newTenantId()));
      const set = newReadModelSet();
      const key = projectionProcessorKey(set);
      await a.projections.apply(set, [replaceReadModel('k', '{"tenant":"a"}')], { key, state: unpartitionedState(1) });
      assert.equal(await b.projections.get(set, 'k'), undefined);
      assert.deepEqual(await b.projections.getAll(set), new Map());
      assert.equal(await b.processorStates.get(key), undefined);

      await b.projections.apply(set, [replaceReadModel('k', '{"tenant":"b"}')], { key, state: unpartitionedState(2) });
      await b.projections.drop(set);
      assert.deepEqual(await a.projections.getAll(set), new Map([['k', '{"tenant":"a"}']]));
      assert.deepEqual(await a.processorStates.get(key), unpartitionedState(1));
    });
  });
}
