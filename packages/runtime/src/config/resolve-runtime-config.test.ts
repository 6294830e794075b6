import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { developmentMicroservice, developmentTenant, type TenantId } from '@dolittle-ts/fundamentals';
import { resolveRuntimeConfig } from './resolve-runtime-config.js';
import type { RuntimeConfig, StoreConfig } from './runtime-config.js';
import type { RuntimeFlags } from './runtime-settings.js';
import { createTempConfigDir, type TempConfigDir } from './temp-config-dir.js';

const tenantA = '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6' as TenantId;
const tenantB = '900893e7-c4cc-4873-8032-884e965e4b97' as TenantId;

const dirs: TempConfigDir[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await dir.remove();
});

async function configWith(
  files: Record<string, unknown>,
  options: { flags?: RuntimeFlags; env?: NodeJS.ProcessEnv } = {},
): Promise<{ config: RuntimeConfig; dir: TempConfigDir }> {
  const dir = await createTempConfigDir(files);
  dirs.push(dir);
  const config = await resolveRuntimeConfig({ flags: options.flags ?? {}, env: options.env ?? {}, cwd: dir.cwd });
  return { config, dir };
}

function storeOf(config: RuntimeConfig, tenant: TenantId): StoreConfig | undefined {
  return config.tenants.get(tenant)?.store;
}

describe('resolveRuntimeConfig defaults', () => {
  it('with no files serves the development tenant from a SQLite file in .dolittle/data on the Dolittle ports', async () => {
    const { config, dir } = await configWith({});
    assert.equal(config.configDir, dir.configDir);
    assert.equal(config.dataDir, join(dir.configDir, 'data'));
    assert.deepEqual([...config.tenants.keys()], [developmentTenant]);
    assert.deepEqual(storeOf(config, developmentTenant), {
      kind: 'sqlite',
      file: join(dir.configDir, 'data', `${developmentTenant}.sqlite`),
    });
    assert.deepEqual(config.endpoints, {
      private: { host: '0.0.0.0', port: 50053 },
      public: { host: '0.0.0.0', port: 50052 },
    });
    assert.deepEqual(config.metrics, { host: '0.0.0.0', port: 9700 });
    assert.equal(config.microserviceId, developmentMicroservice);
    assert.equal(config.environment, 'Development');
    assert.equal(config.allowUnsafeDurability, false);
    assert.equal(config.maxMessageBytes, 4 * 1024 * 1024);
    assert.equal(config.logLevel, 'info');
  });

  it('treats a missing default config directory as an empty one', async () => {
    const dir = await createTempConfigDir();
    dirs.push(dir);
    const config = await resolveRuntimeConfig({ flags: {}, env: {}, cwd: join(dir.cwd, 'elsewhere') });
    assert.deepEqual([...config.tenants.keys()], [developmentTenant]);
  });
});

