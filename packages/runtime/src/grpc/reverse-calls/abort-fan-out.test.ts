import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { abortSubscriberCount, onAbort } from './abort-fan-out.js';

describe('onAbort', () => {
  it('puts one listener on a shared signal however many subscribe, and calls each subscriber once', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const unsubscribes = Array.from({ length: 100 }, (_, i) => onAbort(controller.signal, () => calls.push(i)));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    assert.equal(abortSubscriberCount(controller.signal), 100);
    for (const unsubscribe of unsubscribes.slice(0, 98)) unsubscribe();
    assert.equal(abortSubscriberCount(controller.signal), 2);
    controller.abort();
    controller.abort();
    assert.deepEqual(calls, [98, 99]);
    assert.equal(abortSubscriberCount(controller.signal), 0);
  });
});
