import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

test("the README's example runs and prints what it says", async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example !== undefined, 'the README has a js example');
  // The example imports the packages by name; a temp working directory cannot resolve them, so point them here.
  const code = example
    .replace("'@dolittle-ts/store-sqlite'", `'${new URL('./index.js', import.meta.url).href}'`)
    .replace("'@dolittle-ts/fundamentals'", `'${import.meta.resolve('@dolittle-ts/fundamentals')}'`);
  const cwd = await mkdtemp(join(tmpdir(), 'dolittle-readme-'));
  try {
    const run = () => promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd });
    const expected = (n: number) => [`${n}`, '{"dish":"Bean Blaster Taco","chef":"Mr. Taco"}', ''].join('\n');
    assert.equal((await run()).stdout, expected(0));
    assert.equal((await run()).stdout, expected(1), 'the second run finds the first run’s event in the file');
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
