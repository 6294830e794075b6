import { join, resolve } from 'node:path';
import {
  asMicroserviceId,
  developmentMicroservice,
  InvalidConfiguration,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import { type ConfigDirContents, entryKind, readConfigDir } from './config-dir.js';
import type { ResourcesFile } from './config-files.js';
import { checkKeysAreConfiguredTenants, tenantsOf } from './configured-tenants.js';
import { consentsOf } from './consents-config.js';
import { defaultStore, type StoreContext, storeFromResources, storeFromSetting } from './event-store-config.js';
import { microservicesOf } from './microservices-config.js';
import { publicTlsOf } from './public-tls-config.js';
import { displayPath, type PathContext } from './read-config-file.js';
import type { Endpoint, RuntimeConfig, TenantConfig } from './runtime-config.js';
import type { RuntimeFlags } from './runtime-settings.js';
import {
  bool,
  createSettingReader,
  guid,
  host,
  logLevel,
  messageBytes,
  metricsPortNumber,
  partitionsInFlight,
  portNumber,
  type Sourced,
  text,
} from './setting-values.js';
import { checkStoresAreSeparate, type TenantStore } from './store-conflicts.js';

export interface ResolveRuntimeConfigInput {
  /** Parsed command-line flags (see runtimeSettings); absent ones fall back to the environment. */
  readonly flags: RuntimeFlags;
  readonly env: NodeJS.ProcessEnv;
  /** What relative paths (config dir, data dir) are resolved against. */
  readonly cwd: string;
}

export const defaults = {
  configDir: '.dolittle',
  privatePort: 50053,
  publicPort: 50052,
  metricsPort: 9700,
  host: '0.0.0.0',
  environment: 'Development',
  maxMessageBytes: 4 * 1024 * 1024,
  partitionsInFlight: 8,
  logLevel: 'info',
  postgresUser: 'postgres',
} as const;

/** The "file" of a value nobody configured. */
const defaultSource = 'default';

function byDefault<T>(value: T): Sourced<T> {
  return { value, file: defaultSource, key: '' };
}

/**
 * The configuration a Runtime starts from: the files in the config directory, overridden by `DOLITTLE_*` variables,
 * overridden by flags. Reads files, among them the PEM files TLS is configured with (so the Runtime never has to),
 * but writes nothing (the Runtime creates the data dir and stores).
 *
 * @throws InvalidConfiguration naming the file (or flag, or variable), the key and the problem, for the first problem.
 */
export async function resolveRuntimeConfig({ flags, env, cwd }: ResolveRuntimeConfigInput): Promise<RuntimeConfig> {
  const read = createSettingReader(flags, env);

  const configDirSetting = read('configDir', text);
  const configDir = resolve(cwd, configDirSetting?.value ?? defaults.configDir);
  const files = await readConfigDir(configDir, {
    cwd,
    mustExist: configDirSetting !== undefined,
    source: configDirSetting?.file ?? displayPath(configDir, cwd),
  });

  const dataDirSetting = read('dataDir', text);
  const dataDir = dataDirSetting === undefined ? join(configDir, 'data') : resolve(cwd, dataDirSetting.value);
  const dataDirSource = dataDirSetting?.file ?? displayPath(dataDir, cwd);
  if ((await entryKind(dataDir, dataDirSource)) === 'other') {
    throw new InvalidConfiguration(dataDirSource, '', `${dataDir} is not a directory`);
  }

  const tenantIds = tenantsOf(files);
  const storeContext: StoreContext = {
    dataDir,
    postgresUser: nonEmpty(env.DOLITTLE_POSTGRES_USER) ?? defaults.postgresUser,
  };
  const storeSetting = read('store', text);
  if (files.resources !== undefined) checkKeysAreConfiguredTenants(files.resources, files, tenantIds);
  const stores = tenantIds.map((tenant) => storeOf(tenant, files, storeSetting, storeContext));
  await checkStoresAreSeparate(stores);

  const bindHost = read('host', host)?.value ?? defaults.host;
  const { endpoints } = files;
  const privatePort =
    read('privatePort', portNumber) ??
    fromFile(endpoints, 'private.port', endpoints?.data.private?.port) ??
    byDefault(defaults.privatePort);
  const publicPort =
    read('publicPort', portNumber) ??
    fromFile(endpoints, 'public.port', endpoints?.data.public?.port) ??
    byDefault(defaults.publicPort);
  const metricsPort =
    read('metricsPort', metricsPortNumber) ?? metricsFromFile(files) ?? byDefault(defaults.metricsPort);
  checkPortsAreDistinct([
    { name: 'private', port: privatePort },
    { name: 'public', port: publicPort },
    { name: 'metrics', port: metricsPort },
  ]);

  const paths: PathContext = { configDir, cwd };
  const consents = consentsOf(files, tenantIds);
  const microservices = await microservicesOf(files, paths);
  const publicTls = await publicTlsOf(read, files, paths);

  const microserviceId = read('microserviceId', guid);
  const endpoint = (port: number): Endpoint => ({ host: bindHost, port });
  return {
    configDir,
    dataDir,
    microserviceId: microserviceId === undefined ? developmentMicroservice : asMicroserviceId(microserviceId.value),
    environment: read('environment', text)?.value ?? defaults.environment,
    endpoints: { private: endpoint(privatePort.value), public: endpoint(publicPort.value) },
    metrics: metricsPort.value === 'off' ? undefined : endpoint(metricsPort.value),
    tenants: new Map(stores.map(({ tenant, store }): [TenantId, TenantConfig] => [tenant, { id: tenant, store }])),
    publicTls,
    microservices,
    consents,
    allowUnsafeDurability: read('allowUnsafeDurability', bool)?.value ?? false,
    maxMessageBytes: read('maxMessageBytes', messageBytes)?.value ?? defaults.maxMessageBytes,
    partitionsInFlight: read('partitionsInFlight', partitionsInFlight)?.value ?? defaults.partitionsInFlight,
    logLevel: read('logLevel', logLevel)?.value ?? defaults.logLevel,
  };
}

function resourcesEntry(
  files: ConfigDirContents,
  tenant: TenantId,
): [key: string, value: ResourcesFile[string]] | undefined {
  const data = files.resources?.data;
  if (data === undefined) return undefined;
  return Object.entries(data).find(([key]) => key.toLowerCase() === tenant);
}

/** `--store` for every tenant, else the tenant's resources.json entry (validated either way), else the default. */
function storeOf(
  tenant: TenantId,
  files: ConfigDirContents,
  setting: Sourced<string> | undefined,
  context: StoreContext,
): TenantStore {
  const entry = resourcesEntry(files, tenant);
  const fromResources =
    files.resources === undefined || entry === undefined
      ? undefined
      : {
          tenant,
          store: storeFromResources(entry[1].eventStore, tenant, context, files.resources.file, [
            entry[0],
            'eventStore',
          ]),
          origin: { file: files.resources.file, key: `${entry[0]}.eventStore` },
        };
  if (setting !== undefined) {
    return { tenant, store: storeFromSetting(setting.value, setting.file, tenant, context), origin: setting };
  }
  return fromResources ?? { tenant, store: defaultStore(tenant, context), origin: undefined };
}

function fromFile<T>(loaded: { file: string } | undefined, key: string, value: T | undefined): Sourced<T> | undefined {
  return loaded === undefined || value === undefined ? undefined : { value, file: loaded.file, key };
}

function metricsFromFile(files: ConfigDirContents): Sourced<number> | undefined {
  const metrics = files.metrics;
  if (metrics === undefined) return undefined;
  if (metrics.data.Port !== undefined && metrics.data.port !== undefined) {
    throw new InvalidConfiguration(metrics.file, 'port', 'given as both "Port" and "port"; keep one');
  }
  return fromFile(metrics, 'Port', metrics.data.Port) ?? fromFile(metrics, 'port', metrics.data.port) ?? undefined;
}

/** Port 0 (the OS chooses) can repeat; any other port can serve one endpoint only. */
function checkPortsAreDistinct(endpoints: readonly { name: string; port: Sourced<number | 'off'> }[]): void {
  const taken = new Map<number, { name: string; port: Sourced<number | 'off'> }>();
  for (const current of endpoints) {
    const port = current.port.value;
    if (port === 'off' || port === 0) continue;
    const earlier = taken.get(port);
    if (earlier === undefined) {
      taken.set(port, current);
      continue;
    }
    // Name the setting the user wrote; a default is never the one to change.
    const [blamed, other] = current.port.file === defaultSource ? [earlier, current] : [current, earlier];
    throw new InvalidConfiguration(
      blamed.port.file,
      blamed.port.key,
      `port ${port} is already the ${other.name} port (${origin(other.port)}); each endpoint needs its own port`,
    );
  }
}

function origin(value: Sourced<unknown>): string {
  if (value.file === defaultSource) return 'by default';
  return value.key === '' ? `from ${value.file}` : `from ${value.file} ${value.key}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
