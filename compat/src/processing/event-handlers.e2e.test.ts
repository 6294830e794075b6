// Event handlers registered through the official SDK: what they receive (catch-up and live, partitioned and
// unpartitioned, builder and decorator forms), and how a handler that throws is retried.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommittedEvent, EventContext, EventType } from '@dolittle/sdk.events';
import { eventHandler, handles } from '@dolittle/sdk.events.handling';
import { TenantId } from '@dolittle/sdk.execution';
import { developmentTenantId, newId } from '../support/checks';
import { ChefHired, chefHiredTypeId, DishPrepared, dishPreparedTypeId } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';
import {
  assertNoSdkProblems,
  commitEvents,
  Deliveries,
  type Delivery,
  freshEventType,
  groupBy,
  newEventSource,
  registrations,
  type ToCommit,
} from './handled-events';

const partitionedId = 'a1d3f0c2-1b7e-4c55-9a0e-5d6f7a8b9c01';
const unpartitionedId = 'a1d3f0c2-1b7e-4c55-9a0e-5d6f7a8b9c02';
const byIdHandlerId = 'a1d3f0c2-1b7e-4c55-9a0e-5d6f7a8b9c03';
const decoratedId = 'a1d3f0c2-1b7e-4c55-9a0e-5d6f7a8b9c04';
const scopedId = 'a1d3f0c2-1b7e-4c55-9a0e-5d6f7a8b9c05';
/** Scoped event logs are written only by the event horizon: a handler in this scope has nothing to handle. */
const someScope = '0e8a2b5c-3d4f-4a6b-8c7d-9e0f1a2b3c4d';

/** The decorated handler's instances are made by the SDK's container; they record here. */
const decoratedDeliveries = { current: new Deliveries() };

@eventHandler(decoratedId)
class KitchenLog {
  @handles(DishPrepared)
  dishPrepared(event: DishPrepared, context: EventContext): void {
    decoratedDeliveries.current.record('decorated', event, context);
  }

  @handles(ChefHired)
  chefHired(event: ChefHired, context: EventContext): void {
    decoratedDeliveries.current.record('decorated', event, context);
  }
}

const typeIdOf = (event: CommittedEvent) => event.type.id.value.toString();
const sourceOf = (event: CommittedEvent) => event.eventSourceId.value.toString();

/** The deliveries as `sequence number` lists per event source. */
function perSource(deliveries: readonly Delivery[]): Record<string, number[]> {
  return Object.fromEntries(
    [...groupBy(deliveries, (d) => d.eventSource)].map(([source, ds]) => [source, ds.map((d) => d.sequenceNumber)]),
  );
}

function committedPerSource(events: readonly CommittedEvent[]): Record<string, number[]> {
  return Object.fromEntries(
    [...groupBy(events, sourceOf)].map(([source, es]) => [source, es.map((e) => e.eventLogSequenceNumber.value)]),
  );
}

/** Each delivery carries the committed event's content, event source, occurred and the development tenant. */
function assertDeliveriesMatch(deliveries: readonly Delivery[], committed: readonly CommittedEvent[]): void {
  const bySequenceNumber = new Map(committed.map((event) => [event.eventLogSequenceNumber.value, event]));
  for (const delivery of deliveries) {
    const event = bySequenceNumber.get(delivery.sequenceNumber);
    assert.ok(event, `${delivery.by} got sequence number ${delivery.sequenceNumber}, which it should not handle`);
    const expectedContent = { ...(event.content as object) };
    assert.deepEqual({ ...delivery.event }, expectedContent, `content of #${delivery.sequenceNumber}`);
    assert.equal(delivery.eventSource, sourceOf(event), `event source of #${delivery.sequenceNumber}`);
    assert.equal(delivery.occurred, event.occurred.toMillis(), `occurred of #${delivery.sequenceNumber}`);
    assert.equal(delivery.tenant, developmentTenantId, `tenant of #${delivery.sequenceNumber}`);
  }
}

