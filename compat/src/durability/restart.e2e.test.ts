// Stopping the Runtime (SIGTERM) or killing it (SIGKILL) and starting it again on the same store keeps every
// acknowledged event, the event log's numbering and every aggregate's version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AggregateRootId,
  AggregateRootVersion,
  type CommittedAggregateEvents,
  EventSourceId,
  UncommittedAggregateEvents,
} from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { outsidePromiseContinuation } from '../sdk';
import { aggregateRootConcurrencyConflict, newId } from '../support/checks';
import { DishPrepared, Kitchen, kitchenAggregateRootId } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';

const kitchen = AggregateRootId.from(kitchenAggregateRootId);

function summary(events: CommittedAggregateEvents) {
  return [...events].map((event) => ({
    sequenceNumber: event.eventLogSequenceNumber.value,
    version: event.aggregateRootVersion.value,
    type: `${event.type.id.value.toString()}/${event.type.generation.value}`,
    isPublic: event.isPublic,
    content: event.content,
    tenant: event.executionContext.tenantId.value.toString(),
    microservice: event.executionContext.microserviceId.value.toString(),
    correlation: event.executionContext.correlationId.value.toString(),
    occurred: event.occurred.toMillis(),
  }));
}

describeOnEveryStore('restarting the Runtime on the same store', (suite) => {
  const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);
  const sources = [EventSourceId.from(newId()), EventSourceId.from(newId())];
  let before: ReturnType<typeof summary>[] = [];
  let next = 0;

  test('commit plain and aggregate events before the restart', async () => {
    const plain = await eventStore().commit(
      [1, 2, 3].map((n) => ({ content: new DishPrepared(`Plain ${n}`, 'Mr. Taco'), eventSourceId: sources[0]! })),
    );
    assert.equal(plain.failed, false, `commit failed: ${plain.failure?.reason.value}`);
    next += 3;
    for (const [index, source] of sources.entries()) {
      const committed = await eventStore()
        .forAggregate(kitchen)
        .withEventSource(source)
        .expectVersion(AggregateRootVersion.initial)
        .commit(
          Array.from({ length: index + 2 }, (_, n) => ({
            content: new DishPrepared(`Dish ${index}.${n}`, 'Mr. Taco'),
            public: n % 2 === 1,
          })),
        );
      assert.equal(committed.length, index + 2);
      next += index + 2;
    }
    before = await Promise.all(
      sources.map(async (source) => summary(await eventStore().fetchForAggregate(kitchen, source))),
    );
    assert.deepEqual(
      before.map((events) => events.length),
      [2, 3],
    );
  });

  test('after SIGTERM and a new start, fetchForAggregate returns exactly what it did before', async () => {
    suite.sdk.close();
    await suite.runtime.restart({ samePorts: false });
    suite.reconnect();
    const after = await Promise.all(
      sources.map(async (source) => summary(await eventStore().fetchForAggregate(kitchen, source))),
    );
    assert.deepEqual(after, before);
  });

  test('after the restart the event log continues its numbering and aggregates their versions', async () => {
    const plain = await eventStore().commit(new DishPrepared('After restart', 'Mr. Taco'), newId());
    assert.equal(plain.failed, false, `commit failed: ${plain.failure?.reason.value}`);
    assert.equal(plain.events.toArray()[0]?.eventLogSequenceNumber.value, next);
    next += 1;

    const source = sources[1]!;
    const stale = await eventStore().commitForAggregate(
      new UncommittedAggregateEvents(source, kitchen, AggregateRootVersion.from(2), {
        content: new DishPrepared('Stale', 'Nobody'),
      }),
    );
    assert.equal(stale.failure?.id.value.toString(), aggregateRootConcurrencyConflict);

    const operations = await outsidePromiseContinuation(() =>
      suite.client.aggregateOf(Kitchen, source, (builder) => builder.forTenant(TenantId.development)),
    );
    await operations.perform((root) => {
      assert.deepEqual(root.replayed, ['Dish 1.0', 'Dish 1.1', 'Dish 1.2']);
      assert.equal(root.version.value, 3);
      root.prepareDish('Dish 1.3', 'After restart');
    });
    const fetched = summary(await eventStore().fetchForAggregate(kitchen, source));
    assert.deepEqual(
      fetched.map((event) => [event.version, event.sequenceNumber]),
      [...before[1]!.map((event) => [event.version, event.sequenceNumber]), [3, next]],
    );
    next += 1;
    before[1] = fetched;
  });

  test('after SIGKILL and a new start, every acknowledged commit is still there', async () => {
    const acknowledged = await eventStore()
      .forAggregate(kitchen)
      .withEventSource(sources[0]!)
      .expectVersion(AggregateRootVersion.from(2))
      .commit([{ content: new DishPrepared('Just before the crash', 'Mr. Taco') }]);
    assert.equal(acknowledged.length, 1);
    next += 1;
    before[0] = summary(await eventStore().fetchForAggregate(kitchen, sources[0]!));

    suite.sdk.close();
    await suite.runtime.kill();
    await suite.runtime.restart({ samePorts: false });
    suite.reconnect();
    const after = await Promise.all(
      sources.map(async (source) => summary(await eventStore().fetchForAggregate(kitchen, source))),
    );
    assert.deepEqual(after, before);
    const plain = await eventStore().commit(new DishPrepared('After the crash', 'Mr. Taco'), newId());
    assert.equal(plain.events.toArray()[0]?.eventLogSequenceNumber.value, next);
    next += 1;
  });

  test('an SDK client built before a restart on the same port works again once the Runtime is back', async () => {
    const survivor = suite.sdk;
    const survivorStore = survivor.client.eventStore.forTenant(TenantId.development);
    await suite.runtime.restart({ samePorts: true });
    // grpc-js 1.2 has no retries: calls fail with UNAVAILABLE until its reconnect back-off has passed.
    const deadline = Date.now() + 15_000;
    let fetched: CommittedAggregateEvents | undefined;
    let lastError: unknown;
    while (Date.now() < deadline && !fetched) {
      try {
        fetched = await survivorStore.fetchForAggregate(kitchen, sources[1]!);
      } catch (error) {
        lastError = error;
        await sleep(250);
      }
    }
    assert.ok(fetched, `the old client never reached the restarted Runtime: ${String(lastError)}`);
    assert.deepEqual(summary(fetched), before[1]);
  });
});
