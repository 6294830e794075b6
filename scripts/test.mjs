// Runs every test of the tree with Node's own runner over the compiled output (build first: `npm test` does).
// PostgreSQL-backed tests need DOLITTLE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test) to answer;
// they fail loudly when it does not, they never skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const roots = [
  'packages/fundamentals/dist',
  'packages/store/dist',
  'packages/store-sqlite/dist',
  'packages/store-postgres/dist',
  'packages/runtime/dist',
  'packages/cli/dist',
  'compat/dist',
  'reliability/dist',
  'bench/dist',
  'packages/sdk/dist',
  'examples/kitchen/dist',
].filter((p) => existsSync(p));

const extra = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-timeout=600000', '--test-force-exit', ...extra, ...roots],
  {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --enable-source-maps`.trim() },
  },
);
process.exit(result.status ?? 1);
