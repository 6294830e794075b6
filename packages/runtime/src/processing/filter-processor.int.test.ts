import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  asStreamId,
  createGuid,
  defaultScope,
  eventLogStream,
  type PartitionId,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import type { StreamEvent, StreamProcessorState, StreamRef, TenantStore } from '@dolittle-ts/store';
import { eventsCommit, newTenantId } from '@dolittle-ts/store/conformance';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import pino from 'pino';
import { EventWatcher, notifyCommitted } from './event-watcher.js';
import { runFilterProcessor } from './filter-processor.js';
import { createStreamSource } from './stream-source.js';

const logger = pino({ level: 'silent' });

/** A store whose stream appends wait for `release` before they write (a slow durable write, as on PostgreSQL). */
async function gatedStore(): Promise<{ store: TenantStore; appending: Promise<void>; release: () => void }> {
  const store = await createSqliteStoreProvider({ memory: true }).open(newTenantId());
  const streams = store.streams;
  const append = streams.append.bind(streams);
  let reached: () => void = () => {};
  const appending = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  streams.append = async (...args) => {
    reached();
    await released;
    return append(...args);
  };
  return { store, appending, release };
}

/** Commits `count` events to the log and tells the watcher, as the committer does. */
async function commit(store: TenantStore, watcher: EventWatcher, count: number): Promise<void> {
  const [outcome] = await store.events.commit([eventsCommit(count)], { occurred: new Date() });
  assert.ok(outcome?.ok);
  const last = outcome.events.at(-1);
  if (last !== undefined) notifyCommitted(watcher, last.sequenceNumber, outcome.events);
}

const fresh: Extract<StreamProcessorState, { kind: 'unpartitioned' }> = {
  kind: 'unpartitioned',
  position: 0 as StreamPosition,
  failure: undefined,
  lastSuccessfullyProcessed: new Date(0),
};

/** Runs an including filter over the log into a new private stream until `stop`. */
function startFilter(store: TenantStore, watcher: EventWatcher, deterministic: boolean) {
  const target: StreamRef = { scope: defaultScope, stream: asStreamId(createGuid()), public: false };
  const controller = new AbortController();
  const running = runFilterProcessor(
    {
      key: { scope: defaultScope, processorId: createGuid(), sourceStream: eventLogStream },
      source: createStreamSource(store, { kind: 'event-log', scope: defaultScope }, watcher),
      states: store.processorStates,
      streams: store.streams,
      watcher,
      target,
      context: { tenant: store.tenantId, scope: defaultScope, partitioned: true, signal: controller.signal },
      logger,
      deterministic,
      filter: { filter: (event) => ({ kind: 'included', partition: event.eventSourceId as string as PartitionId }) },
    },
    fresh,
  );
  const ref = { kind: 'stream', ...target } as const;
  return {
    ref,
    target,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}

const stored = (store: TenantStore, target: StreamRef) =>
  store.streams.read(target, { from: 0 as StreamPosition, limit: 10 });

const summary = (events: readonly StreamEvent[] | undefined) =>
  events?.map((e) => [e.position, e.partition, e.event.sequenceNumber]);

describe('a filter handing new entries to the watcher', () => {
  it('hands a deterministic filter’s batch over while its append is still written, the same entries the store then holds', async () => {
    const { store, appending, release } = await gatedStore();
    const watcher = new EventWatcher();
    const filter = startFilter(store, watcher, true);
    await commit(store, watcher, 3);
    await appending;
    await nextTurn();
    const early = watcher.recent(filter.ref, 0, 10);
    assert.equal(early?.length, 3, 'the processor can take the batch from memory before the append is durable');
    assert.ok(watcher.notifiedFrom(filter.ref, 2));
    assert.deepEqual(await stored(store, filter.target), [], 'not yet in the store');
    release();
    while ((await stored(store, filter.target)).length < 3) await nextTurn();
    assert.deepEqual(summary(await stored(store, filter.target)), summary(early));
    await filter.stop();
  });

  it('hands a filter that may answer differently another time its batch only once the append is durable', async () => {
    const { store, appending, release } = await gatedStore();
    const watcher = new EventWatcher();
    const filter = startFilter(store, watcher, false);
    await commit(store, watcher, 3);
    await appending;
    await nextTurn();
    assert.equal(watcher.recent(filter.ref, 0, 10), undefined);
    assert.equal(watcher.notifiedFrom(filter.ref, 0), false);
    release();
    while (watcher.recent(filter.ref, 0, 10) === undefined) await nextTurn();
    assert.equal((await stored(store, filter.target)).length, 3);
    await filter.stop();
  });

  it('waits for the append of a batch larger than the watcher keeps, so a processor never finds a notified entry nowhere', async () => {
    const { store, appending, release } = await gatedStore();
    const watcher = new EventWatcher({ tailCapacity: 2 });
    const filter = startFilter(store, watcher, true);
    await commit(store, watcher, 3);
    await appending;
    await nextTurn();
    assert.equal(watcher.notifiedFrom(filter.ref, 0), false);
    release();
    while (!watcher.notifiedFrom(filter.ref, 2)) await nextTurn();
    assert.equal((await stored(store, filter.target)).length, 3);
    await filter.stop();
  });
});
