import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { runtimeSettings } from '@dolittle-ts/runtime/config';

test('the README lists every flag of `dolittle runtime` with its variable', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  for (const setting of runtimeSettings) {
    const flag = setting.placeholder === undefined ? setting.flag : `${setting.flag} ${setting.placeholder}`;
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${flag.replace('|', '\\|')}\``));
    assert.ok(row !== undefined, `no README row for ${flag}`);
    assert.ok(row.includes(setting.env), `the README row of ${flag} does not name ${setting.env}`);
  }
});
