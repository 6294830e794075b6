import { after, afterEach, describe } from 'node:test';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';
import { appendCases } from './streams/append.js';
import { dropCases } from './streams/drop.js';
import { identityCases } from './streams/identity.js';
import { persistenceCases } from './streams/persistence.js';
import { positionCases } from './streams/positions.js';
import { readingCases } from './streams/reading.js';

/**
 * The Streams port's conformance suite: positions, appends that carry their filter's state, reading (whole
 * streams and partitions), which stream is which (private/public, scopes, tenants), drop and persistence.
 * The adapter's TenantStore must have `streams` and `processorStates`.
 */
export function streamsConformance(name: string, harness: ConformanceHarness): void {
  describe(`Streams conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    positionCases(fixture);
    appendCases(fixture);
    readingCases(fixture);
    identityCases(fixture);
    dropCases(fixture);
    persistenceCases(fixture);
  });
}
