import { describe, it } from 'node:test';
import { runScenario } from './model/harness.js';
import { checkAgainstModel, propertyRuns } from './model/property-run.js';
import { scenarioArbitrary } from './model/scenario.js';

/*
 * Property: an unpartitioned event handler (real SQLite store, Committer, EventWatcher; simulated head; random
 * failures and restarts) first handles the events of its types exactly in commit order, retries a failing event
 * with retryCount = failures − 1 after its retry time, and delivers nothing after a failing event until it succeeds
 * (model/expectations.ts, with the whole stream as one partition).
 */

describe('an unpartitioned event handler against the model', () => {
  it('handles in commit order and halts at a failing event until it succeeds', async (t) => {
    await checkAgainstModel(
      t,
      // Failures halt everything here, so they add up: fewer events and shorter retry times keep a run short.
      scenarioArbitrary({ maxEvents: 100, maxRetryAfterMs: 20 }),
      async (scenario) => ({
        observation: await runScenario(scenario, {
          storage: { kind: 'memory' },
          partitioned: false,
          partitionsInFlight: 8,
          livenessTimeoutMs: 5_000,
        }),
        model: { partitioned: false },
      }),
      { numRuns: propertyRuns(25) },
    );
  });
});
