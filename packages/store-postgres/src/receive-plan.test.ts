import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DolittleError } from '@dolittle-ts/fundamentals';
import { producerExecutionContext, receivedEvent } from '@dolittle-ts/store/conformance';
import { planReceive } from './receive-plan.js';

const received = new Date(0);

test("a receive's rows keep its order, bind each distinct execution context once, and move past its last position", () => {
  const [a, b] = [producerExecutionContext(), producerExecutionContext()];
  const events = [
    receivedEvent(3, { executionContext: a }),
    receivedEvent(4, { executionContext: { ...a } }),
    receivedEvent(9, { executionContext: b }),
  ];
  const { columns, next } = planReceive(3, events, received);
  assert.equal(next, 10);
  assert.deepEqual(columns.executionContexts, [JSON.stringify(a), JSON.stringify(b)]);
  assert.deepEqual(columns.contextIndexes, [1, 1, 2]);
  assert.deepEqual(columns.contents, ['{"at":3}', '{"at":4}', '{"at":9}']);
  assert.deepEqual(columns.producerSequenceNumbers, [1003, 1004, 1009]);
  assert.deepEqual(planReceive(7, [], received).next, 7);
});

test('a start that is not a whole number ≥ 0 is refused with InvalidArgument', () => {
  for (const from of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => planReceive(from, [receivedEvent(2)], received),
      (error) => error instanceof DolittleError && error.code === 'InvalidArgument' && /from/.test(error.message),
    );
  }
});
