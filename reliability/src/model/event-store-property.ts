import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { checkWholeStore, type EventStoreCommand, eventStoreCommands } from './event-store-commands.js';
import { emptyModel } from './event-store-model.js';
import type { ModelStorage } from './model-storage.js';
import { ModelStats, StoreSession, scopeCount } from './store-session.js';

/**
 * Runs one command sequence on a fresh tenant of `storage` and on an empty model, then compares the whole store
 * with the model. Used by the property and by the recorded regressions alike.
 */
export async function runCommands(
  storage: ModelStorage,
  commands: Iterable<EventStoreCommand>,
  stats: ModelStats = new ModelStats(),
): Promise<void> {
  stats.runs++;
  const session = await StoreSession.open(storage, stats);
  try {
    const model = emptyModel(scopeCount);
    await fc.asyncModelRun(() => ({ model, real: session }), commands);
    await checkWholeStore(model, session, 'the last command');
  } finally {
    await session.close();
  }
}

/**
 * Runs per property: `RELIABILITY_ROUNDS` (the long mode) or the short mode's default. `RELIABILITY_SEED` (with
 * `RELIABILITY_PATH` to go straight to the shrunk case) replays a reported failure.
 */
export function modelRunParameters(shortRuns: number): fc.Parameters<unknown> {
  const rounds = Number(process.env.RELIABILITY_ROUNDS);
  const seed = Number(process.env.RELIABILITY_SEED);
  const path = process.env.RELIABILITY_PATH;
  return {
    numRuns: Number.isInteger(rounds) && rounds > 0 ? rounds : shortRuns,
    ...(Number.isInteger(seed) ? { seed } : {}),
    ...(Number.isInteger(seed) && path !== undefined ? { path } : {}),
  };
}

/** The property: every generated command sequence keeps the store equal to the model. */
export async function checkEventStoreModel(
  t: TestContext,
  storage: ModelStorage,
  options: { readonly shortRuns: number; readonly maxCommands: number },
): Promise<void> {
  const stats = new ModelStats();
  const parameters = modelRunParameters(options.shortRuns);
  const longer = Number(process.env.RELIABILITY_MAX_COMMANDS);
  const maxCommands = Number.isInteger(longer) && longer > 0 ? longer : options.maxCommands;
  const property = fc.asyncProperty(eventStoreCommands({ maxCommands }), (commands) =>
    runCommands(storage, commands, stats),
  );
  const started = performance.now();
  const timeLimit = Number(process.env.RELIABILITY_TIME_LIMIT_MS);
  const details = await fc.check(property, {
    ...parameters,
    // Runs and shrinking together stop after this long, if set; the check then fails as interrupted.
    ...(Number.isInteger(timeLimit) && timeLimit > 0 ? { interruptAfterTimeLimit: timeLimit } : {}),
  });
  t.diagnostic(
    `${storage.name}: seed ${details.seed}, ${details.numRuns} runs of up to ${maxCommands} commands passed of ` +
      `${parameters.numRuns} asked` +
      `${details.failed ? ` (failed, ${details.numShrinks} shrinks)` : ''}; ${stats.summary()}; ` +
      `${Math.round(performance.now() - started)} ms`,
  );
  if (details.failed) {
    const error =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(
      `${fc.defaultReportMessage(details)}\n${error}\n` +
        'Keep the shrunk sequence as a case of event-store-regressions.int.test.ts (see README.md there).',
    );
  }
  assert.ok(!details.interrupted, 'the property was interrupted before its runs were done');
}
