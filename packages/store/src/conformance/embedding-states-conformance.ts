import { after, afterEach, describe } from 'node:test';
import { listingCases } from './embedding-states/listing.js';
import { storingCases } from './embedding-states/storing.js';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';

/**
 * The EmbeddingStates port's conformance suite: exact round trip (state, version, removed), overwrite, refused
 * versions, getAll with and without removed states, drop, embeddings and tenants apart, persistence.
 * The adapter's TenantStore must have `embeddings`.
 */
export function embeddingStatesConformance(name: string, harness: ConformanceHarness): void {
  describe(`EmbeddingStates conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    storingCases(fixture);
    listingCases(fixture);
  });
}
