import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreUnavailable } from '@dolittle-ts/fundamentals';
import {
  filtered,
  filterKeyOf,
  newPartitionId,
  privateStream,
  readStream,
  seedEventLog,
  unpartitionedState,
} from '@dolittle-ts/store/conformance';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';
import { SqliteStreams } from './sqlite-streams.js';

describe('an append whose transaction fails', () => {
  it('writes neither entries nor state, and positions go on without a gap', async () => {
    const db = new Database(':memory:');
    migrate(db, 'test');
    const events = new SqliteEventStore(db, 'test');
    const states = new SqliteStreamProcessorStates(db, 'test');
    const streams = new SqliteStreams(db, 'test', states);
    await seedEventLog(events, 5000);
    const stream = privateStream();
    const key = filterKeyOf(stream);
    await streams.append(stream, filtered([0, 1, 2]), { key, state: unpartitionedState(3) });
    const before = await readStream(streams, stream);

    // A full disk: the append does not fit, so its transaction fails after some of its entries were inserted.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 2}`);
    const entries = filtered(
      Array.from({ length: 4000 }, (_, i) => i + 3),
      newPartitionId(),
    );
    await assert.rejects(streams.append(stream, entries, { key, state: unpartitionedState(4003) }), (error) => {
      assert.ok(error instanceof StoreUnavailable);
      assert.match(error.message, /appending 4000 events to private stream .* failed/);
      assert.match(error.message, /neither they nor the filter's state were written/);
      assert.equal((error.cause as { code?: string }).code, 'SQLITE_FULL');
      return true;
    });
    assert.equal(await streams.nextPosition(stream), 3);
    assert.deepEqual(await readStream(streams, stream), before);
    assert.deepEqual(await states.get(key), unpartitionedState(3));

    db.pragma('max_page_count = 1073741823');
    await streams.append(stream, filtered([3, 4]), { key, state: unpartitionedState(5) });
    assert.deepEqual(
      (await readStream(streams, stream)).map((e) => [e.position, e.event.sequenceNumber]),
      [
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ],
    );
    db.close();
  });
});
