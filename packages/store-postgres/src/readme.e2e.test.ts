import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { connectionStringFor, dropDatabase, uniquePrefix } from './postgres-for-tests.js';

const database = uniquePrefix('dolittle_readme_').slice(0, -1);
after(() => dropDatabase(database));

test("the README's example runs and prints what it says", async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example !== undefined, 'the README has a js example');
  // Run it against a fresh database on the test server (the example creates it), importing the packages by path.
  const code = example
    .replace("'postgres://postgres@127.0.0.1:5432/kitchen'", `'${connectionStringFor(database)}'`)
    .replace("'@dolittle-ts/store-postgres'", `'${new URL('./index.js', import.meta.url).href}'`)
    .replace("'@dolittle-ts/fundamentals'", `'${import.meta.resolve('@dolittle-ts/fundamentals')}'`);
  assert.ok(code.includes(database));
  const run = () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', code]);
  const expected = (n: number) => [`${n}`, '{"dish":"Bean Blaster Taco","chef":"Mr. Taco"}', ''].join('\n');
  assert.equal((await run()).stdout, expected(0));
  assert.equal((await run()).stdout, expected(1), 'the second run finds the first run’s event in the database');
});
