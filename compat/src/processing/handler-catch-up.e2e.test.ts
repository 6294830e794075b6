// Event handlers over more events than one read batch, and events committed concurrently while a handler connects,
// with `--partitions-in-flight 3`: every event exactly once, in order per partition, at most 3 partitions in flight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommittedEvent, EventContext, EventSourceId } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { newId } from '../support/checks';
import { describeOnEveryStore } from '../support/runtime-suite';
import { commitEvents, Deliveries, freshEventType, groupBy, newEventSource, type ToCommit } from './handled-events';

const partitionsInFlight = 3;

const numbersOf = (events: readonly CommittedEvent[]) =>
  [...events]
    .sort((a, b) => a.eventLogSequenceNumber.value - b.eventLogSequenceNumber.value)
    .map((e) => e.eventLogSequenceNumber.value);

function expectedPerSource(committed: readonly CommittedEvent[]): Record<string, number[]> {
  return Object.fromEntries(
    [...groupBy(committed, (e) => e.eventSourceId.value.toString())].map(([source, events]) => [
      source,
      numbersOf(events),
    ]),
  );
}

describeOnEveryStore(
  'event handlers catching up',
  (suite) => {
    const eventStore = () => suite.client.eventStore.forTenant(TenantId.development);

    test(`1,200 events over 10 event sources arrive exactly once, in order per partition, at most ${partitionsInFlight} partitions at a time`, async (t) => {
      const type = freshEventType();
      const sources = Array.from({ length: 10 }, () => newEventSource());
      const committed: CommittedEvent[] = [];
      // Uneven, shuffled partitions: some long runs of one source, some alternating.
      let seed = 7;
      const pick = (): EventSourceId => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const index = seed % 13;
        return sources[index < 10 ? index : 0]!;
      };
      for (let batch = 0; batch < 6; batch++) {
        const events: ToCommit[] = Array.from({ length: 200 }, (_, i) => ({
          content: { N: batch * 200 + i },
          source: pick(),
          type,
        }));
        committed.push(...(await commitEvents(eventStore(), events)));
      }
      const deliveries = new Deliveries();
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) => {
          handlers.createEventHandler(newId(), (b) =>
            b
              .partitioned()
              .handle(type, (event: unknown, context: EventContext) =>
                deliveries.handle('partitioned', event, context, () => sleep(1)),
              ),
          );
          handlers.createEventHandler(newId(), (b) =>
            b
              .unpartitioned()
              .handle(type, (event: unknown, context: EventContext) =>
                deliveries.handle('unpartitioned', event, context),
              ),
          );
        }),
      );
      try {
        const started = Date.now();
        await deliveries.waitFor(
          'all 1,200 events at both handlers',
          () => deliveries.of('partitioned').length >= 1_200 && deliveries.of('unpartitioned').length >= 1_200,
          60_000,
        );
        const took = Date.now() - started;
        await sleep(300);
        assert.equal(deliveries.of('partitioned').length, 1_200);
        assert.equal(deliveries.of('unpartitioned').length, 1_200);
        const got = Object.fromEntries(
          [...groupBy(deliveries.of('partitioned'), (d) => d.eventSource)].map(([source, ds]) => [
            source,
            ds.map((d) => d.sequenceNumber),
          ]),
        );
        assert.deepEqual(got, expectedPerSource(committed));
        assert.deepEqual(
          deliveries.of('unpartitioned').map((d) => d.sequenceNumber),
          numbersOf(committed),
        );
        const contentOf = new Map(committed.map((e) => [e.eventLogSequenceNumber.value, e.content as { N: number }]));
        for (const delivery of deliveries.of()) {
          assert.equal(
            delivery.event.N,
            contentOf.get(delivery.sequenceNumber)?.N,
            `content of #${delivery.sequenceNumber}`,
          );
        }
        assert.deepEqual(deliveries.overlaps(), [], 'one event at a time per partition');
        assert.equal(deliveries.maxInFlight('unpartitioned'), 1);
        const max = deliveries.maxInFlight('partitioned');
        t.diagnostic(`${took} ms for the catch-up; at most ${max} partitions in flight`);
        assert.ok(
          max <= partitionsInFlight,
          `${max} partitions in flight with --partitions-in-flight ${partitionsInFlight}`,
        );
        assert.ok(max >= 2, `the partitioned handler never had more than ${max} partition in flight`);
      } finally {
        client.close();
      }
    });

    test('events committed concurrently while the handler registers are each delivered once, in order per partition', async () => {
      const type = freshEventType();
      const sources = Array.from({ length: 4 }, () => newEventSource());
      const deliveries = new Deliveries();
      const wave = (label: string) =>
        Promise.all(
          Array.from({ length: 20 }, (_, c) =>
            commitEvents(
              eventStore(),
              Array.from({ length: 5 }, (_, i) => ({
                content: { Label: `${label} ${c}.${i}` },
                source: sources[(c + i) % sources.length]!,
                type,
              })),
            ),
          ),
        );
      const firstWave = wave('first');
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(newId(), (b) =>
            b
              .partitioned()
              .handle(type, (event: unknown, context: EventContext) =>
                deliveries.handle('partitioned', event, context),
              ),
          ),
        ),
      );
      try {
        const committed = (await firstWave).flat();
        await sleep(50);
        committed.push(...(await wave('second')).flat());
        await deliveries.waitFor('all 200 events', (all) => all.length >= 200, 20_000);
        await sleep(300);
        assert.equal(deliveries.of().length, 200);
        const got = Object.fromEntries(
          [...groupBy(deliveries.of(), (d) => d.eventSource)].map(([source, ds]) => [
            source,
            ds.map((d) => d.sequenceNumber),
          ]),
        );
        assert.deepEqual(got, expectedPerSource(committed));
        assert.deepEqual(deliveries.overlaps(), []);
      } finally {
        client.close();
      }
    });
  },
  { extraArgs: ['--partitions-in-flight', String(partitionsInFlight)], timeoutMs: 120_000 },
);
