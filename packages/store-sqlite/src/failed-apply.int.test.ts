import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailable } from '@dolittle-ts/fundamentals';
import {
  deleteReadModel,
  newReadModelSet,
  projectionProcessorKey,
  replaceReadModel,
  unpartitionedState,
} from '@dolittle-ts/store/conformance';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';
import { SqliteProjectionStates } from './sqlite-projection-states.js';
import { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';

describe('an apply whose transaction fails', () => {
  it("writes neither the read model changes nor the projection's state, and the next apply works", async () => {
    const db = new Database(':memory:');
    migrate(db, 'test');
    const states = new SqliteStreamProcessorStates(db, 'test');
    const projections = new SqliteProjectionStates(db, 'test', states);
    const set = newReadModelSet();
    const key = projectionProcessorKey(set);
    await projections.apply(set, [replaceReadModel('a', '{"v":1}'), replaceReadModel('b', '{"v":1}')], {
      key,
      state: unpartitionedState(2),
    });
    const before = await projections.getAll(set);

    // A full disk: the changes do not fit, so the transaction fails after some of them were written.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 2}`);
    const changes = [
      deleteReadModel('a'),
      replaceReadModel('b', '{"v":2}'),
      ...Array.from({ length: 4000 }, (_, i) =>
        replaceReadModel(`new ${i}`, JSON.stringify({ i, pad: 'x'.repeat(100) })),
      ),
    ];
    await assert.rejects(projections.apply(set, changes, { key, state: unpartitionedState(4002) }), (error) => {
      assert.ok(error instanceof StoreUnavailable);
      assert.match(error.message, /applying 4002 read model changes to projection .* generation 1 in scope .* failed/);
      assert.match(error.message, /neither they nor the projection's state were written/);
      assert.equal((error.cause as { code?: string }).code, 'SQLITE_FULL');
      return true;
    });
    assert.deepEqual(await projections.getAll(set), before);
    assert.deepEqual(await states.get(key), unpartitionedState(2));

    db.pragma('max_page_count = 1073741823');
    await projections.apply(set, changes, { key, state: unpartitionedState(4002) });
    assert.equal((await projections.getAll(set)).size, 4001);
    assert.equal(await projections.get(set, 'a'), undefined);
    assert.deepEqual(await states.get(key), unpartitionedState(4002));
    db.close();
  });
});
