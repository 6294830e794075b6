import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGuid } from '@dolittle-ts/fundamentals';
import type { EmbeddingState } from '../../index.js';
import type { ConformanceFixture } from '../harness.js';
import { embeddingPorts, embeddingState } from '../read-model-builders.js';

export function listingCases(fixture: ConformanceFixture): void {
  describe('listing and dropping embedding states', () => {
    it('getAll lists the embedding’s states, the removed ones only when asked for', async () => {
      const { embeddings } = embeddingPorts(await fixture.freshStore());
      const id = createGuid();
      assert.deepEqual(await embeddings.getAll(id, { includeRemoved: false }), new Map());
      assert.deepEqual(await embeddings.getAll(id, { includeRemoved: true }), new Map());

      const live: [string, EmbeddingState][] = [
        ['anna', embeddingState('{"name":"Anna"}', 2)],
        ['carl', embeddingState('{"name":"Carl"}', 1)],
      ];
      const removed: [string, EmbeddingState][] = [['bob', embeddingState('{"name":"Bob"}', 4, true)]];
      for (const [key, state] of [...live, ...removed]) await embeddings.set(id, key, state);
      // Another embedding with the same keys is not listed.
      await embeddings.set(createGuid(), 'anna', embeddingState('{"other":true}', 9));

      assert.deepEqual(await embeddings.getAll(id, { includeRemoved: false }), new Map(live));
      assert.deepEqual(await embeddings.getAll(id, { includeRemoved: true }), new Map([...live, ...removed]));

      // A removed embedding that is updated again is live again, and the other way round.
      await embeddings.set(id, 'bob', embeddingState('{"name":"Bob","back":true}', 5));
      await embeddings.set(id, 'carl', embeddingState('{"name":"Carl"}', 2, true));
      assert.deepEqual(
        await embeddings.getAll(id, { includeRemoved: false }),
        new Map([
          ['anna', embeddingState('{"name":"Anna"}', 2)],
          ['bob', embeddingState('{"name":"Bob","back":true}', 5)],
        ]),
      );
    });

    it('drop removes every state of that embedding only, and it can be filled again', async () => {
      const { embeddings } = embeddingPorts(await fixture.freshStore());
      const [dropped, kept] = [createGuid(), createGuid()];
      for (const id of [dropped, kept]) {
        await embeddings.set(id, 'a', embeddingState(`{"id":"${id}"}`, 1));
        await embeddings.set(id, 'b', embeddingState(`{"id":"${id}"}`, 2, true));
      }
      await embeddings.drop(dropped);
      await embeddings.drop(dropped);
      await embeddings.drop(createGuid());
      assert.equal(await embeddings.get(dropped, 'a'), undefined);
      assert.deepEqual(await embeddings.getAll(dropped, { includeRemoved: true }), new Map());
      assert.deepEqual(
        await embeddings.getAll(kept, { includeRemoved: true }),
        new Map([
          ['a', embeddingState(`{"id":"${kept}"}`, 1)],
          ['b', embeddingState(`{"id":"${kept}"}`, 2, true)],
        ]),
      );
      await embeddings.set(dropped, 'a', embeddingState('{"rebuilt":true}', 1));
      assert.deepEqual(
        await embeddings.getAll(dropped, { includeRemoved: false }),
        new Map([['a', embeddingState('{"rebuilt":true}', 1)]]),
      );
    });
  });
}
