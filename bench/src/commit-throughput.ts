#!/usr/bin/env node
// `node bench/dist/commit-throughput.js [--store sqlite|postgres|all] [--quick]`: see commit-throughput/options.ts.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommitThroughputOptions } from './commit-throughput/options.js';
import { runCommitThroughput } from './commit-throughput/run.js';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));

try {
  await runCommitThroughput(parseCommitThroughputOptions(process.argv.slice(2), benchDir));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
