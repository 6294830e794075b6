import { after, afterEach, describe } from 'node:test';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';
import { keyCases } from './stream-processor-states/keys.js';
import { roundTripCases } from './stream-processor-states/round-trip.js';

/**
 * The StreamProcessorStates port's conformance suite: exact round trip of both kinds of state (failures, failing
 * partitions, millisecond times), keys, overwrite, remove, `all()`, persistence and tenancy.
 */
export function streamProcessorStatesConformance(name: string, harness: ConformanceHarness): void {
  describe(`StreamProcessorStates conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    roundTripCases(fixture);
    keyCases(fixture);
  });
}
