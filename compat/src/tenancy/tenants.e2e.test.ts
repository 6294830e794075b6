// Two tenants from a Dolittle 6.x tenants.json: each has its own event log and aggregates, and nothing committed
// for one is visible through the other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregateRootId, AggregateRootVersion, EventSourceId } from '@dolittle/sdk.events';
import { TenantId } from '@dolittle/sdk.execution';
import { outsidePromiseContinuation } from '../sdk';
import { developmentTenantId, newId } from '../support/checks';
import { DishPrepared, Kitchen, kitchenAggregateRootId } from '../support/kitchen';
import { describeOnEveryStore } from '../support/runtime-suite';

const tenantA = '1c707441-95f3-4214-9f12-9ef4e2d1ea2a';
const tenantB = 'b3b2d8a5-04c6-4d5e-8b7e-3f2a1c0d9e8f';
const kitchen = AggregateRootId.from(kitchenAggregateRootId);

describeOnEveryStore(
  'two tenants with the official SDK',
  (suite) => {
    const eventStoreOf = (tenant: string) => suite.client.eventStore.forTenant(TenantId.from(tenant));
    const sharedEventSource = EventSourceId.from(newId());

    test('the Runtime announces both tenants of tenants.json', () => {
      assert.deepEqual([...suite.runtime.ready.tenants].sort(), [tenantA, tenantB].sort());
    });

    test('each tenant has its own event log, numbered from 0', async () => {
      const inA = await eventStoreOf(tenantA).commit(new DishPrepared('A-dish', 'A-chef'), sharedEventSource);
      const inB = await eventStoreOf(tenantB).commit([
        { content: new DishPrepared('B-dish 1', 'B-chef'), eventSourceId: sharedEventSource },
        { content: new DishPrepared('B-dish 2', 'B-chef'), eventSourceId: sharedEventSource },
      ]);
      const moreInA = await eventStoreOf(tenantA).commit(new DishPrepared('A-dish 2', 'A-chef'), sharedEventSource);
      for (const result of [inA, inB, moreInA]) {
        assert.equal(result.failed, false, `commit failed: ${result.failure?.reason.value}`);
      }
      const numbers = (result: typeof inA) =>
        result.events.toArray().map((event) => event.eventLogSequenceNumber.value);
      assert.deepEqual(numbers(inA), [0]);
      assert.deepEqual(numbers(inB), [0, 1]);
      assert.deepEqual(numbers(moreInA), [1]);
      assert.equal(inA.events.toArray()[0]?.executionContext.tenantId.value.toString(), tenantA);
      assert.equal(inB.events.toArray()[0]?.executionContext.tenantId.value.toString(), tenantB);
    });

    test("an aggregate's events in one tenant are invisible through the other", async () => {
      const committedInA = await eventStoreOf(tenantA)
        .forAggregate(kitchen)
        .withEventSource(sharedEventSource)
        .expectVersion(AggregateRootVersion.initial)
        .commit([
          { content: new DishPrepared('A-taco', 'A-chef') },
          { content: new DishPrepared('A-burrito', 'A-chef') },
        ]);
      assert.equal(committedInA.length, 2);

      const seenFromB = await eventStoreOf(tenantB).fetchForAggregate(kitchen, sharedEventSource);
      assert.equal(seenFromB.length, 0, 'tenant B sees tenant A aggregate events');

      // B's aggregate with the same ids starts at version 0 on its own.
      const committedInB = await eventStoreOf(tenantB)
        .forAggregate(kitchen)
        .withEventSource(sharedEventSource)
        .expectVersion(AggregateRootVersion.initial)
        .commit([{ content: new DishPrepared('B-taco', 'B-chef') }]);
      assert.deepEqual(
        [...committedInB].map((event) => event.aggregateRootVersion.value),
        [0],
      );

      const fromA = [...(await eventStoreOf(tenantA).fetchForAggregate(kitchen, sharedEventSource))];
      const fromB = [...(await eventStoreOf(tenantB).fetchForAggregate(kitchen, sharedEventSource))];
      assert.deepEqual(
        fromA.map((event) => event.content.Dish),
        ['A-taco', 'A-burrito'],
      );
      assert.deepEqual(
        fromB.map((event) => event.content.Dish),
        ['B-taco'],
      );
      assert.ok(fromA.every((event) => event.executionContext.tenantId.value.toString() === tenantA));
      assert.ok(fromB.every((event) => event.executionContext.tenantId.value.toString() === tenantB));
    });

    test('aggregateOf() for one tenant re-applies only that tenant’s events', async () => {
      const loadIn = (tenant: string) =>
        outsidePromiseContinuation(() =>
          suite.client.aggregateOf(Kitchen, sharedEventSource, (builder) => builder.forTenant(TenantId.from(tenant))),
        );
      const seen: Record<string, string[]> = {};
      for (const tenant of [tenantA, tenantB]) {
        const operations = await loadIn(tenant);
        await operations.perform((root) => {
          seen[tenant] = [...root.replayed];
        });
      }
      assert.deepEqual(seen[tenantA], ['A-taco', 'A-burrito']);
      assert.deepEqual(seen[tenantB], ['B-taco']);
    });

    test('the development tenant is not served when tenants.json does not list it', async () => {
      const result = await suite.client.eventStore
        .forTenant(TenantId.development)
        .commit(new DishPrepared('Dev dish', 'Dev'), newId());
      assert.equal(result.failed, true, 'the development tenant is not configured here');
      assert.ok(
        result.failure?.reason.value.toLowerCase().includes(developmentTenantId),
        `the failure reason should name the tenant: "${result.failure?.reason.value}"`,
      );
    });
  },
  { tenants: [tenantA, tenantB] },
);
