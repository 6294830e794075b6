// A Runtime killed (SIGKILL) while event handlers are busy, then started again on the same store and ports: the
// SDK's handlers reconnect by themselves and go on without skipping anything. Events may come again (at least
// once), but each Runtime process delivers a partition's events in order, and every event comes; a partition that
// was failing when the Runtime died is retried after the restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommittedEvent, EventContext, EventSourceId } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { newId } from '../support/checks';
import { describeOnEveryStore } from '../support/runtime-suite';
import {
  commitEvents,
  commitEventsWhenReachable,
  Deliveries,
  type Delivery,
  eventually,
  freshEventType,
  groupBy,
  newEventSource,
  registrations,
  type ToCommit,
} from './handled-events';

/**
 * Each Runtime process delivers a contiguous run of the expected numbers in order: the killed one a prefix, the new
 * one from somewhere at or before the first event the old one did not get to, up to the end.
 */
function assertResumedWithoutSkipping(what: string, deliveries: readonly Delivery[], numbers: readonly number[]): void {
  const firstDeliveries = [...new Set(deliveries.map((d) => d.sequenceNumber))];
  assert.deepEqual(firstDeliveries, numbers, `${what}: first deliveries in commit order, none skipped`);
  const before = deliveries.filter((d) => d.epoch === 0).map((d) => d.sequenceNumber);
  const after = deliveries.filter((d) => d.epoch === 1).map((d) => d.sequenceNumber);
  const beforeDistinct = [...new Set(before)];
  assert.deepEqual(beforeDistinct, numbers.slice(0, beforeDistinct.length), `${what}: before the crash`);
  const resumedAt = numbers.indexOf(after[0] ?? -1);
  assert.ok(
    resumedAt >= 0 && resumedAt <= beforeDistinct.length,
    `${what}: after the restart delivery resumed at #${after[0]}, past #${numbers[beforeDistinct.length]} that was never delivered`,
  );
  assert.deepEqual(after, numbers.slice(resumedAt), `${what}: after the restart`);
}

