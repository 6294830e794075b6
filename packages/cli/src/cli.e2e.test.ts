import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { runtimeSettings } from '@dolittle-ts/runtime/config';
import { type CliResult, createWorkDir, runCli, type WorkDir } from './cli-process.js';

const tenantA = '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const tenantB = '900893e7-c4cc-4873-8032-884e965e4b97';

const dirs: WorkDir[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await dir.remove();
});

async function workDir(files: Record<string, unknown> = {}): Promise<WorkDir> {
  const dir = await createWorkDir();
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) await dir.config(name, content);
  return dir;
}

/** Exit code 2 and exactly one stderr line, `dolittle runtime: <message>`, that matches `message`. */
function assertConfigurationError(result: CliResult, message: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^dolittle runtime: /);
  assert.match(lines[0]!, message);
}

describe('dolittle', () => {
  it('--version prints the package version', async () => {
    const dir = await workDir();
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const result = await runCli(['--version'], { cwd: dir.cwd });
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it('--help lists the runtime command', async () => {
    const dir = await workDir();
    const result = await runCli(['--help'], { cwd: dir.cwd });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: dolittle/);
    assert.match(result.stdout, /runtime \[options\]/);
  });

  it('runtime --help lists every flag with its variable, and the exit codes', async () => {
    const dir = await workDir();
    const result = await runCli(['runtime', '--help'], { cwd: dir.cwd });
    assert.equal(result.code, 0);
    const help = result.stdout.replace(/\s+/g, ' ');
    for (const setting of runtimeSettings) {
      assert.ok(help.includes(setting.flag), setting.flag);
      assert.ok(help.includes(setting.env), setting.env);
    }
    assert.match(help, /Exit codes: 0 .* 1 .* 2 invalid configuration/);
  });

  it('an unknown command or option is a usage error (exit 2) on one line', async () => {
    const dir = await workDir();
    const unknownCommand = await runCli(['runtim'], { cwd: dir.cwd });
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.stderr, /^dolittle: unknown command 'runtim' \(Did you mean runtime\?\)\n$/);
    assertConfigurationError(await runCli(['runtime', '--private'], { cwd: dir.cwd }), /unknown option '--private'/);
  });
});

describe('dolittle runtime refuses a bad configuration with exit code 2, naming the file and key', () => {
  it('an unknown key in tenants.json', async () => {
    const dir = await workDir({ 'tenants.json': { [tenantA]: { name: 'shop' } } });
    assertConfigurationError(
      await runCli(['runtime'], { cwd: dir.cwd }),
      new RegExp(`^dolittle runtime: \\.dolittle/tenants\\.json \\(${tenantA}\\.name\\): unknown key`),
    );
  });

  it('a malformed tenant id', async () => {
    const dir = await workDir({ 'tenants.json': { '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5fx': {} } });
    assertConfigurationError(
      await runCli(['runtime'], { cwd: dir.cwd }),
      /^dolittle runtime: \.dolittle\/tenants\.json \(7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5fx\): not a GUID/,
    );
  });

  it('two tenants on one SQLite file', async () => {
    const dir = await workDir({
      'tenants.json': { [tenantA]: {}, [tenantB]: {} },
      'resources.json': {
        [tenantA]: { eventStore: { sqlite: { file: 'shared.sqlite' } } },
        [tenantB]: { eventStore: { sqlite: { file: 'shared.sqlite' } } },
      },
    });
    assertConfigurationError(
      await runCli(['runtime'], { cwd: dir.cwd }),
      new RegExp(
        `^dolittle runtime: \\.dolittle/resources\\.json \\(${tenantB}\\.eventStore\\): tenants ${tenantA} and ${tenantB} both use the SQLite file .*shared\\.sqlite`,
      ),
    );
  });

  it('a malformed flag or variable, naming it', async () => {
    const dir = await workDir();
    assertConfigurationError(
      await runCli(['runtime', '--private-port', 'http'], { cwd: dir.cwd }),
      /^dolittle runtime: --private-port: not a port number/,
    );
    assertConfigurationError(
      await runCli(['runtime'], { cwd: dir.cwd, env: { DOLITTLE_MICROSERVICE_ID: 'shop' } }),
      /^dolittle runtime: DOLITTLE_MICROSERVICE_ID: not a GUID, got "shop"$/,
    );
  });

  it('a public TLS certificate without its key, or a key file that does not exist, naming the flag', async () => {
    const dir = await workDir();
    assertConfigurationError(
      await runCli(['runtime', '--public-tls-cert', 'runtime.pem'], { cwd: dir.cwd }),
      /^dolittle runtime: --public-tls-cert: given without --public-tls-key \(DOLITTLE_PUBLIC_TLS_KEY\)/,
    );
    assertConfigurationError(
      await runCli(['runtime', '--public-tls-cert', 'runtime.pem', '--public-tls-key', 'runtime.key'], {
        cwd: dir.cwd,
      }),
      /^dolittle runtime: --public-tls-cert: runtime\.pem does not exist$/,
    );
  });

  it('a consent of a tenant that is not configured', async () => {
    const dir = await workDir({
      'tenants.json': { [tenantA]: {} },
      'event-horizon-consents.json': { [tenantB]: [] },
    });
    assertConfigurationError(
      await runCli(['runtime'], { cwd: dir.cwd }),
      new RegExp(
        `^dolittle runtime: \\.dolittle/event-horizon-consents\\.json \\(${tenantB}\\): tenant ${tenantB} is not configured`,
      ),
    );
  });

  it('a config directory given but missing', async () => {
    const dir = await workDir();
    assertConfigurationError(
      await runCli(['runtime', '--config-dir', 'missing'], { cwd: dir.cwd }),
      /^dolittle runtime: --config-dir: the directory .*missing does not exist$/,
    );
  });
});