describeOnEveryStore(
  'event handlers through the official SDK',
  (suite) => {
    const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);

    test('partitioned and unpartitioned handlers get every event of their types exactly once, in order, catch-up and live', async () => {
      const otherType = freshEventType();
      const sources = [newEventSource(), newEventSource(), newEventSource()];
      const committed: CommittedEvent[] = [];
      let round = 0;
      const commitRound = async () => {
        const events: ToCommit[] = sources.map((source, s) => ({
          content: new DishPrepared(`Dish ${round}.${s}`, `Chef ${s}`),
          source,
          isPublic: (round + s) % 3 === 0,
        }));
        events.push({ content: new ChefHired(`Chef ${round}`, `round ${round}`), source: sources[0]! });
        events.push({ content: { Note: `note ${round}`, Round: round }, source: sources[1]!, type: otherType });
        committed.push(...(await commitEvents(eventStore(), events)));
        round += 1;
      };
      // Catch-up: these are in the event log before the handlers connect.
      for (let i = 0; i < 4; i++) await commitRound();

      const deliveries = new Deliveries();
      decoratedDeliveries.current = deliveries;
      // A short pause per event, so that what the Runtime keeps in flight shows.
      const record = (by: string) => (event: unknown, context: EventContext) =>
        deliveries.handle(by, event, context, () => sleep(3));
      const handlersClient = suite.connect((builder) =>
        builder.withEventHandlers((handlers) => {
          handlers.createEventHandler(partitionedId, (b) =>
            b.partitioned().handle(DishPrepared, record('partitioned')),
          );
          handlers.createEventHandler(unpartitionedId, (b) =>
            b.unpartitioned().handle(DishPrepared, record('unpartitioned')),
          );
          handlers.createEventHandler(byIdHandlerId, (b) => b.partitioned().handle(otherType, record('by-id')));
          handlers.register(KitchenLog);
          handlers.createEventHandler(scopedId, (b) =>
            b.inScope(someScope).partitioned().handle(DishPrepared, record('scoped')),
          );
        }),
      );
      try {
        const dishes = () => committed.filter((event) => typeIdOf(event) === dishPreparedTypeId);
        const dishesAndChefs = () =>
          committed.filter((event) => [dishPreparedTypeId, chefHiredTypeId].includes(typeIdOf(event)));
        const others = () => committed.filter((event) => typeIdOf(event) === otherType.id.value.toString());
        const expectedCounts = () => ({
          partitioned: dishes().length,
          unpartitioned: dishes().length,
          'by-id': others().length,
          decorated: dishesAndChefs().length,
          scoped: 0,
        });
        const allDelivered = (all: Delivery[]) =>
          Object.entries(expectedCounts()).every(([by, count]) => all.filter((d) => d.by === by).length >= count);

        await deliveries.waitFor('the catch-up deliveries', allDelivered);
        // Live: committed while the handlers are connected and idle.
        for (let i = 0; i < 3; i++) await commitRound();
        await deliveries.waitFor('the live deliveries', allDelivered);
        // Nothing more arrives (no duplicates, nothing of other types).
        await sleep(500);

        const counts = Object.fromEntries(
          Object.keys(expectedCounts()).map((by) => [by, deliveries.of(by).length] as const),
        );
        assert.deepEqual(counts, expectedCounts(), 'every event delivered exactly once per handler');

        // Partitioned: in commit order per event source.
        assert.deepEqual(perSource(deliveries.of('partitioned')), committedPerSource(dishes()));
        assert.deepEqual(perSource(deliveries.of('by-id')), committedPerSource(others()));
        assert.deepEqual(perSource(deliveries.of('decorated')), committedPerSource(dishesAndChefs()));
        // Unpartitioned: in event log order.
        assert.deepEqual(
          deliveries.of('unpartitioned').map((d) => d.sequenceNumber),
          dishes().map((event) => event.eventLogSequenceNumber.value),
        );
        for (const by of Object.keys(counts)) assertDeliveriesMatch(deliveries.of(by), committed);
        assert.ok(
          deliveries.of('partitioned').every((d) => d.constructorName === 'DishPrepared'),
          'registered event types arrive as instances of their class',
        );
        assert.ok(
          deliveries.of('by-id').every((d) => d.constructorName === 'Object'),
          'an event type the client did not register arrives as plain JSON',
        );
        assert.deepEqual(deliveries.overlaps(), [], 'one event at a time per partition');
        assert.equal(deliveries.maxInFlight('unpartitioned'), 1, 'an unpartitioned handler gets one event at a time');
        assert.ok(deliveries.maxInFlight('partitioned') <= 8, 'at most 8 partitions in flight by default');
        for (const id of [partitionedId, unpartitionedId, byIdHandlerId, decoratedId, scopedId]) {
          assert.equal(registrations(handlersClient, id), 1, `the SDK registered ${id} once`);
        }
        assertNoSdkProblems(handlersClient);
      } finally {
        handlersClient.close();
      }
    });

    test('a partitioned handler that throws for one event source is retried after the SDK’s 5 s while the others go on', async () => {
      const type = freshEventType();
      const [failing, other1, other2] = [newEventSource(), newEventSource(), newEventSource()];
      const names = new Map([
        [failing.value.toString(), 'S'],
        [other1.value.toString(), 'O1'],
        [other2.value.toString(), 'O2'],
      ]);
      const deliveries = new Deliveries();
      // S0 fails twice (retried after 5 s, then after 5 s again); O2-1, committed 1.5 s after S0 first failed,
      // fails once: its retry (≈ 6.5 s after S0's first failure) comes before S0's second retry (≈ 10 s).
      const failuresLeft = new Map([
        ['S0', 2],
        ['O2-1', 1],
      ]);
      const handlerId = newId();
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(handlerId, (b) =>
            b.partitioned().handle(type, (event: { Name: string }, context: EventContext) => {
              deliveries.record('handler', event, context);
              const left = failuresLeft.get(event.Name) ?? 0;
              if (left > 0) {
                failuresLeft.set(event.Name, left - 1);
                throw new Error(`${event.Name} is not ready (${left - 1} more failures to come)`);
              }
            }),
          ),
        ),
      );
      try {
        const event = (name: string, source: typeof failing): ToCommit => ({ content: { Name: name }, source, type });
        await commitEvents(eventStore(), [
          event('S0', failing),
          event('O1-0', other1),
          event('S1', failing),
          event('O2-0', other2),
          event('O1-1', other1),
          event('S2', failing),
        ]);
        const named = (name: string) => deliveries.of().filter((d) => d.event.Name === name);
        await deliveries.waitFor('the other event sources while S fails', () =>
          ['O1-0', 'O1-1', 'O2-0'].every((name) => named(name).length > 0),
        );
        // More events while S is failing: the other source's is handled, S's waits behind S0.
        await commitEvents(eventStore(), [event('O1-2', other1), event('S3', failing)]);
        await deliveries.waitFor('O1-2 while S is failing', () => named('O1-2').length > 0);
        const firstFailure = named('S0')[0]!.at;
        await sleep(Math.max(0, firstFailure + 1_500 - Date.now()));
        await commitEvents(eventStore(), [event('O2-1', other2), event('O2-2', other2)]);
        await deliveries.waitFor('O2-1 to fail', () => named('O2-1').length > 0);
        assert.deepEqual(
          deliveries
            .of()
            .filter((d) => names.get(d.eventSource) === 'S')
            .map((d) => d.event.Name),
          ['S0'],
          "S's later events wait behind the failing S0 (and S0's retry is 5 s away)",
        );

        await deliveries.waitFor(
          'S and O2 caught up',
          () => named('S3').length > 0 && named('O2-2').length > 0,
          25_000,
        );
        await sleep(300);
        const all = deliveries.of();
        const bySource = Object.fromEntries(
          [...groupBy(all, (d) => names.get(d.eventSource) ?? d.eventSource)].map(([name, ds]) => [
            name,
            ds.map((d) => d.event.Name),
          ]),
        );
        assert.deepEqual(bySource, {
          S: ['S0', 'S0', 'S0', 'S1', 'S2', 'S3'],
          O1: ['O1-0', 'O1-1', 'O1-2'],
          O2: ['O2-0', 'O2-1', 'O2-1', 'O2-2'],
        });
        const attempts = named('S0').map((d) => d.at);
        const gaps = [attempts[1]! - attempts[0]!, attempts[2]! - attempts[1]!];
        for (const gap of gaps) {
          assert.ok(
            gap >= 4_500 && gap <= 8_000,
            `S0 was retried ${gaps.join(' ms and ')} ms after its failures; the SDK asked for 5 s each time ` +
              '(retryTimeout = 5 × (retryCount + 1) s, the first retry carrying retryCount 0)',
          );
        }
        const [o2Failed, o2Retried] = named('O2-1').map((d) => d.at);
        const o2Gap = o2Retried! - o2Failed!;
        assert.ok(
          o2Gap >= 4_500 && o2Gap <= 8_000,
          `O2-1 was retried ${o2Gap} ms after failing (${o2Retried! - attempts[0]!} ms after S0 first failed); ` +
            'the SDK asked for 5 s, earlier than the failing S0 was due',
        );
        const othersFirstTime = ['O1-0', 'O1-1', 'O1-2', 'O2-0'].map((name) => named(name)[0]!);
        assert.ok(
          othersFirstTime.every((d) => d.at < attempts[1]!) && o2Failed! < attempts[1]!,
          'the other sources were handled while S0 waited for its retry',
        );
        const retryWarnings = client
          .logs()
          .filter((entry) => entry.level === 'warn' && entry.message.includes('failed'))
          .map((entry) => entry.message.replace(/^.*Will retry in/, 'Will retry in'));
        assert.deepEqual(retryWarnings, ['Will retry in 5', 'Will retry in 5', 'Will retry in 5']);
        assert.equal(registrations(client, handlerId), 1);
      } finally {
        client.close();
      }
    });

    test('a handler that takes longer than the 3 s ping timeout is neither retried nor dropped', async () => {
      const type = freshEventType();
      const [slow, quick] = [newEventSource(), newEventSource()];
      const deliveries = new Deliveries();
      const handlerId = newId();
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(handlerId, (b) =>
            b
              .partitioned()
              .handle(type, (event: { Name: string }, context: EventContext) =>
                deliveries.handle('handler', event, context, () =>
                  event.Name === 'slow 0' ? sleep(4_000) : undefined,
                ),
              ),
          ),
        ),
      );
      try {
        await commitEvents(eventStore(), [
          { content: { Name: 'slow 0' }, source: slow, type },
          { content: { Name: 'slow 1' }, source: slow, type },
          { content: { Name: 'quick 0' }, source: quick, type },
        ]);
        await deliveries.waitFor('the other partition while the slow event runs', (all) =>
          all.some((d) => d.event.Name === 'quick 0'),
        );
        assert.deepEqual(
          deliveries.of().map((d) => d.event.Name),
          ['slow 0', 'quick 0'],
          'the slow partition waits; the other one does not',
        );
        await deliveries.waitFor(
          'the slow partition to go on',
          (all) => all.some((d) => d.event.Name === 'slow 1'),
          10_000,
        );
        await sleep(300);
        assert.deepEqual(
          deliveries.of().map((d) => d.event.Name),
          ['slow 0', 'quick 0', 'slow 1'],
        );
        assert.ok(deliveries.of()[2]!.at - deliveries.of()[0]!.at >= 3_900);
        assert.equal(registrations(client, handlerId), 1, 'the slow call did not cost the connection');
        assertNoSdkProblems(client);
      } finally {
        client.close();
      }
    });

    test('an unpartitioned handler halts at its failing event until it succeeds', async () => {
      const type: EventType = freshEventType();
      const deliveries = new Deliveries();
      let failuresLeft = 1;
      const handlerId = newId();
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(handlerId, (b) =>
            b.unpartitioned().handle(type, (event: { Name: string }, context: EventContext) => {
              deliveries.record('handler', event, context);
              if (event.Name === 'E2' && failuresLeft > 0) {
                failuresLeft -= 1;
                throw new Error('E2 fails once');
              }
            }),
          ),
        ),
      );
      try {
        const names = ['E0', 'E1', 'E2', 'E3', 'E4'];
        await commitEvents(
          eventStore(),
          names.map((name) => ({ content: { Name: name }, source: newEventSource(), type })),
        );
        const named = (name: string) => deliveries.of().filter((d) => d.event.Name === name);
        await deliveries.waitFor('E2 to fail', () => named('E2').length > 0);
        await commitEvents(eventStore(), [{ content: { Name: 'E5' }, source: newEventSource(), type }]);
        await sleep(1_500);
        assert.deepEqual(
          deliveries.of().map((d) => d.event.Name),
          ['E0', 'E1', 'E2'],
          'nothing after the failing E2 is delivered while it waits for its retry',
        );
        await deliveries.waitFor('E5 after the retry', () => named('E5').length > 0, 20_000);
        await sleep(300);
        assert.deepEqual(
          deliveries.of().map((d) => d.event.Name),
          ['E0', 'E1', 'E2', 'E2', 'E3', 'E4', 'E5'],
        );
        const [failed, retried] = named('E2').map((d) => d.at);
        const gap = retried! - failed!;
        assert.ok(gap >= 4_500 && gap <= 8_000, `E2 was retried ${gap} ms after failing; the SDK asked for 5 s`);
        assert.equal(registrations(client, handlerId), 1);
      } finally {
        client.close();
      }
    });
  },
  { timeoutMs: 120_000 },
);
