import { after, afterEach, describe } from 'node:test';
import { storingCases } from './definitions/storing.js';
import { ConformanceFixture, type ConformanceHarness } from './harness.js';

/** The Definitions port's conformance suite: verbatim JSON, overwrite, kinds/scopes/ids, persistence, tenancy. */
export function definitionsConformance(name: string, harness: ConformanceHarness): void {
  describe(`Definitions conformance: ${name}`, () => {
    const fixture = new ConformanceFixture(harness);
    afterEach(() => fixture.dispose());
    after(() => harness.cleanup?.());

    storingCases(fixture);
  });
}
