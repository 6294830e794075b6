import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import { configFileNames } from './config-files.js';
import { useConfigTestKit } from './config-test-kit.js';
import {
  testCa,
  testClientCertificate,
  testClientKey,
  testServerCertificate,
  testServerKey,
} from './example-certificates.js';
import { runtimeSettings } from './runtime-settings.js';

const { configWith } = useConfigTestKit();

// Tests run from dist/config; the README stays in src/config.
const readme = () => readFile(new URL('../../src/config/README.md', import.meta.url), 'utf8');

test('the configuration README documents every setting and every file', async () => {
  const text = await readme();
  for (const setting of runtimeSettings) {
    const rows = text
      .split('\n')
      .filter((line) => line.startsWith('|') && new RegExp(`\`${setting.flag}[\` ]`).test(line));
    assert.ok(
      rows.some((row) => row.includes(setting.env)),
      `no README table row names both ${setting.flag} and ${setting.env}`,
    );
  }
  for (const name of Object.values(configFileNames)) {
    assert.ok(new RegExp(`^### .*\`${name.replace('.', '\\.')}\``, 'm').test(text), `no section for ${name}`);
  }
});

/** The first JSON example after the `### \`<file>\`` heading. */
function exampleOf(text: string, file: string): unknown {
  const section = text.slice(text.search(new RegExp(`^### .*\`${file.replace('.', '\\.')}\``, 'm')));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(json !== undefined, `no JSON example for ${file}`);
  return JSON.parse(json);
}

test("the README's examples of endpoints.json, event-horizon-consents.json and microservices.json are accepted", async () => {
  const text = await readme();
  const { config } = await configWith({
    'endpoints.json': exampleOf(text, 'endpoints.json'),
    'event-horizon-consents.json': exampleOf(text, 'event-horizon-consents.json'),
    'microservices.json': exampleOf(text, 'microservices.json'),
    'certs/runtime.pem': testServerCertificate,
    'certs/runtime.key': testServerKey,
    'certs/consumers-ca.pem': testCa,
    'certs/producers-ca.pem': testCa,
    'certs/client.pem': testClientCertificate,
    'certs/client.key': testClientKey,
  });
  assert.deepEqual(config.publicTls, { cert: testServerCertificate, key: testServerKey, ca: testCa });
  assert.equal(config.consents.get(developmentTenant)?.length, 1);
  assert.equal(config.microservices.size, 3);
});
