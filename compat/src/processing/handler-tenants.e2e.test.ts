// One event handler registration serves every tenant of tenants.json: the Runtime runs it per tenant and calls the
// head with that tenant's execution context. Nothing of one tenant is ever delivered as the other's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommittedEvent, EventContext } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { newId } from '../support/checks';
import { describeOnEveryStore } from '../support/runtime-suite';
import { commitEvents, Deliveries, freshEventType, groupBy, newEventSource, registrations } from './handled-events';

const tenantA = '1c707441-95f3-4214-9f12-9ef4e2d1ea2a';
const tenantB = 'b3b2d8a5-04c6-4d5e-8b7e-3f2a1c0d9e8f';

describeOnEveryStore(
  'an event handler with two tenants',
  (suite) => {
    const eventStoreOf = (tenant: string) => suite.client.eventStore.forTenant(TenantId.from(tenant));

    test('a handler registered once gets the events of both tenants, each under its own tenant', async () => {
      const type = freshEventType();
      const shared = newEventSource();
      const onlyB = newEventSource();
      const committed = new Map<string, CommittedEvent[]>([
        [tenantA, []],
        [tenantB, []],
      ]);
      const commit = async (tenant: string, names: string[], source = shared) => {
        const events = await commitEvents(
          eventStoreOf(tenant),
          names.map((name) => ({ content: { Name: name, Tenant: tenant }, source, type })),
        );
        committed.get(tenant)!.push(...events);
      };
      // Before the handler connects (catch-up) …
      await commit(tenantA, ['A0', 'A1']);
      await commit(tenantB, ['B0']);
      await commit(tenantB, ['B1', 'B2'], onlyB);

      const deliveries = new Deliveries();
      const handlerId = newId();
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) => {
          handlers.createEventHandler(handlerId, (b) =>
            b.partitioned().handle(type, (event: unknown, context: EventContext) => {
              deliveries.record('partitioned', event, context);
            }),
          );
          handlers.createEventHandler(newId(), (b) =>
            b.unpartitioned().handle(type, (event: unknown, context: EventContext) => {
              deliveries.record('unpartitioned', event, context);
            }),
          );
        }),
      );
      try {
        const total = () => committed.get(tenantA)!.length + committed.get(tenantB)!.length;
        const allDelivered = () =>
          deliveries.of('partitioned').length >= total() && deliveries.of('unpartitioned').length >= total();
        await deliveries.waitFor('the catch-up deliveries of both tenants', allDelivered);
        // … and live.
        await commit(tenantB, ['B3']);
        await commit(tenantA, ['A2'], onlyB);
        await commit(tenantB, ['B4', 'B5']);
        await deliveries.waitFor('the live deliveries of both tenants', allDelivered);
        await sleep(300);

        for (const by of ['partitioned', 'unpartitioned']) {
          const perTenant = groupBy(deliveries.of(by), (d) => d.tenant);
          assert.deepEqual([...perTenant.keys()].sort(), [tenantA, tenantB].sort(), `${by}: the tenants delivered`);
          for (const [tenant, events] of committed) {
            const got = perTenant.get(tenant) ?? [];
            assert.ok(
              got.every((d) => d.event.Tenant === tenant),
              `${by}: an event of another tenant was delivered as ${tenant}'s: ${JSON.stringify(got.map((d) => d.event))}`,
            );
            const gotPerSource = groupBy(got, (d) => d.eventSource);
            const expectedPerSource = groupBy(events, (e) => e.eventSourceId.value.toString());
            for (const [source, expected] of expectedPerSource) {
              assert.deepEqual(
                (gotPerSource.get(source) ?? []).map((d) => [d.sequenceNumber, d.event.Name]),
                expected.map((e) => [e.eventLogSequenceNumber.value, (e.content as { Name: string }).Name]),
                `${by}: tenant ${tenant}, event source ${source}`,
              );
            }
            assert.equal(got.length, events.length, `${by}: tenant ${tenant} delivered exactly once`);
          }
        }
        // Unpartitioned: each tenant's events in that tenant's log order (sequence numbers from 0 per tenant).
        const unpartitioned = groupBy(deliveries.of('unpartitioned'), (d) => d.tenant);
        assert.deepEqual(
          unpartitioned.get(tenantA)!.map((d) => d.sequenceNumber),
          committed.get(tenantA)!.map((e) => e.eventLogSequenceNumber.value),
        );
        assert.deepEqual(
          unpartitioned.get(tenantB)!.map((d) => d.sequenceNumber),
          committed.get(tenantB)!.map((e) => e.eventLogSequenceNumber.value),
        );
        assert.equal(registrations(client, handlerId), 1, 'one registration serves both tenants');
      } finally {
        client.close();
      }
    });

    test("an unpartitioned handler failing in one tenant does not hold up the other tenant's events", async () => {
      const type = freshEventType();
      const deliveries = new Deliveries();
      let failuresLeft = 1;
      const client = suite.connect((builder) =>
        builder.withEventHandlers((handlers) =>
          handlers.createEventHandler(newId(), (b) =>
            b.unpartitioned().handle(type, (event: { Name: string }, context: EventContext) =>
              deliveries.handle('handler', event, context, () => {
                if (event.Name === 'A0' && failuresLeft > 0) {
                  failuresLeft -= 1;
                  throw new Error('A0 fails once');
                }
              }),
            ),
          ),
        ),
      );
      try {
        const commit = (tenant: string, names: string[]) =>
          commitEvents(
            eventStoreOf(tenant),
            names.map((name) => ({ content: { Name: name }, source: newEventSource(), type })),
          );
        await commit(tenantA, ['A0', 'A1']);
        await commit(tenantB, ['B0', 'B1']);
        await deliveries.waitFor('A0 to fail and B to go on', (all) =>
          ['A0', 'B0', 'B1'].every((name) => all.some((d) => d.event.Name === name)),
        );
        await commit(tenantB, ['B2']);
        await deliveries.waitFor('B2 while A halts', (all) => all.some((d) => d.event.Name === 'B2'));
        const namesOf = (tenant: string) =>
          deliveries
            .of()
            .filter((d) => d.tenant === tenant)
            .map((d) => d.event.Name);
        assert.deepEqual(namesOf(tenantA), ['A0'], 'tenant A halts at its failing event');
        assert.deepEqual(namesOf(tenantB), ['B0', 'B1', 'B2']);
        await deliveries.waitFor('A to go on after the retry', (all) => all.some((d) => d.event.Name === 'A1'), 15_000);
        await sleep(300);
        assert.deepEqual(namesOf(tenantA), ['A0', 'A0', 'A1']);
        assert.deepEqual(namesOf(tenantB), ['B0', 'B1', 'B2']);
      } finally {
        client.close();
      }
    });
  },
  { tenants: [tenantA, tenantB], timeoutMs: 90_000 },
);
