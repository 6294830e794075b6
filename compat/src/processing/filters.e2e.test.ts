// Private (unpartitioned and partitioned) and public filters registered through the official SDK. What they write is
// only observable through the event horizon, which is not there yet; here: they register, a private filter is asked
// about every event of the event log in order, a public filter only about public events, and an event handler
// works alongside them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CommittedEvent, type EventContext, PartitionId } from '@dolittle/sdk.events';
import { PartitionedFilterResult } from '@dolittle/sdk.events.filtering';
import { TenantId } from '@dolittle/sdk.execution';
import { developmentTenantId, newId } from '../support/checks';
import { DishPrepared } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';
import {
  assertNoSdkProblems,
  commitEvents,
  Deliveries,
  eventually,
  freshEventType,
  newEventSource,
  registrations,
  type ToCommit,
} from './handled-events';

describeOnEveryStore(
  'filters through the official SDK',
  (suite) => {
    const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);

    test('private and public filters register and are asked about the right events, next to an event handler', async () => {
      const type = freshEventType();
      const sources = [newEventSource(), newEventSource()];
      const committed: CommittedEvent[] = [];
      let round = 0;
      const commitRound = async () => {
        const events: ToCommit[] = [
          { content: { Name: `private ${round}` }, source: sources[0]!, type },
          { content: { Name: `public ${round}` }, source: sources[1]!, type, isPublic: true },
          { content: new DishPrepared(`Dish ${round}`, 'Chef'), source: sources[1]! },
          { content: new DishPrepared(`Public dish ${round}`, 'Chef'), source: sources[0]!, isPublic: true },
        ];
        committed.push(...(await commitEvents(eventStore(), events)));
        round += 1;
      };
      await commitRound();
      await commitRound();

      const deliveries = new Deliveries();
      const ids = { private: newId(), partitioned: newId(), public: newId(), handler: newId() };
      const client = suite.connect((builder) =>
        builder
          .withFilters((filters) => {
            filters.createPrivateFilter(ids.private, (fb) =>
              fb.unpartitioned().handle((event: unknown, context: EventContext) => {
                deliveries.record('private', event, context);
                return (event as { Name?: string }).Name !== undefined;
              }),
            );
            filters.createPrivateFilter(ids.partitioned, (fb) =>
              fb.partitioned().handle((event: unknown, context: EventContext) => {
                deliveries.record('partitioned', event, context);
                return new PartitionedFilterResult(true, PartitionId.from(context.eventSourceId.value));
              }),
            );
            filters.createPublicFilter(ids.public, (fb) =>
              fb.handle((event: unknown, context: EventContext) => {
                deliveries.record('public', event, context);
                return new PartitionedFilterResult(event instanceof DishPrepared, PartitionId.unspecified);
              }),
            );
          })
          .withEventHandlers((handlers) =>
            handlers.createEventHandler(ids.handler, (b) =>
              b.partitioned().handle(type, (event: unknown, context: EventContext) => {
                deliveries.record('handler', event, context);
              }),
            ),
          ),
      );
      try {
        const numbers = (events: readonly CommittedEvent[]) => events.map((e) => e.eventLogSequenceNumber.value);
        const expected = () => ({
          private: numbers(committed),
          partitioned: numbers(committed),
          public: numbers(committed.filter((e) => e.isPublic)),
          handler: numbers(committed.filter((e) => e.type.id.value.toString() === type.id.value.toString())),
        });
        const allDelivered = () =>
          Object.entries(expected()).every(
            ([by, expectedNumbers]) => deliveries.of(by).length >= expectedNumbers.length,
          );
        await deliveries.waitFor('the filters and the handler to catch up', allDelivered);
        await commitRound();
        await deliveries.waitFor('the filters and the handler to see the live events', allDelivered);
        await sleep(300);

        const got = Object.fromEntries(
          Object.keys(expected()).map((by) => [by, deliveries.of(by).map((d) => d.sequenceNumber)]),
        );
        // The filters' source is the event log: one event after the other, each once.
        assert.deepEqual(got, expected());
        for (const delivery of deliveries.of()) {
          const event = committed.find((e) => e.eventLogSequenceNumber.value === delivery.sequenceNumber)!;
          assert.equal(delivery.eventSource, event.eventSourceId.value.toString());
          assert.equal(delivery.tenant, developmentTenantId);
          assert.equal(delivery.occurred, event.occurred.toMillis());
          assert.deepEqual({ ...delivery.event }, { ...(event.content as object) });
        }
        for (const [name, id] of Object.entries(ids)) {
          assert.equal(registrations(client, id), 1, `the SDK reported ${name} (${id}) registered once`);
        }
        assertNoSdkProblems(client);
      } finally {
        client.close();
      }
    });
    test('a private filter re-registered with a different result for already filtered events is refused', async () => {
      const type = freshEventType();
      const source = newEventSource();
      const filterId = newId();
      let deliveries = new Deliveries();
      const connect = (include: (name: string) => boolean) =>
        suite.connect((builder) =>
          builder.withFilters((filters) =>
            filters.createPrivateFilter(filterId, (fb) =>
              fb.unpartitioned().handle((event: { Name?: string }, context: EventContext) => {
                deliveries.record('filter', event, context);
                return event.Name !== undefined && include(event.Name);
              }),
            ),
          ),
        );
      const commit = (names: string[]) =>
        commitEvents(
          eventStore(),
          names.map((name) => ({ content: { Name: name }, source, type })),
        );
      const firstCommit = await commit(['in 0', 'out 0', 'in 1']);
      const last = firstCommit.at(-1)!.eventLogSequenceNumber.value;
      const first = connect((name) => name.startsWith('in'));
      try {
        await deliveries.waitFor('the filter past the three events', (all) =>
          all.some((d) => d.sequenceNumber === last),
        );
        await sleep(300);
      } finally {
        first.close();
      }
      await sleep(300);

      // Now including everything: 'out 0' would be in the stream, which it is not.
      deliveries = new Deliveries();
      const changed = connect(() => true);
      try {
        await eventually(
          'the Runtime to log the refusal',
          () =>
            suite.runtime
              .logs()
              .some(
                (entry) =>
                  JSON.stringify(entry).includes(filterId) && /refus|reject|not match/i.test(JSON.stringify(entry)),
              ),
          10_000,
        );
        await commit(['in 2']);
        await sleep(1_500);
        const seen = new Set(deliveries.of().map((d) => d.event.Name));
        assert.ok(!seen.has('in 2'), 'the refused filter went on filtering new events');
      } finally {
        changed.close();
      }
      await sleep(300);

      // The original filter again: accepted, and it goes on after what it filtered before.
      deliveries = new Deliveries();
      const again = connect((name) => name.startsWith('in'));
      try {
        await deliveries.waitFor('the restored filter to get in 2', (all) => all.some((d) => d.event.Name === 'in 2'));
        await sleep(1_200);
        assert.equal(registrations(again, filterId), 1, 'the restored filter stays registered');
        assert.equal(
          deliveries.of().filter((d) => d.event.Name === 'in 2').length,
          1,
          'the restored filter got the new event once',
        );
      } finally {
        again.close();
      }
    });
  },
  { timeoutMs: 90_000 },
);
