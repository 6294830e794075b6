import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, StoreUnavailable } from '@dolittle-ts/fundamentals';
import {
  committedEvents,
  eventsCommit,
  megabyteDocument,
  newConsentId,
  newSubscriptionKey,
  readAll,
  receivedEvent,
  receivedEvents,
  streamPosition,
} from '@dolittle-ts/store/conformance';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { SqliteSubscriptionStates } from './sqlite-subscription-states.js';

describe('a receive whose transaction fails', () => {
  for (const into of ['a scope', 'the default scope'] as const) {
    it(`into ${into} writes neither events nor position, and both logs go on without a gap`, async () => {
      const db = new Database(':memory:');
      migrate(db, 'test');
      const events = new SqliteEventStore(db, 'test');
      const subscriptions = new SqliteSubscriptionStates(db, 'test', events);
      const key = newSubscriptionKey(into === 'a scope' ? {} : { scope: defaultScope });
      const options = { consentId: newConsentId(), received: new Date() };
      const committed = committedEvents((await events.commit([eventsCommit(2)], { occurred: new Date() }))[0]);
      const before = await readAll(events, key.scope);
      const first = await subscriptions.receive(key, streamPosition(0), receivedEvents([0, 1]), options);
      const log = [...before, ...first];

      // A full disk: the receive does not fit, so its transaction fails after its first events were inserted.
      const pages = Number(db.pragma('page_count', { simple: true }));
      db.pragma(`max_page_count = ${pages + 2}`);
      const big = [receivedEvent(2), receivedEvent(3), receivedEvent(4, { content: megabyteDocument() })];
      await assert.rejects(subscriptions.receive(key, streamPosition(2), big, options), (error) => {
        assert.ok(error instanceof StoreUnavailable);
        assert.match(error.message, /receiving 3 events for the subscription to partition .* failed/);
        assert.match(error.message, /neither they nor the subscription's position were written/);
        assert.equal((error.cause as { code?: string }).code, 'SQLITE_FULL');
        return true;
      });
      assert.equal(await subscriptions.position(key), 2);
      assert.deepEqual(await readAll(events, key.scope), log);
      assert.equal(await events.nextSequenceNumber(key.scope), log.length);

      db.pragma('max_page_count = 1073741823');
      const next = await subscriptions.receive(key, streamPosition(2), receivedEvents([2]), options);
      assert.deepEqual(
        next.map((e) => e.sequenceNumber),
        [log.length],
      );
      assert.equal(await subscriptions.position(key), 3);
      const after = committedEvents((await events.commit([eventsCommit(1)], { occurred: new Date() }))[0]);
      assert.equal(after[0]?.sequenceNumber, into === 'a scope' ? committed.length : log.length + 1);
      db.close();
    });
  }
});
