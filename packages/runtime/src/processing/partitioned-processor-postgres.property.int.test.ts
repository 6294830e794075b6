import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { runScenario } from './model/harness.js';
import { freshTestDatabase } from './model/postgres-database.js';
import { checkAgainstModel, propertyRuns } from './model/property-run.js';
import { scenarioArbitrary } from './model/scenario.js';

/*
 * The property of partitioned-processor.property.int.test.ts on PostgreSQL: the same model (model/expectations.ts),
 * the real Committer, EventWatcher, filter and partitioned processor, with the tenant store in a schema of a fresh
 * database (dropped after) that is closed and reopened on each restart. The stream positions, filter state and
 * failing partitions the processor resumes from are PostgreSQL's.
 */

const livenessTimeoutMs = 5_000;

describe('a partitioned event handler against the model on PostgreSQL', () => {
  const database = freshTestDatabase('dolittle_processor_model');
  const storage = { kind: 'postgres', connectionString: database.connectionString } as const;
  after(() => database.drop());

  it('keeps the model across restarts that reopen the store', async (t) => {
    const input = fc.record({
      scenario: scenarioArbitrary({ maxEvents: 100 }),
      partitionsInFlight: fc.constantFrom(1, 3, 8),
    });
    await checkAgainstModel(
      t,
      input,
      async ({ scenario, partitionsInFlight }) => ({
        observation: await runScenario(scenario, { storage, partitioned: true, partitionsInFlight, livenessTimeoutMs }),
        model: { partitioned: true, partitionsInFlight },
      }),
      { numRuns: propertyRuns(15) },
    );
  });

  it('keeps the model with a random partitionsInFlight, small batches and read-ahead', async (t) => {
    const input = fc.record({
      scenario: scenarioArbitrary({ maxEvents: 100 }),
      partitionsInFlight: fc.integer({ min: 1, max: 6 }),
      batchSize: fc.integer({ min: 1, max: 10 }),
      maxReadAhead: fc.integer({ min: 1, max: 20 }),
    });
    await checkAgainstModel(
      t,
      input,
      async ({ scenario, partitionsInFlight, batchSize, maxReadAhead }) => ({
        observation: await runScenario(scenario, {
          storage,
          partitioned: true,
          partitionsInFlight,
          knobs: { batchSize, maxReadAhead },
          livenessTimeoutMs,
        }),
        model: { partitioned: true, partitionsInFlight },
      }),
      { numRuns: propertyRuns(15) },
    );
  });
});
