import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { asScopeId, asStreamId, createGuid, defaultScope } from '@dolittle-ts/fundamentals';
import { EventWatcher, type SourceRef, sleep } from './event-watcher.js';

const log: SourceRef = { kind: 'event-log', scope: defaultScope };
const stream = asStreamId(createGuid());
const privateStream: SourceRef = { kind: 'stream', scope: defaultScope, stream, public: false };
const publicStream: SourceRef = { kind: 'stream', scope: defaultScope, stream, public: true };

/** Lets every pending promise callback run, then tells whether `promise` has settled. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await nextTurn();
  return done;
}

const forever = { timeoutMs: 2_147_483_647 };

describe('EventWatcher', () => {
  it('resolves at once for a position that was already notified, and never lowers what it saw', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const signal = controller.signal;
    watcher.notify(log, 5);
    watcher.notify(log, 2);
    assert.ok(await settled(watcher.wait(log, 0, { ...forever, signal })));
    assert.ok(await settled(watcher.wait(log, 5, { ...forever, signal })));
    assert.equal(await settled(watcher.wait(log, 6, { ...forever, signal })), false);
    controller.abort();
  });

  it('wakes a waiter when its position or a later one is written, not before', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const waiting = watcher.wait(log, 3, { ...forever, signal: controller.signal });
    watcher.notify(log, 2);
    assert.equal(await settled(waiting), false, 'position 2 is not position 3');
    watcher.notify(log, 7);
    assert.ok(await settled(waiting));
    controller.abort();
  });

  it('wakes exactly the waiters whose positions were written', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const options = { ...forever, signal: controller.signal };
    const [first, second, third] = [
      watcher.wait(log, 1, options),
      watcher.wait(log, 2, options),
      watcher.wait(log, 4, options),
    ];
    watcher.notify(log, 2);
    assert.deepEqual(await Promise.all([settled(first), settled(second), settled(third)]), [true, true, false]);
    controller.abort();
    assert.ok(await settled(third));
  });

  it('keeps sources apart: event logs of other scopes, private and public streams of the same id', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const options = { ...forever, signal: controller.signal };
    const onLog = watcher.wait(log, 0, options);
    const onOtherScope = watcher.wait({ kind: 'event-log', scope: asScopeId(createGuid()) }, 0, options);
    const onPrivate = watcher.wait(privateStream, 0, options);
    const onPublic = watcher.wait(publicStream, 0, options);
    watcher.notify(privateStream, 0);
    assert.deepEqual(
      await Promise.all([settled(onLog), settled(onOtherScope), settled(onPrivate), settled(onPublic)]),
      [false, false, true, false],
    );
    watcher.notify(log, 0);
    assert.deepEqual(await Promise.all([settled(onLog), settled(onOtherScope)]), [true, false]);
    controller.abort();
  });

  it('resolves after the timeout when nothing is written (the polling fallback)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const watcher = new EventWatcher();
    const signal = new AbortController().signal;
    const waiting = watcher.wait(log, 0, { timeoutMs: 1_000, signal });
    t.mock.timers.tick(999);
    assert.equal(await settled(waiting), false);
    t.mock.timers.tick(1);
    assert.ok(await settled(waiting));
    assert.equal(getEventListeners(signal, 'abort').length, 0, 'the abort listener is removed');
    watcher.notify(log, 0);
  });

  it('resolves (never rejects) when the signal aborts, also when it was aborted before', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const waiting = watcher.wait(log, 0, { ...forever, signal: controller.signal });
    assert.equal(await settled(waiting), false);
    controller.abort(new Error('the head went away'));
    await waiting;
    await watcher.wait(log, 0, { ...forever, signal: controller.signal });
  });

  it('leaves no listener or waiter behind once woken', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const waits = Array.from({ length: 20 }, () => watcher.wait(log, 0, { ...forever, signal: controller.signal }));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 20);
    watcher.notify(log, 0);
    await Promise.all(waits);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});

describe('SourceWaiter', () => {
  it('ends a wait when its position is written, not for a write before it, and at once when already written', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const waiter = watcher.waiter(log, controller.signal);
    watcher.notify(log, 2);
    assert.ok(await settled(waiter.wait(2, forever.timeoutMs)));
    const waiting = waiter.wait(4, forever.timeoutMs);
    watcher.notify(log, 3);
    assert.equal(await settled(waiting), false);
    watcher.notify(privateStream, 9);
    assert.equal(await settled(waiting), false);
    watcher.notify(log, 4);
    assert.ok(await settled(waiting));
    waiter.close();
  });

  it('ends a wait on wake, on abort, on close, and when its timeout passes', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const waiter = watcher.waiter(log, controller.signal);
    const woken = waiter.wait(0, forever.timeoutMs);
    waiter.wake();
    assert.ok(await settled(woken));
    const started = Date.now();
    await waiter.wait(0, 20);
    assert.ok(Date.now() - started >= 15, 'a 20 ms timeout ends the wait after about 20 ms');
    const aborted = waiter.wait(0, forever.timeoutMs);
    controller.abort();
    assert.ok(await settled(aborted));
    assert.ok(await settled(waiter.wait(0, forever.timeoutMs)), 'an aborted waiter does not wait');
    const other = watcher.waiter(log, new AbortController().signal);
    const closed = other.wait(0, forever.timeoutMs);
    other.close();
    assert.ok(await settled(closed));
    waiter.close();
  });

  it('keeps one abort listener and one registration for all its waits, and none once closed', async () => {
    const watcher = new EventWatcher();
    const controller = new AbortController();
    const waiter = watcher.waiter(log, controller.signal);
    for (let position = 0; position < 100; position++) {
      const waiting = waiter.wait(position, forever.timeoutMs);
      watcher.notify(log, position);
      await waiting;
    }
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    waiter.close();
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    // Closed: a later write finds nobody to tell, and a wait on the watcher still works.
    watcher.notify(log, 100);
    const later = watcher.wait(log, 101, { ...forever, signal: controller.signal });
    watcher.notify(log, 101);
    assert.ok(await settled(later));
  });

  it('arms its fallback timer again when a wait needs it sooner than the armed one', async () => {
    const watcher = new EventWatcher();
    const waiter = watcher.waiter(log, new AbortController().signal);
    const long = waiter.wait(0, forever.timeoutMs);
    waiter.wake();
    await long;
    const started = Date.now();
    await waiter.wait(0, 20);
    const took = Date.now() - started;
    assert.ok(took >= 15 && took < 1000, `the 20 ms wait took ${took} ms`);
    waiter.close();
  });
});

describe('sleep', () => {
  it('resolves after the time, or at once when the signal aborts', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const controller = new AbortController();
    const short = sleep(50, controller.signal);
    t.mock.timers.tick(49);
    assert.equal(await settled(short), false);
    t.mock.timers.tick(1);
    assert.ok(await settled(short));

    // Longer than a timer can hold: clamped to the longest timer instead of firing at once.
    const long = sleep(Number.MAX_SAFE_INTEGER, controller.signal);
    t.mock.timers.tick(1_000_000);
    assert.equal(await settled(long), false);
    controller.abort();
    assert.ok(await settled(long));
    assert.ok(await settled(sleep(1_000, controller.signal)), 'an aborted signal does not wait');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });
});
