/*
 * `npm run kitchen -- --runtime localhost:50053` (a running Runtime) or `npm run kitchen -- --embedded` (a Runtime in
 * this process, events in memory; `--embedded ./data` keeps them in SQLite files there).
 */
import { parseArgs } from 'node:util';
import type { RuntimeTarget } from '@dolittle-ts/sdk';
import { runKitchen } from './run-kitchen.js';

const { values } = parseArgs({
  options: {
    runtime: { type: 'string' },
    embedded: { type: 'boolean', default: false },
    data: { type: 'string' },
  },
});

const target: RuntimeTarget = values.embedded
  ? { embedded: { store: values.data === undefined ? { kind: 'memory' } : { kind: 'sqlite', directory: values.data } } }
  : (values.runtime ?? 'localhost:50053');

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
try {
  await runKitchen(target, (line) => console.log(line), stop.signal);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
