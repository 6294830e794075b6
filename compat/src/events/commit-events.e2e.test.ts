// EventStore.Commit through the official SDK 17: what `commit` / `commitPublic` return, and that the event log
// numbers events densely from 0 in commit order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventType, EventTypeId, Generation } from '@dolittle/sdk.artifacts';
import { AggregateRootId, AggregateRootVersion, type CommittedEvent, EventSourceId } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { createSdkClient } from '../sdk';
import {
  assertOccurredAround,
  developmentTenantId,
  executionContextOf,
  newId,
  storageSnapshot,
} from '../support/checks';
import {
  ChefHired,
  chefHiredTypeId,
  DishPrepared,
  dishPreparedTypeId,
  kitchenAggregateRootId,
} from '../support/kitchen';
import { describeOnEveryStore, registerKitchenEventTypes } from '../support/runtime-suite';

describeOnEveryStore('committing events with the official SDK', (suite) => {
  /** The sequence number the next committed event must get: the suite starts on an empty store. */
  let next = 0;
  const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);

  test('a single event comes back committed with sequence number 0 and everything the SDK sent', async () => {
    const store = eventStore();
    const sent = executionContextOf(store);
    const eventSource = newId();
    const before = Date.now();
    const result = await store.commit(new DishPrepared('Bean Blaster Taco', 'Mr. Taco'), eventSource);
    const after = Date.now();

    assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
    const [event, ...rest] = result.events.toArray();
    assert.ok(event);
    assert.equal(rest.length, 0);
    assert.equal(event.eventLogSequenceNumber.value, next);
    next += 1;
    assert.deepEqual(event.content, { Dish: 'Bean Blaster Taco', Chef: 'Mr. Taco' });
    assert.ok(event.eventSourceId.equals(EventSourceId.from(eventSource)), `${event.eventSourceId} ≠ ${eventSource}`);
    assert.equal(event.type.id.value.toString(), dishPreparedTypeId);
    assert.equal(event.type.generation.value, 1);
    assert.equal(event.isPublic, false);
    assert.equal(event.isExternal, false);
    assertOccurredAround(event.occurred, before, after);

    const context = event.executionContext;
    assert.equal(context.tenantId.value.toString(), developmentTenantId);
    assert.equal(context.microserviceId.value.toString(), suite.sdk.microserviceId);
    assert.equal(context.correlationId.value.toString(), sent.correlationId.value.toString());
  });

  test('several events in one commit get consecutive sequence numbers, in order, with their own content', async () => {
    const eventSource = newId();
    const dishes = ['Avocado Artillery Tortilla', 'Chili Canon Wrap', 'Guacamole Grenade'];
    const result = await eventStore().commit(
      dishes.map((dish, index) => ({
        content: new DishPrepared(dish, `Chef ${index}`),
        eventSourceId: EventSourceId.from(eventSource),
      })),
    );

    assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
    const events = result.events.toArray();
    assert.deepEqual(
      events.map((event) => event.eventLogSequenceNumber.value),
      [next, next + 1, next + 2],
    );
    next += 3;
    assert.deepEqual(
      events.map((event) => event.content.Dish),
      dishes,
    );
    assert.deepEqual(
      events.map((event) => event.content.Chef),
      ['Chef 0', 'Chef 1', 'Chef 2'],
    );
  });

  test('commitPublic marks the event public; a mixed commit keeps each public flag', async () => {
    const eventSource = newId();
    const published = await eventStore().commitPublic(new DishPrepared('Nacho Nuke', 'Ms. Salsa'), eventSource);
    assert.equal(published.failed, false, `commit failed: ${published.failure?.reason.value}`);
    const [event] = published.events.toArray();
    assert.equal(event?.isPublic, true);
    assert.equal(event?.eventLogSequenceNumber.value, next);
    next += 1;

    const mixed = await eventStore().commit([
      { content: new DishPrepared('Private Burrito', 'A'), eventSourceId: EventSourceId.from(eventSource) },
      {
        content: new DishPrepared('Public Quesadilla', 'B'),
        eventSourceId: EventSourceId.from(eventSource),
        public: true,
      },
      {
        content: new DishPrepared('Private Enchilada', 'C'),
        eventSourceId: EventSourceId.from(eventSource),
        public: false,
      },
    ]);
    assert.equal(mixed.failed, false, `commit failed: ${mixed.failure?.reason.value}`);
    assert.deepEqual(
      mixed.events.toArray().map((committed) => [committed.content.Dish, committed.isPublic]),
      [
        ['Private Burrito', false],
        ['Public Quesadilla', true],
        ['Private Enchilada', false],
      ],
    );
    assert.deepEqual(
      mixed.events.toArray().map((committed) => committed.eventLogSequenceNumber.value),
      [next, next + 1, next + 2],
    );
    next += 3;
  });

  test('event type generations and explicit event type ids survive the round trip', async () => {
    const eventSource = newId();
    const hired = await eventStore().commit(new ChefHired('Mr. Taco', '2021-07-23'), eventSource);
    assert.equal(hired.failed, false, `commit failed: ${hired.failure?.reason.value}`);
    const [event] = hired.events.toArray();
    assert.equal(event?.type.id.value.toString(), chefHiredTypeId);
    assert.equal(event?.type.generation.value, 2);
    next += 1;

    // A plain object with an explicit event type (id + generation), as an SDK user without classes writes it.
    const customType = new EventType(EventTypeId.from(newId()), Generation.from(7));
    const custom = await eventStore().commit({ anything: ['goes', 1, true, null] }, eventSource, customType);
    assert.equal(custom.failed, false, `commit failed: ${custom.failure?.reason.value}`);
    const [customEvent] = custom.events.toArray();
    assert.equal(customEvent?.type.id.value.toString(), customType.id.value.toString());
    assert.equal(customEvent?.type.generation.value, 7);
    assert.deepEqual(customEvent?.content, { anything: ['goes', 1, true, null] });
    assert.equal(customEvent?.eventLogSequenceNumber.value, next);
    next += 1;
  });

  test('ids are opaque 16 bytes: SDK-made, all-ones and empty GUIDs round-trip unchanged', async () => {
    // The SDK's Guid.create() does not set RFC 4122 version bits; the Runtime must not care.
    const sources = [
      EventSourceId.new(),
      EventSourceId.from('ffffffff-ffff-ffff-ffff-ffffffffffff'),
      EventSourceId.from('00000000-0000-0000-0000-000000000000'),
    ];
    const type = new EventType(EventTypeId.from('0123abcd-ef01-f234-c567-89abcdef0123'), Generation.from(3));
    const result = await eventStore().commit(
      sources.map((source) => ({
        content: { source: source.value.toString() },
        eventSourceId: source,
        eventType: type,
      })),
    );
    assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
    assert.deepEqual(
      result.events.toArray().map((event) => [event.eventSourceId.value.toString(), event.type.id.value.toString()]),
      sources.map((source) => [source.value.toString(), '0123abcd-ef01-f234-c567-89abcdef0123']),
    );
    next += sources.length;
  });

  test('each forTenant() call sends its own correlation id, and the Runtime stores the one it received', async () => {
    const first = eventStore();
    const second = eventStore();
    const eventSource = newId();
    const fromFirst = await first.commit(new DishPrepared('One', 'A'), eventSource);
    const fromFirstAgain = await first.commit(new DishPrepared('Two', 'A'), eventSource);
    const fromSecond = await second.commit(new DishPrepared('Three', 'B'), eventSource);
    next += 3;
    const correlation = (result: { events: { toArray(): CommittedEvent[] } }) =>
      result.events.toArray()[0]?.executionContext.correlationId.value.toString();
    assert.equal(correlation(fromFirst), executionContextOf(first).correlationId.value.toString());
    assert.equal(correlation(fromFirstAgain), correlation(fromFirst));
    assert.equal(correlation(fromSecond), executionContextOf(second).correlationId.value.toString());
    assert.notEqual(correlation(fromSecond), correlation(fromFirst));
  });

  test('the whole execution context is stored: microservice, version and environment of the client', async () => {
    const other = createSdkClient({
      port: suite.runtime.privatePort,
      microserviceId: newId(),
      configure: (builder) =>
        registerKitchenEventTypes(builder).withVersion(3, 14, 15, 92, 'rc.6').withEnvironment('compat-environment'),
    });
    try {
      const store = other.client.eventStore.forTenant(TenantId.development);
      const source = EventSourceId.from(newId());
      const committed = await store
        .forAggregate(AggregateRootId.from(kitchenAggregateRootId))
        .withEventSource(source)
        .expectVersion(AggregateRootVersion.initial)
        .commit([{ content: new DishPrepared('Versioned Vindaloo', 'Dr. Curry') }]);
      assert.equal(committed.length, 1);
      next += 1;
      // Fetched from the store, not echoed from the request.
      const [event] = [...(await store.fetchForAggregate(AggregateRootId.from(kitchenAggregateRootId), source))];
      assert.ok(event);
      const context = event.executionContext;
      assert.equal(context.microserviceId.value.toString(), other.microserviceId);
      assert.equal(context.tenantId.value.toString(), developmentTenantId);
      assert.equal(context.correlationId.value.toString(), executionContextOf(store).correlationId.value.toString());
      assert.equal(context.environment.value, 'compat-environment');
      assert.deepEqual(
        [
          context.version.major,
          context.version.minor,
          context.version.patch,
          context.version.build,
          context.version.preReleaseString,
        ],
        [3, 14, 15, 92, 'rc.6'],
      );
    } finally {
      other.close();
    }
  });

  test('concurrent commits all succeed and share the sequence densely, without gaps or duplicates', async () => {
    const eventSource = newId();
    const commits = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        eventStore().commit(
          [0, 1].map((part) => ({
            content: new DishPrepared(`Dish ${index}.${part}`, `Chef ${index}`),
            eventSourceId: EventSourceId.from(eventSource),
          })),
        ),
      ),
    );
    const numbers: number[] = [];
    for (const result of commits) {
      assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
      const events = result.events.toArray();
      assert.equal(events.length, 2);
      const [firstEvent, secondEvent] = events;
      // The events of one commit stay together and in order.
      assert.equal(secondEvent?.eventLogSequenceNumber.value, (firstEvent?.eventLogSequenceNumber.value ?? -2) + 1);
      assert.equal(firstEvent?.content.Dish.replace('.0', ''), secondEvent?.content.Dish.replace('.1', ''));
      numbers.push(...events.map((event) => event.eventLogSequenceNumber.value));
    }
    numbers.sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 40 }, (_, index) => next + index),
    );
    next += 40;
  });

  test('a commit for a tenant the Runtime does not know is refused, names the tenant, and stores nothing', async () => {
    const unknownTenant = newId();
    const storedBefore = await storageSnapshot(suite);
    const refused = await suite.client.eventStore
      .forTenant(TenantId.from(unknownTenant))
      .commit(new DishPrepared('Ghost Taco', 'Nobody'), newId());
    assert.equal(refused.failed, true, 'a commit for an unknown tenant must fail');
    assert.equal(refused.events.toArray().length, 0);
    assert.ok(refused.failure);
    assert.ok(
      refused.failure.reason.value.toLowerCase().includes(unknownTenant.toLowerCase()),
      `the failure reason should name tenant ${unknownTenant}: "${refused.failure.reason.value}"`,
    );
    assert.deepEqual(await storageSnapshot(suite), storedBefore, 'the refused commit changed what the Runtime stores');

    // The development tenant's log goes on where it was: the refused commit took no sequence number.
    const after = await eventStore().commit(new DishPrepared('Real Taco', 'Mr. Taco'), newId());
    assert.equal(after.failed, false, `commit failed: ${after.failure?.reason.value}`);
    assert.equal(after.events.toArray()[0]?.eventLogSequenceNumber.value, next);
    next += 1;
    assert.ok(suite.runtime.running, 'the Runtime must stay up');
  });
});
