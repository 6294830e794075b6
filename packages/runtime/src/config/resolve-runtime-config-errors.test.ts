import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { developmentTenant, InvalidConfiguration } from '@dolittle-ts/fundamentals';
import { resolveRuntimeConfig } from './resolve-runtime-config.js';
import type { RuntimeFlags } from './runtime-settings.js';
import { createTempConfigDir, type TempConfigDir } from './temp-config-dir.js';

const tenantA = '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const tenantB = '900893e7-c4cc-4873-8032-884e965e4b97';

const dirs: TempConfigDir[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await dir.remove();
});

/** Resolves with these files, flags and variables and returns the InvalidConfiguration it must throw. */
async function problemWith(
  files: Record<string, unknown>,
  options: { flags?: RuntimeFlags; env?: NodeJS.ProcessEnv } = {},
): Promise<InvalidConfiguration> {
  const dir = await createTempConfigDir(files);
  dirs.push(dir);
  try {
    await resolveRuntimeConfig({ flags: options.flags ?? {}, env: options.env ?? {}, cwd: dir.cwd });
  } catch (error) {
    assert.ok(error instanceof InvalidConfiguration, `expected InvalidConfiguration, got ${String(error)}`);
    return error;
  }
  assert.fail('the configuration was accepted');
}

function expectProblem(error: InvalidConfiguration, file: string, key: string, problem: RegExp): void {
  assert.equal(error.file, file, error.message);
  assert.equal(error.key, key, error.message);
  assert.equal(error.code, 'InvalidConfiguration');
  assert.match(error.message, problem);
  assert.ok(error.message.startsWith(key === '' ? `${file}: ` : `${file} (${key}): `), error.message);
}

describe('resolveRuntimeConfig refuses tenants.json', () => {
  it('when a key is not a GUID', async () => {
    const error = await problemWith({ 'tenants.json': { '7f1c-x': {} } });
    expectProblem(error, '.dolittle/tenants.json', '7f1c-x', /not a GUID/);
  });

  it('when a tenant entry has a key (it is an empty object)', async () => {
    const error = await problemWith({ 'tenants.json': { [tenantA]: { name: 'shop' } } });
    expectProblem(error, '.dolittle/tenants.json', `${tenantA}.name`, /unknown key \(expected an empty object \{\}\)/);
  });

  it('when it lists no tenants', async () => {
    const error = await problemWith({ 'tenants.json': {} });
    expectProblem(error, '.dolittle/tenants.json', '', /lists no tenants/);
  });

  it('when it lists one tenant twice in different case', async () => {
    const error = await problemWith({ 'tenants.json': { [tenantA]: {}, [tenantA.toUpperCase()]: {} } });
    expectProblem(error, '.dolittle/tenants.json', tenantA.toUpperCase(), /the same tenant as/);
  });

  it('when it is not JSON, or not an object', async () => {
    expectProblem(await problemWith({ 'tenants.json': '{ "a": ' }), '.dolittle/tenants.json', '', /not valid JSON/);
    expectProblem(
      await problemWith({ 'tenants.json': [tenantA] }),
      '.dolittle/tenants.json',
      '',
      /expected an object, got an array/,
    );
  });

  it('when it cannot be read', async () => {
    const dir = await createTempConfigDir();
    dirs.push(dir);
    await mkdir(join(dir.configDir, 'tenants.json'));
    await assert.rejects(
      resolveRuntimeConfig({ flags: {}, env: {}, cwd: dir.cwd }),
      (error: InvalidConfiguration) => error.file === '.dolittle/tenants.json' && /cannot be read/.test(error.message),
    );
  });
});