describeOnEveryStore(
  'event handlers across a Runtime crash',
  (suite) => {
    const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);

    test('after SIGKILL and a restart on the same ports the handlers resume without skipping an event', async (t) => {
      const type = freshEventType();
      const sources = [newEventSource(), newEventSource(), newEventSource(), newEventSource()];
      const failingSource = newEventSource();
      const failing = failingSource.value.toString();
      const deliveries = new Deliveries();
      const ids = { partitioned: newId(), unpartitioned: newId() };
      let failuresLeft = 1;
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) => {
          handlers.createEventHandler(ids.partitioned, (b) =>
            b.partitioned().handle(type, (event: { N: number }, context: EventContext) =>
              deliveries.handle('partitioned', event, context, async () => {
                if (context.eventSourceId.value.toString() === failing && failuresLeft > 0) {
                  failuresLeft -= 1;
                  throw new Error(`the first event of the failing source fails once`);
                }
                // Slow enough that the crash comes in the middle of the work.
                await sleep(40);
              }),
            ),
          );
          handlers.createEventHandler(ids.unpartitioned, (b) =>
            b
              .unpartitioned()
              .handle(type, (event: unknown, context: EventContext) =>
                deliveries.handle('unpartitioned', event, context, () => sleep(10)),
              ),
          );
        }),
      );
      try {
        const batch = (from: number, count: number): ToCommit[] =>
          Array.from({ length: count }, (_, i) => {
            const n = from + i;
            const source: EventSourceId = n % 10 === 0 ? failingSource : sources[n % sources.length]!;
            return { content: { N: n }, source, type };
          });
        const committed: CommittedEvent[] = [];
        committed.push(...(await commitEvents(eventStore(), batch(0, 40))));
        await deliveries.waitFor(
          'some events handled (and the failing source failed) before the crash',
          () =>
            deliveries.of('partitioned').length >= 8 &&
            deliveries.of('unpartitioned').length >= 5 &&
            failuresLeft === 0,
        );

        await suite.runtime.kill();
        const handledBeforeCrash = deliveries.of().length;
        await sleep(200);
        deliveries.epoch = 1;
        await suite.runtime.restart();
        committed.push(...(await commitEventsWhenReachable(eventStore(), batch(40, 20))));

        const numbers = committed.map((event) => event.eventLogSequenceNumber.value);
        const handledBy = (by: string) => new Set(deliveries.of(by).map((d) => d.sequenceNumber));
        await deliveries.waitFor(
          'every event handled by both handlers after the restart',
          () => ['partitioned', 'unpartitioned'].every((by) => numbers.every((n) => handledBy(by).has(n))),
          25_000,
        );
        await eventually('the SDK to report both handlers registered again', () =>
          Object.values(ids).every((id) => registrations(client, id) >= 2),
        );
        await sleep(300);

        const partitionedBeforeCrash = deliveries.of('partitioned').filter((d) => d.epoch === 0).length;
        assert.ok(
          partitionedBeforeCrash < 40,
          `the crash came too late to say anything (${partitionedBeforeCrash} handled)`,
        );
        const expected = groupBy(committed, (event) => event.eventSourceId.value.toString());
        const got = groupBy(deliveries.of('partitioned'), (d) => d.eventSource);
        assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
        for (const [source, events] of expected) {
          const expectedNumbers = events.map((event) => event.eventLogSequenceNumber.value);
          const all = got.get(source) ?? [];
          if (source === failing) {
            // Failed once before the crash; retried by the new process, then the rest in order.
            assert.deepEqual(
              all.map((d) => [d.epoch, d.sequenceNumber]),
              [[0, expectedNumbers[0]], ...expectedNumbers.map((n) => [1, n])],
              'the partition that was failing at the crash: retried after the restart, nothing skipped',
            );
          } else {
            assertResumedWithoutSkipping(`partition ${source}`, all, expectedNumbers);
          }
        }
        assertResumedWithoutSkipping('the unpartitioned handler', deliveries.of('unpartitioned'), numbers);
        for (const delivery of deliveries.of()) assertContent(delivery, committed);
        assert.deepEqual(deliveries.overlaps(), []);
        const [failedAt, retriedAt] = (got.get(failing) ?? []).map((d) => d.at);
        t.diagnostic(
          `${handledBeforeCrash} deliveries before the crash; ${deliveries.of().length - 2 * committed.length - 1} ` +
            `deliveries again after it; the failing partition was retried ${retriedAt! - failedAt!} ms after its failure`,
        );
      } finally {
        client.close();
      }
    });

    test('SIGTERM with an event handler call in flight stops promptly (exit code 0); the event comes again after the start', async () => {
      const type = freshEventType();
      const source = newEventSource();
      const deliveries = new Deliveries();
      const handlerId = newId();
      let slowCalls = 0;
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(handlerId, (b) =>
            b.partitioned().handle(type, (event: { Name: string }, context: EventContext) =>
              deliveries.handle('handler', event, context, async () => {
                // The first call of 'slow' outlives the Runtime process that made it.
                if (event.Name === 'slow' && slowCalls++ === 0) await sleep(6_000);
              }),
            ),
          ),
        ),
      );
      try {
        await commitEvents(eventStore(), [
          { content: { Name: 'slow' }, source, type },
          { content: { Name: 'next' }, source, type },
        ]);
        await deliveries.waitFor('the slow call to start', (all) => all.length > 0);
        const stopping = Date.now();
        await suite.runtime.stop();
        const stopMs = Date.now() - stopping;
        assert.ok(stopMs < 5_000, `the Runtime took ${stopMs} ms to stop with a handler call in flight`);
        deliveries.epoch = 1;
        await suite.runtime.restart();
        await deliveries.waitFor(
          'both events after the start',
          (all) => all.some((d) => d.event.Name === 'next'),
          20_000,
        );
        await sleep(300);
        assert.deepEqual(
          deliveries.of().map((d) => `${d.epoch}: ${d.event.Name}`),
          ['0: slow', '1: slow', '1: next'],
          'the unanswered event is delivered again, then the next one, each once',
        );
      } finally {
        client.close();
      }
    });
  },
  { timeoutMs: 120_000 },
);

function assertContent(delivery: Delivery, committed: readonly CommittedEvent[]): void {
  const event = committed.find((e) => e.eventLogSequenceNumber.value === delivery.sequenceNumber);
  assert.ok(event, `#${delivery.sequenceNumber} was never committed`);
  assert.deepEqual(delivery.event, event.content);
}
