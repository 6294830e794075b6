import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { runScenario } from './model/harness.js';
import { checkAgainstModel, propertyRuns } from './model/property-run.js';
import { scenarioArbitrary } from './model/scenario.js';

/*
 * Property: a partitioned event handler on a real SQLite store, fed by the real Committer and EventWatcher, with a
 * simulated head that fails events as generated and random restarts, behaves like the model (model/expectations.ts):
 * every handled event is handled (within 5 s of the last step), per partition in commit order, replays after a
 * restart only repeat that order, other types and wrong partitions never reach the head, retries carry
 * retryCount = failures − 1 and wait for their retry time, and a failing event holds back its own partition only.
 */

const livenessTimeoutMs = 5_000;

describe('a partitioned event handler against the model', () => {
  for (const partitionsInFlight of [1, 8]) {
    it(`keeps the model with partitionsInFlight = ${partitionsInFlight} (memory store, restarts)`, async (t) => {
      await checkAgainstModel(
        t,
        scenarioArbitrary(),
        async (scenario) => ({
          observation: await runScenario(scenario, {
            storage: { kind: 'memory' },
            partitioned: true,
            partitionsInFlight,
            livenessTimeoutMs,
          }),
          model: { partitioned: true, partitionsInFlight },
        }),
        { numRuns: propertyRuns(30) },
      );
    });
  }

  it('keeps the model with a random partitionsInFlight, small batches and read-ahead', async (t) => {
    const input = fc.record({
      scenario: scenarioArbitrary(),
      partitionsInFlight: fc.integer({ min: 1, max: 6 }),
      batchSize: fc.integer({ min: 1, max: 10 }),
      maxReadAhead: fc.integer({ min: 1, max: 20 }),
    });
    await checkAgainstModel(
      t,
      input,
      async ({ scenario, partitionsInFlight, batchSize, maxReadAhead }) => ({
        observation: await runScenario(scenario, {
          storage: { kind: 'memory' },
          partitioned: true,
          partitionsInFlight,
          knobs: { batchSize, maxReadAhead },
          livenessTimeoutMs,
        }),
        model: { partitioned: true, partitionsInFlight },
      }),
      { numRuns: propertyRuns(30) },
    );
  });

  describe('on a file store that is closed and reopened on each restart', () => {
    let directory: string;
    before(async () => {
      directory = await mkdtemp(join(tmpdir(), 'dolittle-partitioned-property-'));
    });
    after(() => rm(directory, { recursive: true, force: true }));

    it('keeps the model across restarts', async (t) => {
      const input = fc.record({
        scenario: scenarioArbitrary({ maxEvents: 100 }),
        partitionsInFlight: fc.constantFrom(1, 3, 8),
      });
      await checkAgainstModel(
        t,
        input,
        async ({ scenario, partitionsInFlight }) => ({
          observation: await runScenario(scenario, {
            storage: { kind: 'file', directory },
            partitioned: true,
            partitionsInFlight,
            livenessTimeoutMs,
          }),
          model: { partitioned: true, partitionsInFlight },
        }),
        { numRuns: propertyRuns(25) },
      );
    });
  });
});