describe('resolveRuntimeConfig refuses resources.json', () => {
  const tenants = { [tenantA]: {}, [tenantB]: {} };

  it('when it names a tenant that tenants.json does not list', async () => {
    const other = 'aaaaaaaa-0000-4000-8000-000000000000';
    const error = await problemWith({
      'tenants.json': tenants,
      'resources.json': { [other]: { eventStore: { sqlite: { memory: true } } } },
    });
    expectProblem(
      error,
      '.dolittle/resources.json',
      other,
      new RegExp(`tenant ${other} is not configured.*${tenantA}`),
    );
  });

  it('when it names a tenant and there is no tenants.json', async () => {
    const error = await problemWith({ 'resources.json': { [tenantA]: { eventStore: { sqlite: { memory: true } } } } });
    expectProblem(error, '.dolittle/resources.json', tenantA, new RegExp(`development tenant ${developmentTenant}`));
  });

  it('when a key is not a GUID', async () => {
    const error = await problemWith({ 'resources.json': { shop: { eventStore: { sqlite: { memory: true } } } } });
    expectProblem(error, '.dolittle/resources.json', 'shop', /not a GUID/);
  });

  it('when a tenant has an unknown resource, or no event store', async () => {
    expectProblem(
      await problemWith({
        'tenants.json': tenants,
        'resources.json': { [tenantA]: { eventStore: { sqlite: { memory: true } }, cache: {} } },
      }),
      '.dolittle/resources.json',
      `${tenantA}.cache`,
      /unknown key \(expected eventStore, projections, embeddings, readModels\)/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': { [tenantA]: {} } }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore`,
      /is missing/,
    );
  });

  it('when an event store has none of the known forms', async () => {
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': { [tenantA]: { eventStore: { mongo: 'x' } } } }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.mongo`,
      /unknown key \(expected \{ "sqlite"/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': { [tenantA]: { eventStore: {} } } }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore`,
      /is empty/,
    );
  });

  it('when a sqlite event store is not exactly one of file or memory', async () => {
    const at = `${tenantA}.eventStore.sqlite`;
    const resources = (sqlite: unknown) => ({ [tenantA]: { eventStore: { sqlite } } });
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({}) }),
      '.dolittle/resources.json',
      at,
      /needs "file"/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({ file: 'a', memory: true }) }),
      '.dolittle/resources.json',
      at,
      /has both/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({ memory: false }) }),
      '.dolittle/resources.json',
      `${at}.memory`,
      /expected true, got false/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({ path: 'a' }) }),
      '.dolittle/resources.json',
      `${at}.path`,
      /unknown key \(expected file, memory\)/,
    );
  });

  it('when a postgres event store has a bad URL or schema', async () => {
    const resources = (postgres: unknown) => ({ [tenantA]: { eventStore: { postgres } } });
    expectProblem(
      await problemWith({
        'tenants.json': tenants,
        'resources.json': resources({ connectionString: 'mysql://db/events' }),
      }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.postgres.connectionString`,
      /expected a postgres:\/\/ URL/,
    );
    expectProblem(
      await problemWith({
        'tenants.json': tenants,
        'resources.json': resources({ connectionString: 'postgres://db:5432/' }),
      }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.postgres.connectionString`,
      /names no database/,
    );
    expectProblem(
      await problemWith({
        'tenants.json': tenants,
        'resources.json': resources({ connectionString: 'postgres://db/events', schema: 'my-schema' }),
      }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.postgres.schema`,
      /not a schema name/,
    );
  });

  it('when a Dolittle MongoDB-era event store is malformed', async () => {
    const resources = (eventStore: unknown) => ({ [tenantA]: { eventStore } });
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({ servers: [], database: 'e' }) }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.servers`,
      /must have at least 1 entry/,
    );
    expectProblem(
      await problemWith({
        'tenants.json': tenants,
        'resources.json': resources({ servers: ['a', 'b'], database: 'e' }),
      }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.servers`,
      /lists 2 servers/,
    );
    expectProblem(
      await problemWith({
        'tenants.json': tenants,
        'resources.json': resources({ servers: ['a:99999'], database: 'e' }),
      }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.servers[0]`,
      /not a host or host:port/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({ servers: ['a'], database: 7 }) }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.database`,
      /expected a string, got 7/,
    );
    expectProblem(
      await problemWith({ 'tenants.json': tenants, 'resources.json': resources({ servers: ['a'] }) }),
      '.dolittle/resources.json',
      `${tenantA}.eventStore.database`,
      /is missing/,
    );
  });

  it('when two tenants use the same SQLite file', async () => {
    const error = await problemWith({
      'tenants.json': tenants,
      'resources.json': {
        [tenantA]: { eventStore: { sqlite: { file: 'shared.sqlite' } } },
        [tenantB]: { eventStore: { sqlite: { file: './x/../shared.sqlite' } } },
      },
    });
    expectProblem(
      error,
      '.dolittle/resources.json',
      `${tenantB}.eventStore`,
      new RegExp(`tenants ${tenantA} and ${tenantB} both use the SQLite file .*shared\\.sqlite`),
    );
  });

  it('when a configured file is the default file of another tenant', async () => {
    const error = await problemWith({
      'tenants.json': tenants,
      'resources.json': { [tenantB]: { eventStore: { sqlite: { file: `${tenantA}.sqlite` } } } },
    });
    expectProblem(error, '.dolittle/resources.json', `${tenantB}.eventStore`, /both use the SQLite file/);
  });

  it('when two tenants use the same PostgreSQL schema', async () => {
    const error = await problemWith({
      'tenants.json': tenants,
      'resources.json': {
        [tenantA]: { eventStore: { postgres: { connectionString: 'postgres://a@DB:5432/events', schema: 'shop' } } },
        [tenantB]: { eventStore: { postgres: { connectionString: 'postgresql://b@db/events', schema: 'SHOP' } } },
      },
    });
    expectProblem(
      error,
      '.dolittle/resources.json',
      `${tenantB}.eventStore`,
      new RegExp(`tenants ${tenantA} and ${tenantB} both use schema SHOP of PostgreSQL database events on db:5432`),
    );
  });

  it('even when --store overrides it', async () => {
    const error = await problemWith(
      { 'tenants.json': tenants, 'resources.json': { [tenantA]: { eventStore: { sqlite: {} } } } },
      { flags: { store: 'memory' } },
    );
    expectProblem(error, '.dolittle/resources.json', `${tenantA}.eventStore.sqlite`, /needs "file"/);
  });
});

describe('resolveRuntimeConfig refuses endpoints.json and metrics.json', () => {
  it('when a port is out of range or not an integer', async () => {
    expectProblem(
      await problemWith({ 'endpoints.json': { private: { port: 70000 } } }),
      '.dolittle/endpoints.json',
      'private.port',
      /must be at most 65535, got 70000/,
    );
    expectProblem(
      await problemWith({ 'endpoints.json': { public: { port: '50052' } } }),
      '.dolittle/endpoints.json',
      'public.port',
      /expected a number, got "50052"/,
    );
    expectProblem(
      await problemWith({ 'metrics.json': { Port: 9.5 } }),
      '.dolittle/metrics.json',
      'Port',
      /expected an integer/,
    );
  });

  it('when a key is unknown', async () => {
    expectProblem(
      await problemWith({ 'endpoints.json': { management: { port: 51052 } } }),
      '.dolittle/endpoints.json',
      'management',
      /unknown key \(expected public, private\)/,
    );
    expectProblem(
      await problemWith({ 'endpoints.json': { private: { port: 1, host: 'x' } } }),
      '.dolittle/endpoints.json',
      'private.host',
      /unknown key \(expected port\)/,
    );
  });

  it('when metrics.json gives both Port and port', async () => {
    expectProblem(
      await problemWith({ 'metrics.json': { Port: 1, port: 2 } }),
      '.dolittle/metrics.json',
      'port',
      /both/,
    );
  });

  it('when two endpoints use one port', async () => {
    expectProblem(
      await problemWith({ 'endpoints.json': { public: { port: 7000 }, private: { port: 7000 } } }),
      '.dolittle/endpoints.json',
      'public.port',
      /port 7000 is already the private port \(from \.dolittle\/endpoints\.json private\.port\)/,
    );
    expectProblem(
      await problemWith({}, { flags: { metricsPort: '50053' } }),
      '--metrics-port',
      '',
      /port 50053 is already the private port \(by default\)/,
    );
    expectProblem(
      await problemWith({ 'endpoints.json': { public: { port: 9700 } } }),
      '.dolittle/endpoints.json',
      'public.port',
      /port 9700 is already the metrics port \(by default\)/,
    );
    expectProblem(
      await problemWith({}, { env: { DOLITTLE_PUBLIC_PORT: '8000' }, flags: { privatePort: '8000' } }),
      'DOLITTLE_PUBLIC_PORT',
      '',
      /port 8000 is already the private port \(from --private-port\)/,
    );
  });

  it('when event-horizon-consents.json or microservices.json is not a JSON object', async () => {
    expectProblem(
      await problemWith({ 'event-horizon-consents.json': [] }),
      '.dolittle/event-horizon-consents.json',
      '',
      /expected an object/,
    );
    expectProblem(
      await problemWith({ 'microservices.json': '{' }),
      '.dolittle/microservices.json',
      '',
      /not valid JSON/,
    );
  });
});

describe('resolveRuntimeConfig refuses malformed flags and variables, naming them', () => {
  const cases: [RuntimeFlags | NodeJS.ProcessEnv, string, RegExp][] = [
    [{ privatePort: 'abc' }, '--private-port', /not a port number \(0\.\.65535; 0 lets the OS choose\), got "abc"/],
    [{ DOLITTLE_PRIVATE_PORT: '65536' }, 'DOLITTLE_PRIVATE_PORT', /not a port number/],
    [{ publicPort: '-1' }, '--public-port', /not a port number/],
    [{ DOLITTLE_METRICS_PORT: 'none' }, 'DOLITTLE_METRICS_PORT', /or "off", got "none"/],
    [{ microserviceId: 'shop' }, '--microservice-id', /not a GUID, got "shop"/],
    [{ DOLITTLE_MICROSERVICE_ID: '7f1c' }, 'DOLITTLE_MICROSERVICE_ID', /not a GUID/],
    [{ store: 'mongodb://db/events' }, '--store', /expected sqlite, memory or a postgres:/],
    [{ DOLITTLE_STORE: 'postgres://db:5432' }, 'DOLITTLE_STORE', /names no database/],
    [{ store: 'postgres://:5432/x' }, '--store', /names no host|not a URL/],
    [{ DOLITTLE_ALLOW_UNSAFE_DURABILITY: 'yes' }, 'DOLITTLE_ALLOW_UNSAFE_DURABILITY', /expected true or false/],
    [{ maxMessageBytes: '4MiB' }, '--max-message-bytes', /not a size in bytes/],
    [{ maxMessageBytes: '0' }, '--max-message-bytes', /not a size in bytes/],
    [{ DOLITTLE_LOG_LEVEL: 'verbose' }, 'DOLITTLE_LOG_LEVEL', /expected trace, debug, info, warn, error/],
    [{ host: 'a host' }, '--host', /not a host name or IP address/],
    [{ environment: ' ' }, '--environment', /must not be empty/],
  ];
  for (const [given, source, problem] of cases) {
    it(`${source} ${JSON.stringify(Object.values(given)[0])}`, async () => {
      const isEnv = Object.keys(given)[0]?.startsWith('DOLITTLE_') === true;
      const error = await problemWith(
        {},
        isEnv ? { env: given as NodeJS.ProcessEnv } : { flags: given as RuntimeFlags },
      );
      expectProblem(error, source, '', problem);
    });
  }

  it('a named config directory that does not exist', async () => {
    expectProblem(
      await problemWith({}, { flags: { configDir: 'nowhere' } }),
      '--config-dir',
      '',
      /the directory .*nowhere does not exist/,
    );
  });

  it('a config or data directory that is a file', async () => {
    const dir = await createTempConfigDir();
    dirs.push(dir);
    await writeFile(join(dir.cwd, 'file'), '');
    await assert.rejects(
      resolveRuntimeConfig({ flags: {}, env: { DOLITTLE_CONFIG_DIR: 'file' }, cwd: dir.cwd }),
      /^InvalidConfiguration: DOLITTLE_CONFIG_DIR: .*file is not a directory$/,
    );
    await assert.rejects(
      resolveRuntimeConfig({ flags: { dataDir: 'file' }, env: {}, cwd: dir.cwd }),
      /^InvalidConfiguration: --data-dir: .*file is not a directory$/,
    );
  });
});
