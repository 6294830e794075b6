import { after, afterEach, describe } from 'node:test';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';
import { persistenceCases } from './subscription-states/persistence.js';
import { positionCases } from './subscription-states/positions.js';
import { receivingCases } from './subscription-states/receiving.js';
import { refusalCases } from './subscription-states/refusals.js';

/**
 * The SubscriptionStates port's conformance suite (the consumer side of the event horizon): positions per
 * subscription, received events as external events in the scope's own event log (dense, apart from the default
 * scope and other scopes, readable by scoped streams), refused receives that write nothing, persistence and
 * tenancy. The adapter's TenantStore must have `subscriptions`, and `streams` and `processorStates` for the case
 * of a filter over the scoped log.
 */
export function subscriptionStatesConformance(name: string, harness: ConformanceHarness): void {
  describe(`SubscriptionStates conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    positionCases(fixture);
    receivingCases(fixture);
    refusalCases(fixture);
    persistenceCases(fixture);
  });
}
