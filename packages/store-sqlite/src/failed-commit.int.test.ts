import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, StoreUnavailable } from '@dolittle-ts/fundamentals';
import { buildEvent, committedEvents, eventsCommit, megabyteDocument, readAll } from '@dolittle-ts/store/conformance';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';
import { SqliteEventStore } from './sqlite-event-store.js';

describe('a batch whose transaction fails', () => {
  it('writes and acknowledges nothing, and numbering goes on without a gap', async () => {
    const db = new Database(':memory:');
    migrate(db, 'test');
    const events = new SqliteEventStore(db, 'test');
    const occurred = new Date();
    const before = (await events.commit([eventsCommit(3)], { occurred })).flatMap(committedEvents);

    // A full disk: the batch's second commit does not fit, so the transaction fails after the first was written.
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 2}`);
    await assert.rejects(
      events.commit([eventsCommit(2), eventsCommit([buildEvent({ content: megabyteDocument() })])], { occurred }),
      (error) => {
        assert.ok(error instanceof StoreUnavailable);
        assert.match(error.message, /none of its 2 commits was written/);
        assert.equal((error.cause as { code?: string }).code, 'SQLITE_FULL');
        return true;
      },
    );
    assert.equal(await events.nextSequenceNumber(defaultScope), 3);
    assert.deepEqual(await readAll(events), before);

    db.pragma('max_page_count = 1073741823');
    const after = committedEvents((await events.commit([eventsCommit(2)], { occurred }))[0]);
    assert.deepEqual(
      after.map((e) => e.sequenceNumber),
      [3, 4],
    );
    db.close();
  });
});
