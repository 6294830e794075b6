import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import {
  asStreamId,
  createGuid,
  defaultScope,
  eventLogStream,
  type PartitionId,
  type StreamPosition,
} from '@dolittle-ts/fundamentals';
import type { StreamEvent, StreamProcessorState, StreamRef, TenantStore } from '@dolittle-ts/store';
import { buildEvent, eventsCommit, newArtifact, newEventSourceId, newTenantId } from '@dolittle-ts/store/conformance';
import { createSqliteStoreProvider } from '@dolittle-ts/store-sqlite';
import pino from 'pino';
import { runEventHandler } from './event-handler.js';
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

describe('an event handler whose stream append fails after the batch was handed over', () => {
  it('handles every event again from its saved position, in order per event source, and the stream ends up the same', async () => {
    const store = await createSqliteStoreProvider({ memory: true }).open(newTenantId());
    const watcher = new EventWatcher();
    const type = newArtifact();
    const sources = [newEventSourceId(), newEventSourceId()] as const;
    const definition = { scope: defaultScope, id: createGuid(), types: [type.id], partitioned: true };
    const streams = store.streams;
    const append = streams.append.bind(streams);
    let failNext = true;
    streams.append = async (...args) => {
      // Fails after the filter handed the batch over, once the handler has had time to handle it.
      if (failNext) await delay(50);
      if (failNext) {
        failNext = false;
        throw new Error('the disk said no');
      }
      return append(...args);
    };
    const handled: StreamEvent[] = [];
    const run = (signal: AbortSignal) =>
      runEventHandler({
        store,
        definition,
        watcher,
        processor: {
          process: async (event) => {
            handled.push(event);
            return { kind: 'succeeded' };
          },
        },
        context: { tenant: store.tenantId, scope: defaultScope, partitioned: true, signal },
        logger,
        partitionsInFlight: 8,
      });

    const events = Array.from({ length: 6 }, (_, n) =>
      buildEvent({ type, eventSourceId: n % 2 === 0 ? sources[0] : sources[1] }),
    );
    const [outcome] = await store.events.commit([eventsCommit(events)], { occurred: new Date() });
    assert.ok(outcome?.ok);
    const newest = outcome.events.at(-1);
    assert.ok(newest !== undefined);
    notifyCommitted(watcher, newest.sequenceNumber, outcome.events);

    await assert.rejects(run(new AbortController().signal), /the disk said no/);
    assert.equal(handled.length, 6, 'the first run handled the batch before its append failed');
    assert.deepEqual(
      await stored(store, { scope: defaultScope, stream: asStreamId(definition.id), public: false }),
      [],
    );
    const again = new AbortController();
    const running = run(again.signal);
    const target: StreamRef = { scope: defaultScope, stream: asStreamId(definition.id), public: false };
    while ((await stored(store, target)).length < 6) await nextTurn();
    const last = handled.length;
    for (let i = 0; i < 100 && handled.length === last; i++) await nextTurn();
    again.abort();
    await running;

    // Every event handled, each event source's events in order in every run; the stream as the filter wrote it.
    const written = await stored(store, target);
    assert.deepEqual(
      written.map((e) => e.event.sequenceNumber),
      outcome.events.map((e) => e.sequenceNumber),
    );
    for (const source of sources) {
      const seen = handled.filter((e) => e.partition === (source as string)).map((e) => e.event.sequenceNumber);
      const expected: number[] = outcome.events.filter((e) => e.eventSourceId === source).map((e) => e.sequenceNumber);
      assert.deepEqual([...new Set(seen)], expected, `every event of ${source}, in order`);
      assert.deepEqual(
        seen.slice(-expected.length),
        expected,
        'the second run handles them in order from its saved position',
      );
    }
    for (const event of handled) {
      const entry = written.find((e) => e.position === event.position);
      assert.equal(
        entry?.event.sequenceNumber,
        event.event.sequenceNumber,
        'an entry handed over early is the one stored',
      );
    }
  });
});
