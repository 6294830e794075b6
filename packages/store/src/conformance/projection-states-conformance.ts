import { after, afterEach, describe } from 'node:test';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';
import { applyCases } from './projection-states/apply.js';
import { getManyCases } from './projection-states/get-many.js';
import { persistenceCases } from './projection-states/persistence.js';
import { roundTripCases } from './projection-states/round-trip.js';
import { setCases } from './projection-states/sets.js';
import { volumeCases } from './projection-states/volume.js';

/**
 * The ProjectionStates port's conformance suite: `apply` writes read-model changes and the projection's processor
 * state in one transaction (in order, last change wins, refused as a whole), getMany reads many keys at once,
 * verbatim states and keys, sets apart (generations, projections, scopes, tenants), drop, persistence, and 10,000
 * read models.
 * The adapter's TenantStore must have `projections` and `processorStates`.
 */
export function projectionStatesConformance(name: string, harness: ConformanceHarness): void {
  describe(`ProjectionStates conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    roundTripCases(fixture);
    applyCases(fixture);
    getManyCases(fixture);
    setCases(fixture);
    persistenceCases(fixture);
    volumeCases(fixture);
  });
}
