// EventStore.CommitForAggregate and FetchForAggregate through the official SDK 17: the builder API, the
// deasync-based synchronous fetch, `aggregateOf().perform()`, and optimistic concurrency.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventType, EventTypeId } from '@dolittle/sdk.artifacts';
import {
  AggregateRootId,
  AggregateRootVersion,
  type CommittedAggregateEvent,
  type CommittedAggregateEvents,
  EventSourceId,
  UncommittedAggregateEvents,
} from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { outsidePromiseContinuation } from '../sdk';
import {
  aggregateRootConcurrencyConflict,
  assertOccurredAround,
  developmentTenantId,
  newId,
  storageSnapshot,
} from '../support/checks';
import {
  DishPrepared,
  dishPreparedTypeId,
  Kitchen,
  kitchenAggregateRootId,
  Pantry,
  pantryAggregateRootId,
} from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';

const kitchen = AggregateRootId.from(kitchenAggregateRootId);

/** What must be equal between a commit's answer and a later fetch. */
function summary(events: CommittedAggregateEvents) {
  return [...events].map((event: CommittedAggregateEvent) => ({
    sequenceNumber: event.eventLogSequenceNumber.value,
    version: event.aggregateRootVersion.value,
    aggregateRootId: event.aggregateRootId.value.toString(),
    eventSourceId: event.eventSourceId.value.toString(),
    type: `${event.type.id.value.toString()}/${event.type.generation.value}`,
    isPublic: event.isPublic,
    content: event.content,
    tenant: event.executionContext.tenantId.value.toString(),
    occurred: event.occurred.toMillis(),
  }));
}