describe('resolveRuntimeConfig files', () => {
  it('takes the tenants from the keys of tenants.json, in order and lowercased', async () => {
    const { config } = await configWith({ 'tenants.json': { [tenantB.toUpperCase()]: {}, [tenantA]: {} } });
    assert.deepEqual([...config.tenants.keys()], [tenantB, tenantA]);
    assert.equal(config.tenants.get(tenantB)?.id, tenantB);
  });

  it('reads a tenant store from each resources.json form', async () => {
    const tenantC = 'c0ffee00-0000-4000-8000-000000000003' as TenantId;
    const tenantD = 'c0ffee00-0000-4000-8000-000000000004' as TenantId;
    const { config, dir } = await configWith({
      'tenants.json': { [tenantA]: {}, [tenantB]: {}, [tenantC]: {}, [tenantD]: {}, [developmentTenant]: {} },
      'resources.json': {
        [tenantA]: { eventStore: { sqlite: { file: 'a/events.sqlite' } } },
        [tenantB]: { eventStore: { sqlite: { memory: true } } },
        [tenantC]: {
          eventStore: { postgres: { connectionString: 'postgres://app@db.internal:5433/events', schema: 'shop' } },
        },
        [tenantD]: {
          eventStore: { servers: ['pg.internal'], database: 'event_store', maxConnectionPoolSize: 1000 },
          projections: { servers: ['pg.internal'], database: 'projections' },
          embeddings: { servers: ['pg.internal'], database: 'embeddings' },
          readModels: { host: 'mongodb://pg.internal:27017', database: 'read_models', useSSL: false },
        },
      },
    });
    assert.deepEqual(storeOf(config, tenantA), { kind: 'sqlite', file: join(dir.configDir, 'data/a/events.sqlite') });
    assert.deepEqual(storeOf(config, tenantB), { kind: 'sqlite-memory' });
    assert.deepEqual(storeOf(config, tenantC), {
      kind: 'postgres',
      connectionString: 'postgres://app@db.internal:5433/events',
      schema: 'shop',
    });
    assert.deepEqual(storeOf(config, tenantD), {
      kind: 'postgres',
      connectionString: 'postgres://postgres@pg.internal:5432/event_store',
      schema: 'tenant_c0ffee00000040008000000000000004',
    });
    // A tenant without resources gets the default.
    assert.deepEqual(storeOf(config, developmentTenant), {
      kind: 'sqlite',
      file: join(dir.configDir, 'data', `${developmentTenant}.sqlite`),
    });
  });

  it('maps Dolittle MongoDB-era resources to PostgreSQL with the port given and the user from DOLITTLE_POSTGRES_USER', async () => {
    const { config } = await configWith(
      {
        'tenants.json': { [tenantA]: {} },
        'resources.json': { [tenantA]: { eventStore: { servers: ['10.0.0.5:6543'], database: 'shop events' } } },
      },
      { env: { DOLITTLE_POSTGRES_USER: 'dolittle' } },
    );
    assert.deepEqual(storeOf(config, tenantA), {
      kind: 'postgres',
      connectionString: 'postgres://dolittle@10.0.0.5:6543/shop%20events',
      schema: `tenant_${tenantA.replaceAll('-', '')}`,
    });
  });

  it('gives each tenant its own schema when they share a PostgreSQL database without naming schemas', async () => {
    const url = 'postgres://app@db:5432/events';
    const { config } = await configWith({
      'tenants.json': { [tenantA]: {}, [tenantB]: {} },
      'resources.json': {
        [tenantA]: { eventStore: { postgres: { connectionString: url } } },
        [tenantB]: { eventStore: { postgres: { connectionString: url } } },
      },
    });
    assert.deepEqual(storeOf(config, tenantA), {
      kind: 'postgres',
      connectionString: url,
      schema: `tenant_${tenantA.replaceAll('-', '')}`,
    });
    assert.deepEqual(storeOf(config, tenantB), {
      kind: 'postgres',
      connectionString: url,
      schema: `tenant_${tenantB.replaceAll('-', '')}`,
    });
  });

  it('reads ports from endpoints.json and metrics.json (Port or port)', async () => {
    const { config } = await configWith({
      'endpoints.json': { public: { port: 6002 }, private: { port: 6003 } },
      'metrics.json': { Port: 6004 },
    });
    assert.equal(config.endpoints.private.port, 6003);
    assert.equal(config.endpoints.public.port, 6002);
    assert.equal(config.metrics?.port, 6004);
    const lower = await configWith({ 'metrics.json': { port: 6005 }, 'endpoints.json': { private: { port: 6006 } } });
    assert.equal(lower.config.metrics?.port, 6005);
    assert.equal(lower.config.endpoints.private.port, 6006);
    assert.equal(lower.config.endpoints.public.port, 50052);
  });

  it('ignores a byte-order mark and the files it does not know (bounded-context.json, appsettings.json)', async () => {
    const { config } = await configWith({
      'tenants.json': `\uFEFF{ "${tenantA}": {} }`,
      'bounded-context.json': { application: 'x' },
      'appsettings.json': 'not even JSON',
    });
    assert.deepEqual([...config.tenants.keys()], [tenantA]);
  });

  it('lets two tenants share port 0 (the OS chooses each)', async () => {
    const { config } = await configWith({}, { flags: { privatePort: '0', publicPort: '0', metricsPort: '0' } });
    assert.equal(config.endpoints.private.port, 0);
    assert.equal(config.endpoints.public.port, 0);
    assert.equal(config.metrics?.port, 0);
  });
});

