import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuid, DolittleError } from '@dolittle-ts/fundamentals';
import type { EmbeddingState } from '../../index.js';
import { newTenantId } from '../builders.js';
import { awkwardContents, hostileStrings, megabyteDocument } from '../event-store/round-trip.js';
import type { ConformanceFixture } from '../harness.js';
import { embeddingPorts, embeddingState } from '../read-model-builders.js';

export function storingCases(fixture: ConformanceFixture): void {
  describe('storing embedding states', () => {
    it('an unknown embedding or key has no state', async () => {
      const { embeddings } = embeddingPorts(await fixture.freshStore());
      const id = createGuid();
      assert.equal(await embeddings.get(id, 'unknown'), undefined);
      await embeddings.set(id, 'known', embeddingState('{}', 1));
      assert.equal(await embeddings.get(id, 'unknown'), undefined);
      assert.equal(await embeddings.get(createGuid(), 'known'), undefined);
    });

    it('keeps state, version and removed exactly: verbatim JSON, hostile keys, big versions', async () => {
      const { embeddings } = embeddingPorts(await fixture.freshStore());
      const id = createGuid();
      const states = [
        ...awkwardContents,
        JSON.stringify({ hostile: hostileStrings }),
        `{"raw":"'; DROP TABLE embedding_states; --"}`,
        megabyteDocument(),
      ];
      const written = new Map<string, EmbeddingState>();
      for (const [i, state] of states.entries()) written.set(`state ${i}`, embeddingState(state, i, i % 2 === 1));
      for (const [i, key] of hostileStrings.entries()) written.set(key, embeddingState(`{"key":${i}}`, 2 ** 40 + i));
      written.set('version 0', embeddingState('{"never":"committed"}', 0));
      written.set('æøå 日本語 🎉', embeddingState('"unicode key"', 3, true));
      // Keys are what a head chose; they may hold what database text cannot.
      written.set('nul\u0000inside', embeddingState('"nul key"', 1));
      written.set('lone \ud800 surrogate', embeddingState('"surrogate key"', 1));
      written.set('\u0001marker', embeddingState('"marker key"', 1));
      for (const [key, state] of written) await embeddings.set(id, key, state);
      for (const [key, state] of written) {
        assert.deepEqual(await embeddings.get(id, key), state, `key ${JSON.stringify(key.slice(0, 40))}`);
      }
      assert.deepEqual(
        new Set((await embeddings.getAll(id, { includeRemoved: true })).keys()),
        new Set(written.keys()),
      );
    });

    it('set replaces the state, version and removed flag', async () => {
      const { embeddings } = embeddingPorts(await fixture.freshStore());
      const id = createGuid();
      for (const state of [
        embeddingState('{"name":"Anna"}', 1),
        embeddingState('{"name":"Anna","role":"chef"}', 3),
        embeddingState('{"name":"Anna","role":"chef"}', 4, true),
        embeddingState('{"name":"Anna"}', 6),
      ]) {
        await embeddings.set(id, 'anna', state);
        assert.deepEqual(await embeddings.get(id, 'anna'), state);
      }
    });

    it('refuses a version that is not a whole number ≥ 0, and keeps what was stored', async () => {
      const { embeddings } = embeddingPorts(await fixture.freshStore());
      const id = createGuid();
      await embeddings.set(id, 'k', embeddingState('{"v":1}', 1));
      for (const version of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(embeddings.set(id, 'k', embeddingState('{"v":2}', version)), (error) => {
          assert.ok(
            error instanceof DolittleError,
            `version ${version}: expected a DolittleError, got ${String(error)}`,
          );
          return true;
        });
        await assert.rejects(embeddings.set(id, 'new', embeddingState('{"v":2}', version)), DolittleError);
      }
      assert.deepEqual(await embeddings.get(id, 'k'), embeddingState('{"v":1}', 1));
      assert.equal(await embeddings.get(id, 'new'), undefined);
    });

    it('states survive close and open', {
      skip: !fixture.harness.persistent && 'this storage does not outlive its store',
    }, async () => {
      const provider = await fixture.provider();
      const tenant = newTenantId();
      const [employees, dishes] = [createGuid(), createGuid()];
      const first = await fixture.open(provider, tenant);
      const written = embeddingPorts(first).embeddings;
      await written.set(employees, 'anna', embeddingState('{"name":"Anna"}', 1));
      await written.set(employees, 'anna', embeddingState('{"name":"Anna","role":"chef"}', 2));
      await written.set(employees, 'bob', embeddingState('{"name":"Bob"}', 3, true));
      await written.set(dishes, 'taco', embeddingState('{"dish":"taco"}', 1));
      await first.close();

      const second = await fixture.open(provider, tenant);
      const { embeddings } = embeddingPorts(second);
      assert.deepEqual(await embeddings.get(employees, 'anna'), embeddingState('{"name":"Anna","role":"chef"}', 2));
      assert.deepEqual(
        await embeddings.getAll(employees, { includeRemoved: true }),
        new Map([
          ['anna', embeddingState('{"name":"Anna","role":"chef"}', 2)],
          ['bob', embeddingState('{"name":"Bob"}', 3, true)],
        ]),
      );
      await embeddings.drop(dishes);
      await second.close();

      const third = embeddingPorts(await fixture.open(provider, tenant)).embeddings;
      assert.deepEqual(await third.getAll(dishes, { includeRemoved: true }), new Map());
      assert.deepEqual(await third.get(employees, 'bob'), embeddingState('{"name":"Bob"}', 3, true));
    });

    it("keeps tenants apart: two tenants of one provider never see each other's states", async () => {
      const provider = await fixture.provider();
      const a = embeddingPorts(await fixture.open(provider, newTenantId())).embeddings;
      const b = embeddingPorts(await fixture.open(provider, newTenantId())).embeddings;
      const id = createGuid();
      await a.set(id, 'k', embeddingState('{"tenant":"a"}', 1));
      assert.equal(await b.get(id, 'k'), undefined);
      assert.deepEqual(await b.getAll(id, { includeRemoved: true }), new Map());
      await b.set(id, 'k', embeddingState('{"tenant":"b"}', 2));
      await b.drop(id);
      assert.deepEqual(await a.get(id, 'k'), embeddingState('{"tenant":"a"}', 1));
    });
  });
}
