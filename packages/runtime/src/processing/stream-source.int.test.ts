import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultScope, type StreamPosition } from '@dolittle-ts/fundamentals';
import type { TenantStore } from '@dolittle-ts/store';
import { eventsCommit, newTenantId } from '@dolittle-ts/store/conformance';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import { EventWatcher, notifyCommitted } from './event-watcher.js';
import { createStreamSource } from './stream-source.js';

const log = { kind: 'event-log', scope: defaultScope } as const;

/** The tenant store with its event-log reads counted. */
async function countingStore(): Promise<{ store: TenantStore; reads: () => number }> {
  const store = await createSqliteStoreProvider({ memory: true }).open(newTenantId());
  let reads = 0;
  const events = store.events;
  const read = events.read.bind(events);
  events.read = (...args) => {
    reads++;
    return read(...args);
  };
  return { store, reads: () => reads };
}

async function commit(store: TenantStore, watcher: EventWatcher, count: number): Promise<void> {
  const [outcome] = await store.events.commit([eventsCommit(count)], { occurred: new Date() });
  assert.ok(outcome?.ok);
  const last = outcome.events[outcome.events.length - 1];
  if (last !== undefined) watcher.notify(log, last.sequenceNumber);
}

const at = (n: number) => n as StreamPosition;

describe('a stream source with the watcher', () => {
  it('answers a read from where the source was seen to end without a query, until a write there is notified', async () => {
    const { store, reads } = await countingStore();
    const watcher = new EventWatcher();
    const source = createStreamSource(store, log, watcher);
    await commit(store, watcher, 3);

    assert.equal((await source.read(at(0), 10)).length, 3);
    assert.equal(reads(), 1);
    assert.deepEqual(await source.read(at(3), 10), [], 'the end seen by the partial read');
    assert.equal(reads(), 1, 'no query for it');

    await commit(store, watcher, 2);
    const next = await source.read(at(3), 10);
    assert.deepEqual(
      next.map((event) => event.position),
      [3, 4],
    );
    assert.equal(reads(), 2);
    assert.deepEqual(await source.read(at(5), 10), []);
    assert.equal(reads(), 2);
  });

  it('reads again after a full batch, and from before the end it saw', async () => {
    const { store, reads } = await countingStore();
    const watcher = new EventWatcher();
    const source = createStreamSource(store, log, watcher);
    await commit(store, watcher, 4);
    assert.equal((await source.read(at(0), 4)).length, 4);
    assert.deepEqual(await source.read(at(4), 4), [], 'a full batch does not show the end: this one is read');
    assert.equal(reads(), 2);
    assert.equal((await source.read(at(1), 10)).length, 3, 'a position before the end seen is read');
    assert.equal(reads(), 3);
  });

  it('queries every read without a watcher', async () => {
    const { store, reads } = await countingStore();
    const source = createStreamSource(store, log);
    await store.events.commit([eventsCommit(2)], { occurred: new Date() });
    assert.equal((await source.read(at(0), 10)).length, 2);
    assert.deepEqual(await source.read(at(2), 10), []);
    assert.deepEqual(await source.read(at(2), 10), []);
    assert.equal(reads(), 3);
  });

  it('gives the newest events the committer passed along from memory, the same as the store reads them', async () => {
    const { store, reads } = await countingStore();
    const watcher = new EventWatcher({ tailCapacity: 4 });
    const source = createStreamSource(store, log, watcher);
    const plain = createStreamSource(store, log);
    const committed = async (count: number) => {
      const [outcome] = await store.events.commit([eventsCommit(count)], { occurred: new Date() });
      assert.ok(outcome?.ok);
      notifyCommitted(watcher, outcome.events[outcome.events.length - 1]!.sequenceNumber, outcome.events);
    };
    await committed(3);
    await committed(2);
    const before = reads();
    const recent = await source.read(at(1), 10);
    assert.equal(reads(), before, 'no query');
    assert.deepEqual(recent, await plain.read(at(1), 10));
    assert.deepEqual(await source.read(at(5), 10), [], 'and the end it saw');
    assert.equal(reads(), before + 1, 'only the plain read queried');

    await committed(10); // more than the tail keeps (2 × 4): it keeps the newest 4
    assert.deepEqual(
      (await source.read(at(11), 2)).map((event) => event.position),
      [11, 12],
    );
    assert.equal(reads(), before + 1);
    const older = await source.read(at(2), 3);
    assert.deepEqual(
      older.map((event) => event.position),
      [2, 3, 4],
    );
    assert.equal(reads(), before + 2, 'what the tail no longer holds is read from the store');
  });

  it('starts its tail again when a write it was not given comes between', async () => {
    const { store, reads } = await countingStore();
    const watcher = new EventWatcher();
    const source = createStreamSource(store, log, watcher);
    const [first] = await store.events.commit([eventsCommit(2)], { occurred: new Date() });
    assert.ok(first?.ok);
    notifyCommitted(watcher, first.events[1]!.sequenceNumber, first.events);
    await commit(store, watcher, 2); // notified without its events
    const [third] = await store.events.commit([eventsCommit(1)], { occurred: new Date() });
    assert.ok(third?.ok);
    notifyCommitted(watcher, third.events[0]!.sequenceNumber, third.events);

    assert.deepEqual(
      (await source.read(at(4), 10)).map((event) => event.position),
      [4],
      'the tail holds what came after the gap',
    );
    assert.equal(reads(), 0);
    assert.deepEqual(
      (await source.read(at(0), 10)).map((event) => event.position),
      [0, 1, 2, 3, 4],
      'what came before it is read from the store',
    );
    assert.equal(reads(), 1);
  });
});