describeOnEveryStore('aggregates with the official SDK', (suite) => {
  let next = 0;
  const eventSource = EventSourceId.from(newId());
  const dishes = ['Bean Blaster Taco', 'Avocado Artillery Tortilla', 'Chili Canon Wrap'];
  let committedFirst: ReturnType<typeof summary> = [];
  const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);
  const fetchKitchen = () => eventStore().fetchForAggregate(kitchen, eventSource);

  test('a new aggregate has no events, and the Runtime answers without a failure', async () => {
    const events = await fetchKitchen();
    assert.equal(events.length, 0);
    assert.equal(events.aggregateRootVersion.value, 0);
    // The SDK logs an error when a fetch answer has a failure or no CommittedAggregateEvents at all.
    const errors = suite.sdk.logs().filter((entry) => entry.level === 'error');
    assert.deepEqual(errors, []);
  });

  test('committing 3 events at expected version 0 returns them with aggregate root versions 0, 1, 2', async () => {
    const before = Date.now();
    const committed = await eventStore()
      .forAggregate(kitchen)
      .withEventSource(eventSource)
      .expectVersion(AggregateRootVersion.initial)
      .commit(dishes.map((dish) => ({ content: new DishPrepared(dish, 'Mr. Taco') })));
    const after = Date.now();

    committedFirst = summary(committed);
    assert.deepEqual(
      committedFirst.map((event) => event.version),
      [0, 1, 2],
    );
    assert.deepEqual(
      committedFirst.map((event) => event.sequenceNumber),
      [next, next + 1, next + 2],
    );
    next += 3;
    assert.deepEqual(
      committedFirst.map((event) => event.content.Dish),
      dishes,
    );
    for (const event of committedFirst) {
      assert.equal(event.aggregateRootId, kitchenAggregateRootId);
      assert.equal(event.eventSourceId, eventSource.value.toString());
      assert.equal(event.type, `${dishPreparedTypeId}/1`);
      assert.equal(event.isPublic, false);
      assert.equal(event.tenant, developmentTenantId);
      assertOccurredAround({ toMillis: () => event.occurred }, before, after);
    }
    assert.equal(committed.aggregateRootVersion.value, 2);
  });

  test('fetchForAggregate returns the same events with the same versions', async () => {
    const fetched = await fetchKitchen();
    assert.deepEqual(summary(fetched), committedFirst);
  });

  test('fetchForAggregateSync (deasync) returns the same events when called outside a promise continuation', async () => {
    const store = eventStore();
    const fetched = await outsidePromiseContinuation(() => store.fetchForAggregateSync(kitchen, eventSource));
    assert.deepEqual(summary(fetched), committedFirst);
  });

  test('aggregateOf() re-applies versions 0..2, then perform() commits the next event at expected version 3', async () => {
    const operations = await outsidePromiseContinuation(() =>
      suite.client.aggregateOf(Kitchen, eventSource, (builder) => builder.forTenant(TenantId.development)),
    );
    let loaded: Kitchen | undefined;
    await operations.perform((root) => {
      loaded = root;
      assert.deepEqual(root.replayed, dishes);
      assert.equal(root.version.value, 3);
      root.prepareDish('Guacamole Grenade', 'Ms. Salsa');
    });
    assert.ok(loaded);
    // The SDK counts versions 1, 2, 3 while re-applying: it calls nextVersion() before each @on method.
    assert.deepEqual(loaded.replayedVersions, [1, 2, 3]);

    const fetched = summary(await fetchKitchen());
    assert.deepEqual(
      fetched.map((event) => event.version),
      [0, 1, 2, 3],
    );
    assert.deepEqual(fetched[3]?.content, { Dish: 'Guacamole Grenade', Chef: 'Ms. Salsa' });
    assert.equal(fetched[3]?.sequenceNumber, next);
    next += 1;
  });

  test('the next commit with expectVersion(4) succeeds', async () => {
    const committed = await eventStore()
      .forAggregate(kitchen)
      .withEventSource(eventSource)
      .expectVersion(AggregateRootVersion.from(4))
      .commit([{ content: new DishPrepared('Nacho Nuke', 'Mr. Taco') }]);
    assert.deepEqual(
      summary(committed).map((event) => [event.version, event.sequenceNumber]),
      [[4, next]],
    );
    next += 1;
    assert.equal((await fetchKitchen()).length, 5);
  });

  test('two commits at the same expected version: one succeeds, the other fails with AggregateRootConcurrencyConflict', async () => {
    const attempt = (chef: string) =>
      eventStore().commitForAggregate(
        new UncommittedAggregateEvents(eventSource, kitchen, AggregateRootVersion.from(5), {
          content: new DishPrepared('Contested Churro', chef),
        }),
      );
    const results = await Promise.all([attempt('First'), attempt('Second')]);
    const succeeded = results.filter((result) => !result.failed);
    const failed = results.filter((result) => result.failed);
    assert.equal(succeeded.length, 1, 'exactly one of two commits at the same expected version must succeed');
    assert.equal(failed.length, 1);
    const [conflict] = failed;
    assert.equal(conflict?.failure?.id.value.toString(), aggregateRootConcurrencyConflict);
    assert.ok(conflict?.failure?.reason.value, 'the conflict should say what happened');
    assert.equal(conflict?.events.length, 0);
    assert.deepEqual(
      summary(succeeded[0]!.events).map((event) => [event.version, event.sequenceNumber]),
      [[5, next]],
    );
    next += 1;
    const fetched = summary(await fetchKitchen());
    assert.equal(fetched.length, 6);
    assert.equal(fetched[5]?.content.Chef, summary(succeeded[0]!.events)[0]?.content.Chef);
  });

  test('a stale or a future expected version is a conflict and stores nothing', async () => {
    for (const expected of [0, 3, 5, 7]) {
      const result = await eventStore().commitForAggregate(
        new UncommittedAggregateEvents(eventSource, kitchen, AggregateRootVersion.from(expected), {
          content: new DishPrepared(`Expected ${expected}`, 'Nobody'),
        }),
      );
      assert.equal(result.failed, true, `a commit expecting version ${expected} of an aggregate at 6 must fail`);
      assert.equal(result.failure?.id.value.toString(), aggregateRootConcurrencyConflict, `expected ${expected}`);
    }
    assert.equal((await fetchKitchen()).length, 6);
    // The refused commits took no sequence numbers.
    const after = await eventStore().commit(new DishPrepared('Plain Taco', 'Mr. Taco'), newId());
    assert.equal(after.events.toArray()[0]?.eventLogSequenceNumber.value, next);
    next += 1;
  });

  test('perform() on an aggregate that became stale resolves, stores nothing, and only logs the conflict (SDK quirk)', async () => {
    const operations = await outsidePromiseContinuation(() =>
      suite.client.aggregateOf(Kitchen, eventSource, (builder) => builder.forTenant(TenantId.development)),
    );
    // Someone else commits version 6 after the load…
    const other = await eventStore()
      .forAggregate(kitchen)
      .withEventSource(eventSource)
      .expectVersion(AggregateRootVersion.from(6))
      .commit([{ content: new DishPrepared('Sneaky Sope', 'Someone else') }]);
    assert.equal(other.length, 1);
    next += 1;
    const errorsBefore = suite.sdk.logs().filter((entry) => entry.level === 'error').length;

    // …so this perform() commits at expected version 6 again: the Runtime refuses, the SDK swallows it.
    await operations.perform((root) => root.prepareDish('Lost Lasagna', 'Too late'));

    const fetched = summary(await fetchKitchen());
    assert.equal(fetched.length, 7);
    assert.ok(!fetched.some((event) => event.content.Dish === 'Lost Lasagna'));
    const errors = suite.sdk.logs().filter((entry) => entry.level === 'error');
    assert.equal(errors.length, errorsBefore + 1, 'the SDK logs the refused commit once');
  });

  test('(aggregate root, event source) pairs are independent streams of versions', async () => {
    const otherSource = EventSourceId.from(newId());
    const pantry = AggregateRootId.from(pantryAggregateRootId);
    // Same aggregate root, new event source; new aggregate root, same event source: both start at version 0.
    for (const [aggregateRoot, source] of [
      [kitchen, otherSource],
      [pantry, eventSource],
    ] as const) {
      const committed = await eventStore()
        .forAggregate(aggregateRoot)
        .withEventSource(source)
        .expectVersion(AggregateRootVersion.initial)
        .commit([{ content: new DishPrepared('Fresh Start', 'Mr. Taco') }]);
      assert.deepEqual(
        summary(committed).map((event) => [event.version, event.sequenceNumber]),
        [[0, next]],
      );
      next += 1;
      const fetched = await eventStore().fetchForAggregate(aggregateRoot, source);
      assert.equal(fetched.length, 1);
    }
    // The Pantry aggregate (no @on methods) loads through aggregateOf too.
    const operations = await outsidePromiseContinuation(() =>
      suite.client.aggregateOf(Pantry, eventSource, (builder) => builder.forTenant(TenantId.development)),
    );
    await operations.perform((root) => assert.equal(root.version.value, 1));
    assert.equal((await fetchKitchen()).length, 7);
  });

  test('eight concurrent commits at the same expected version: exactly one succeeds', async () => {
    const source = EventSourceId.from(newId());
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        eventStore().commitForAggregate(
          new UncommittedAggregateEvents(source, kitchen, AggregateRootVersion.initial, {
            content: new DishPrepared(`Race ${index}`, `Chef ${index}`),
          }),
        ),
      ),
    );
    const succeeded = results.filter((result) => !result.failed);
    assert.equal(succeeded.length, 1);
    for (const result of results.filter((candidate) => candidate.failed)) {
      assert.equal(result.failure?.id.value.toString(), aggregateRootConcurrencyConflict);
    }
    assert.deepEqual(
      summary(succeeded[0]!.events).map((event) => [event.version, event.sequenceNumber]),
      [[0, next]],
    );
    next += 1;
    const fetched = summary(await eventStore().fetchForAggregate(kitchen, source));
    assert.deepEqual(fetched, summary(succeeded[0]!.events));
  });

  test('perform() applying several events commits them together at the version before them', async () => {
    const source = EventSourceId.new();
    const first = await outsidePromiseContinuation(() =>
      suite.client.aggregateOf(Kitchen, source, (builder) => builder.forTenant(TenantId.development)),
    );
    await first.perform((root) => {
      root.prepareDish('Starter', 'A');
      root.prepareDish('Main', 'B');
    });
    const second = await outsidePromiseContinuation(() =>
      suite.client.aggregateOf(Kitchen, source, (builder) => builder.forTenant(TenantId.development)),
    );
    await second.perform((root) => {
      assert.deepEqual(root.replayed, ['Starter', 'Main']);
      root.prepareDish('Dessert', 'C');
      root.prepareDish('Coffee', 'D');
      root.prepareDish('Digestif', 'E');
    });
    const fetched = summary(await eventStore().fetchForAggregate(kitchen, source));
    assert.deepEqual(
      fetched.map((event) => [event.version, event.sequenceNumber, event.content.Dish]),
      [
        [0, next, 'Starter'],
        [1, next + 1, 'Main'],
        [2, next + 2, 'Dessert'],
        [3, next + 3, 'Coffee'],
        [4, next + 4, 'Digestif'],
      ],
    );
    next += 5;
  });

  test('event content comes back from the store exactly as the SDK serialized it', async () => {
    const source = EventSourceId.from(newId());
    const tricky = {
      text: 'plain',
      unicode: 'æøå 日本語 עברית 😀 \u2028\u2029',
      escapes: 'quote " backslash \\ newline \n tab \t',
      controlCharacter: 'bell \u0007 escape \u001b',
      emptyString: '',
      numbers: [0, -1, 1.5, 1e-7, 123456789.125, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      booleans: [true, false],
      nothing: null,
      nested: { deeper: { deepest: [[], {}, [{ a: 1 }]] } },
      zebra: 'keys in non-alphabetical order',
      apple: 'stay where they were put',
      long: 'x'.repeat(100_000),
    };
    const committed = await eventStore()
      .forAggregate(kitchen)
      .withEventSource(source)
      .expectVersion(AggregateRootVersion.initial)
      .commit([{ content: tricky, eventType: new EventType(EventTypeId.from(dishPreparedTypeId)) }]);
    assert.equal(committed.length, 1);
    next += 1;
    const [fetched] = [...(await eventStore().fetchForAggregate(kitchen, source))];
    assert.ok(fetched);
    assert.deepEqual(fetched.content, JSON.parse(JSON.stringify(tricky)));
    assert.deepEqual(
      Object.keys(fetched.content),
      Object.keys(tricky),
      'the order of the content keys changed in the store',
    );
  });

  test('a string containing U+0000 is kept too', async () => {
    const source = EventSourceId.from(newId());
    const content = { withNul: 'before \u0000 after' };
    const result = await eventStore().commitForAggregate(
      new UncommittedAggregateEvents(source, kitchen, AggregateRootVersion.initial, {
        content,
        eventType: new EventType(EventTypeId.from(dishPreparedTypeId)),
      }),
    );
    assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
    next += 1;
    const [fetched] = [...(await eventStore().fetchForAggregate(kitchen, source))];
    assert.deepEqual(fetched?.content, content);
  });

  test('an aggregate commit for a tenant the Runtime does not know is refused and stores nothing', async () => {
    const unknownTenant = newId();
    const storedBefore = await storageSnapshot(suite);
    const result = await suite.client.eventStore.forTenant(TenantId.from(unknownTenant)).commitForAggregate(
      new UncommittedAggregateEvents(eventSource, kitchen, AggregateRootVersion.initial, {
        content: new DishPrepared('Ghost Taco', 'Nobody'),
      }),
    );
    assert.equal(result.failed, true);
    assert.ok(
      result.failure?.reason.value.toLowerCase().includes(unknownTenant.toLowerCase()),
      `the failure reason should name tenant ${unknownTenant}: "${result.failure?.reason.value}"`,
    );
    assert.deepEqual(await storageSnapshot(suite), storedBefore);
    // A fetch for the unknown tenant is refused as well: the SDK turns that into an empty result and an error log.
    const errorsBefore = suite.sdk.logs().filter((entry) => entry.level === 'error').length;
    const fetched = await suite.client.eventStore
      .forTenant(TenantId.from(unknownTenant))
      .fetchForAggregate(kitchen, eventSource);
    assert.equal(fetched.length, 0);
    const errors = suite.sdk.logs().filter((entry) => entry.level === 'error');
    assert.equal(errors.length, errorsBefore + 1);
    assert.ok(String(errors.at(-1)?.message).toLowerCase().includes(unknownTenant.toLowerCase()));
  });
});