describe('resolveRuntimeConfig overrides: file < environment < flag', () => {
  const files = {
    'endpoints.json': { public: { port: 1002 }, private: { port: 1003 } },
    'metrics.json': { Port: 1004 },
  };

  it('a variable beats the file', async () => {
    const { config } = await configWith(files, {
      env: { DOLITTLE_PRIVATE_PORT: '2003', DOLITTLE_PUBLIC_PORT: '2002', DOLITTLE_METRICS_PORT: '2004' },
    });
    assert.equal(config.endpoints.private.port, 2003);
    assert.equal(config.endpoints.public.port, 2002);
    assert.equal(config.metrics?.port, 2004);
  });

  it('a flag beats the variable', async () => {
    const { config } = await configWith(files, {
      env: { DOLITTLE_PRIVATE_PORT: '2003', DOLITTLE_PUBLIC_PORT: '2002', DOLITTLE_METRICS_PORT: '2004' },
      flags: { privatePort: '3003', publicPort: '3002', metricsPort: 'off' },
    });
    assert.equal(config.endpoints.private.port, 3003);
    assert.equal(config.endpoints.public.port, 3002);
    assert.equal(config.metrics, undefined);
  });

  it('an empty variable counts as not set', async () => {
    const { config } = await configWith(files, { env: { DOLITTLE_PRIVATE_PORT: '', DOLITTLE_STORE: '' } });
    assert.equal(config.endpoints.private.port, 1003);
  });

  it('reads every other setting from variables and flags', async () => {
    const env = {
      DOLITTLE_HOST: '127.0.0.1',
      DOLITTLE_MICROSERVICE_ID: 'A1B2C3D4-0000-4000-8000-000000000000',
      DOLITTLE_ENVIRONMENT: 'Production',
      DOLITTLE_ALLOW_UNSAFE_DURABILITY: 'true',
      DOLITTLE_MAX_MESSAGE_BYTES: '1000',
      DOLITTLE_LOG_LEVEL: 'DEBUG',
    };
    const fromEnv = (await configWith({}, { env })).config;
    assert.equal(fromEnv.endpoints.private.host, '127.0.0.1');
    assert.equal(fromEnv.metrics?.host, '127.0.0.1');
    assert.equal(fromEnv.microserviceId, 'a1b2c3d4-0000-4000-8000-000000000000');
    assert.equal(fromEnv.environment, 'Production');
    assert.equal(fromEnv.allowUnsafeDurability, true);
    assert.equal(fromEnv.maxMessageBytes, 1000);
    assert.equal(fromEnv.logLevel, 'debug');

    const fromFlags = (
      await configWith(
        {},
        {
          env,
          flags: {
            host: '::1',
            microserviceId: 'b1b2c3d4-0000-4000-8000-000000000000',
            environment: 'Staging',
            allowUnsafeDurability: false,
            maxMessageBytes: '2000',
            logLevel: 'warn',
          },
        },
      )
    ).config;
    assert.equal(fromFlags.endpoints.public.host, '::1');
    assert.equal(fromFlags.microserviceId, 'b1b2c3d4-0000-4000-8000-000000000000');
    assert.equal(fromFlags.environment, 'Staging');
    assert.equal(fromFlags.allowUnsafeDurability, false);
    assert.equal(fromFlags.maxMessageBytes, 2000);
    assert.equal(fromFlags.logLevel, 'warn');
  });

  it('finds the config directory and data directory from variables, then flags, relative to cwd', async () => {
    const dir = await createTempConfigDir();
    dirs.push(dir);
    await mkdir(join(dir.cwd, 'env-config'));
    await mkdir(join(dir.cwd, 'flag-config'));
    const { write } = dir;
    await write('../env-config/tenants.json', { [tenantA]: {} });
    await write('../flag-config/tenants.json', { [tenantB]: {} });
    const env = { DOLITTLE_CONFIG_DIR: 'env-config', DOLITTLE_DATA_DIR: '/var/lib/env-data' };
    const fromEnv = await resolveRuntimeConfig({ flags: {}, env, cwd: dir.cwd });
    assert.equal(fromEnv.configDir, join(dir.cwd, 'env-config'));
    assert.equal(fromEnv.dataDir, '/var/lib/env-data');
    assert.deepEqual(storeOf(fromEnv, tenantA), { kind: 'sqlite', file: `/var/lib/env-data/${tenantA}.sqlite` });

    const fromFlags = await resolveRuntimeConfig({
      flags: { configDir: 'flag-config', dataDir: 'd' },
      env,
      cwd: dir.cwd,
    });
    assert.equal(fromFlags.configDir, join(dir.cwd, 'flag-config'));
    assert.equal(fromFlags.dataDir, join(dir.cwd, 'd'));
    assert.deepEqual([...fromFlags.tenants.keys()], [tenantB]);

    const dataDefault = await resolveRuntimeConfig({ flags: { configDir: 'flag-config' }, env: {}, cwd: dir.cwd });
    assert.equal(dataDefault.dataDir, join(dir.cwd, 'flag-config', 'data'));
  });

  it('--store applies one store to every tenant, over resources.json', async () => {
    const files = {
      'tenants.json': { [tenantA]: {}, [tenantB]: {} },
      'resources.json': { [tenantA]: { eventStore: { sqlite: { file: 'a.sqlite' } } } },
    };
    const memory = (await configWith(files, { env: { DOLITTLE_STORE: 'memory' } })).config;
    assert.deepEqual(storeOf(memory, tenantA), { kind: 'sqlite-memory' });
    assert.deepEqual(storeOf(memory, tenantB), { kind: 'sqlite-memory' });

    const { config, dir } = await configWith(files, { env: { DOLITTLE_STORE: 'memory' }, flags: { store: 'sqlite' } });
    assert.deepEqual(storeOf(config, tenantA), {
      kind: 'sqlite',
      file: join(dir.configDir, 'data', `${tenantA}.sqlite`),
    });

    const url = 'postgres://dolittle@127.0.0.1:5432/dolittle';
    const postgres = (await configWith(files, { flags: { store: url } })).config;
    assert.deepEqual(storeOf(postgres, tenantA), {
      kind: 'postgres',
      connectionString: url,
      schema: 'tenant_7f1c0d3a1b2c4d5e8f90a1b2c3d4e5f6',
    });
    assert.deepEqual(storeOf(postgres, tenantB), {
      kind: 'postgres',
      connectionString: url,
      schema: 'tenant_900893e7c4cc48738032884e965e4b97',
    });
  });

  it('follows symbolic links before deciding that two tenants share a file, and accepts distinct files', async () => {
    const { dir } = await configWith({});
    await mkdir(join(dir.cwd, 'real'));
    await symlink(join(dir.cwd, 'real'), join(dir.cwd, 'link'));
    await dir.write('tenants.json', { [tenantA]: {}, [tenantB]: {} });
    await dir.write('resources.json', {
      [tenantA]: { eventStore: { sqlite: { file: join(dir.cwd, 'real', 'a.sqlite') } } },
      [tenantB]: { eventStore: { sqlite: { file: join(dir.cwd, 'link', 'b.sqlite') } } },
    });
    const config = await resolveRuntimeConfig({ flags: {}, env: {}, cwd: dir.cwd });
    assert.equal(config.tenants.size, 2);
    await dir.write('resources.json', {
      [tenantA]: { eventStore: { sqlite: { file: join(dir.cwd, 'real', 'a.sqlite') } } },
      [tenantB]: { eventStore: { sqlite: { file: join(dir.cwd, 'link', 'a.sqlite') } } },
    });
    await assert.rejects(resolveRuntimeConfig({ flags: {}, env: {}, cwd: dir.cwd }), /both use the SQLite file/);
  });
});
