/**
 * The settings a Runtime takes from its command line and environment, in one table: the CLI builds its options from
 * it, `resolveRuntimeConfig` reads flags and `DOLITTLE_*` variables by it, and errors name the flag or variable the
 * bad value came from. A flag beats its variable, which beats the configuration files, which beat the default.
 */

/** Flag values as given on the command line (strings, so that a malformed value can be reported as typed). */
export interface RuntimeFlags {
  readonly configDir?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly privatePort?: string | undefined;
  readonly publicPort?: string | undefined;
  readonly publicTlsCert?: string | undefined;
  readonly publicTlsKey?: string | undefined;
  readonly publicTlsCa?: string | undefined;
  readonly metricsPort?: string | undefined;
  readonly host?: string | undefined;
  readonly store?: string | undefined;
  readonly microserviceId?: string | undefined;
  readonly environment?: string | undefined;
  readonly allowUnsafeDurability?: boolean | undefined;
  readonly maxMessageBytes?: string | undefined;
  readonly partitionsInFlight?: string | undefined;
  readonly logLevel?: string | undefined;
}

export type RuntimeSettingName = keyof RuntimeFlags;

export interface RuntimeSetting {
  readonly name: RuntimeSettingName;
  readonly flag: `--${string}`;
  readonly env: `DOLITTLE_${string}`;
  /** Placeholder shown in help; undefined for a switch that takes no value. */
  readonly placeholder: `<${string}>` | undefined;
  readonly description: string;
  /** The default, as shown in help. */
  readonly defaultText: string;
}

export const runtimeSettings: readonly RuntimeSetting[] = [
  {
    name: 'configDir',
    flag: '--config-dir',
    env: 'DOLITTLE_CONFIG_DIR',
    placeholder: '<dir>',
    description: 'directory holding tenants.json, resources.json, endpoints.json, metrics.json, …',
    defaultText: './.dolittle',
  },
  {
    name: 'dataDir',
    flag: '--data-dir',
    env: 'DOLITTLE_DATA_DIR',
    placeholder: '<dir>',
    description: 'directory for SQLite files (relative sqlite paths in resources.json are resolved against it)',
    defaultText: '<config dir>/data',
  },
  {
    name: 'privatePort',
    flag: '--private-port',
    env: 'DOLITTLE_PRIVATE_PORT',
    placeholder: '<port>',
    description: 'private gRPC port (SDK ↔ Runtime); 0 lets the OS choose',
    defaultText: '50053',
  },
  {
    name: 'publicPort',
    flag: '--public-port',
    env: 'DOLITTLE_PUBLIC_PORT',
    placeholder: '<port>',
    description: 'public gRPC port (Runtime ↔ Runtime, event horizon); 0 lets the OS choose',
    defaultText: '50052',
  },
  {
    name: 'publicTlsCert',
    flag: '--public-tls-cert',
    env: 'DOLITTLE_PUBLIC_TLS_CERT',
    placeholder: '<file>',
    description:
      'PEM certificate (chain) of the public port, which then serves TLS; needs --public-tls-key; overrides endpoints.json public.tls',
    defaultText: 'endpoints.json public.tls, else no TLS',
  },
  {
    name: 'publicTlsKey',
    flag: '--public-tls-key',
    env: 'DOLITTLE_PUBLIC_TLS_KEY',
    placeholder: '<file>',
    description: 'PEM private key of --public-tls-cert (unencrypted)',
    defaultText: 'endpoints.json public.tls',
  },
  {
    name: 'publicTlsCa',
    flag: '--public-tls-ca',
    env: 'DOLITTLE_PUBLIC_TLS_CA',
    placeholder: '<file>',
    description: 'PEM CA certificate(s): the public port then requires client certificates signed by them',
    defaultText: 'endpoints.json public.tls.ca, else none',
  },
  {
    name: 'metricsPort',
    flag: '--metrics-port',
    env: 'DOLITTLE_METRICS_PORT',
    placeholder: '<port|off>',
    description: 'Prometheus /metrics port; "off" disables it; 0 lets the OS choose',
    defaultText: '9700',
  },
  {
    name: 'host',
    flag: '--host',
    env: 'DOLITTLE_HOST',
    placeholder: '<address>',
    description: 'address every endpoint binds to',
    defaultText: '0.0.0.0',
  },
  {
    name: 'store',
    flag: '--store',
    env: 'DOLITTLE_STORE',
    placeholder: '<store>',
    description:
      'event store for EVERY tenant, overriding resources.json: "sqlite" (<data dir>/<tenant>.sqlite), "memory", or postgres://user@host:port/database (schema tenant_<tenant id hex> per tenant)',
    defaultText: 'resources.json, else sqlite',
  },
  {
    name: 'microserviceId',
    flag: '--microservice-id',
    env: 'DOLITTLE_MICROSERVICE_ID',
    placeholder: '<guid>',
    description: 'this microservice’s id',
    defaultText: 'f39b1f61-d360-4675-b859-53c05c87c0e6',
  },
  {
    name: 'environment',
    flag: '--environment',
    env: 'DOLITTLE_ENVIRONMENT',
    placeholder: '<name>',
    description: 'environment name put in execution contexts',
    defaultText: 'Development',
  },
  {
    name: 'allowUnsafeDurability',
    flag: '--allow-unsafe-durability',
    env: 'DOLITTLE_ALLOW_UNSAFE_DURABILITY',
    placeholder: undefined,
    description: 'start even when the store could lose acknowledged commits (variable: true|false)',
    defaultText: 'false',
  },
  {
    name: 'maxMessageBytes',
    flag: '--max-message-bytes',
    env: 'DOLITTLE_MAX_MESSAGE_BYTES',
    placeholder: '<bytes>',
    description: 'largest gRPC message accepted',
    defaultText: '4194304 (4 MiB)',
  },
  {
    name: 'partitionsInFlight',
    flag: '--partitions-in-flight',
    env: 'DOLITTLE_PARTITIONS_IN_FLIGHT',
    placeholder: '<n>',
    description: 'partitions of a partitioned processor handled at once (1 = strictly one event at a time)',
    defaultText: '8',
  },
  {
    name: 'logLevel',
    flag: '--log-level',
    env: 'DOLITTLE_LOG_LEVEL',
    placeholder: '<level>',
    description: 'trace, debug, info, warn or error',
    defaultText: 'info',
  },
];

export function runtimeSetting(name: RuntimeSettingName): RuntimeSetting {
  const setting = runtimeSettings.find((s) => s.name === name);
  if (setting === undefined) throw new Error(`no runtime setting named ${name}`);
  return setting;
}
