#!/usr/bin/env node
// `npm run bench`: every benchmark, one after another, on every store. Flags are passed on (e.g. `--quick`).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommitThroughputOptions } from './commit-throughput/options.js';
import { runCommitThroughput } from './commit-throughput/run.js';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));

try {
  await runCommitThroughput(parseCommitThroughputOptions(process.argv.slice(2), benchDir));
  await (await import('./event-horizon.js')).runEventHorizonFromCli(process.argv.slice(2), benchDir, { lenient: true });
  await (await import('./catch-up.js')).runCatchUpFromCli(process.argv.slice(2), benchDir, { lenient: true });
  await (await import('./projection-rebuild.js')).runRebuildFromCli(process.argv.slice(2), benchDir, { lenient: true });
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
