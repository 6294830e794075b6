import { after, afterEach, describe } from 'node:test';
import { aggregateCases } from './event-store/aggregates.js';
import { commitBatchCases } from './event-store/commit-batches.js';
import { readingCases } from './event-store/reading.js';
import { roundTripCases } from './event-store/round-trip.js';
import { sequenceNumberCases } from './event-store/sequence-numbers.js';
import { storeLifecycleCases } from './event-store/store-lifecycle.js';
import { tenancyCases } from './event-store/tenancy.js';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';

/**
 * The EventStore port's conformance suite: registers `node:test` cases that check every guarantee the port
 * documents against the adapter behind `harness`. An adapter calls it once per storage kind from its
 * `*.int.test.ts` wiring file; it is done when every case passes.
 */
export function eventStoreConformance(name: string, harness: ConformanceHarness): void {
  describe(`EventStore conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    sequenceNumberCases(fixture);
    commitBatchCases(fixture);
    aggregateCases(fixture);
    roundTripCases(fixture);
    readingCases(fixture);
    tenancyCases(fixture);
    storeLifecycleCases(fixture);
  });
}
