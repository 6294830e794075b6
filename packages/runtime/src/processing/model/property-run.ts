import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { checkObservation, type ModelOptions } from './expectations.js';
import type { Observation } from './harness.js';

/**
 * Runs per property: the given default, or `PROPERTY_RUNS` (or the reliability suite's long mode,
 * `RELIABILITY_ROUNDS`) from the environment, to search harder.
 */
export function propertyRuns(fallback: number): number {
  const runs = Number(process.env.PROPERTY_RUNS ?? process.env.RELIABILITY_ROUNDS);
  return Number.isInteger(runs) && runs > 0 ? runs : fallback;
}

/** `PROPERTY_SEED` replays a reported failure (with `PROPERTY_PATH` to go straight to its shrunk case). */
function replayParameters(): Pick<fc.Parameters<unknown>, 'seed' | 'path'> {
  const seed = Number(process.env.PROPERTY_SEED);
  if (!Number.isInteger(seed)) return {};
  const path = process.env.PROPERTY_PATH;
  return path === undefined ? { seed } : { seed, path };
}

/** What a property looked at, summed over its runs, for the test's diagnostics. */
export class PropertyStats {
  runs = 0;
  events = 0;
  handled = 0;
  deliveries = 0;
  failuresInjected = 0;
  restarts = 0;
  maxPartitionsInFlight = 0;
  slowestRunMs = 0;

  add(observation: Observation): void {
    this.runs++;
    this.events += observation.committed.length;
    this.handled += observation.committed.filter((c) => c.handled).length;
    this.deliveries += observation.deliveries.length;
    this.failuresInjected += observation.deliveries.filter((d) => d.outcome === 'failed').length;
    this.restarts += observation.incarnations - 1;
    this.maxPartitionsInFlight = Math.max(this.maxPartitionsInFlight, observation.maxPartitionsInFlight);
    this.slowestRunMs = Math.max(this.slowestRunMs, observation.elapsedMs);
  }

  report(t: TestContext, seed: number | undefined): void {
    t.diagnostic(
      `runs ${this.runs} (seed ${seed}): ${this.events} events committed, ${this.handled} of handled types, ` +
        `${this.deliveries} deliveries, ${this.failuresInjected} failures injected, ${this.restarts} restarts, ` +
        `at most ${this.maxPartitionsInFlight} partitions in flight, slowest run ${Math.round(this.slowestRunMs)} ms`,
    );
  }
}

/**
 * Checks `observe` against the model for generated inputs. On a counterexample the test fails with fast-check's
 * report: the shrunk input, its seed and path, and the model's violations.
 */
export async function checkAgainstModel<T>(
  t: TestContext,
  arbitrary: fc.Arbitrary<T>,
  observe: (input: T) => Promise<{ observation: Observation; model: ModelOptions }>,
  options: { readonly numRuns: number },
): Promise<void> {
  const stats = new PropertyStats();
  const property = fc.asyncProperty(arbitrary, async (input) => {
    const { observation, model } = await observe(input);
    stats.add(observation);
    const violations = checkObservation(observation, model);
    if (violations.length > 0) {
      const shown = violations.slice(0, 15);
      if (violations.length > shown.length) shown.push(`… and ${violations.length - shown.length} more`);
      throw new Error(`the engine left the model:\n  ${shown.join('\n  ')}`);
    }
  });
  const details = await fc.check(property, {
    numRuns: options.numRuns,
    // A failing scenario can take seconds (the liveness wait); bound the shrinking that follows. The bound covers the
    // runs too, so it grows with them (2 s a run) for long searches.
    interruptAfterTimeLimit: Number(process.env.PROPERTY_TIME_LIMIT_MS ?? Math.max(60_000, options.numRuns * 2_000)),
    ...replayParameters(),
  });
  stats.report(t, details.seed);
  if (details.failed) {
    const error =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(`${fc.defaultReportMessage(details)}\n${error}`);
  }
  assert.ok(!details.interrupted, 'the property was interrupted before its runs were done');
}
