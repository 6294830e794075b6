import { isGuid } from '@dolittle-ts/fundamentals';
import { z } from 'zod';
import { describe, port, strictObject } from './config-schema.js';
import { host as hostSetting } from './setting-values.js';

/**
 * The shapes of the files in the config directory (Dolittle Runtime 6.x names and shapes, plus our own explicit
 * event-store forms). Every file is optional. See README.md in this folder for what each one means.
 */

export const configFileNames = {
  tenants: 'tenants.json',
  resources: 'resources.json',
  endpoints: 'endpoints.json',
  metrics: 'metrics.json',
  eventHorizonConsents: 'event-horizon-consents.json',
  microservices: 'microservices.json',
} as const;

const tenantIdKey = z
  .string()
  .refine(isGuid, { message: 'not a GUID (a tenant id is a GUID like 445f8ea8-1a6f-40d7-b2fc-796dba92dc44)' });
const nonEmpty = z.string().min(1);

/** A GUID field (any case; kept lowercase once resolved). */
const guidField = z.string().refine(isGuid, { error: (issue) => `not a GUID, got ${describe(issue.input)}` });

/** A host name or IP address, as `--host` takes it. */
const hostName = z.string().refine((value) => 'value' in hostSetting(value), {
  error: (issue) => `not a host name or IP address, got ${describe(issue.input)}`,
});

/** `tenants.json`: `{ "<tenant-id>": {} }`; the keys are the tenants. */
export const tenantsFile = z.record(tenantIdKey, strictObject({}));

/** Dolittle's MongoDB resource: `{ "servers": ["host[:port]"], "database": "name", "maxConnectionPoolSize"?: n }`. */
export const dolittleMongoResource = strictObject({
  servers: z.array(nonEmpty).min(1),
  database: nonEmpty,
  maxConnectionPoolSize: z.number().int().min(1).optional(),
});
export type DolittleMongoResource = z.output<typeof dolittleMongoResource>;

/** Dolittle's read-models resource: `{ "host": "mongodb://…", "database": "name", "useSSL"?: bool }`. */
export const dolittleReadModelsResource = strictObject({
  host: nonEmpty,
  database: nonEmpty,
  useSSL: z.boolean().optional(),
});

/** `{ "sqlite": { "file": "path" } }` or `{ "sqlite": { "memory": true } }`. */
export const sqliteEventStore = strictObject({
  sqlite: strictObject({ file: nonEmpty.optional(), memory: z.literal(true).optional() }),
});
export type SqliteEventStore = z.output<typeof sqliteEventStore>;

/** `{ "postgres": { "connectionString": "postgres://user@host:port/database", "schema"?: "name" } }`. */
export const postgresEventStore = strictObject({
  postgres: strictObject({ connectionString: nonEmpty, schema: nonEmpty.optional() }),
});
export type PostgresEventStore = z.output<typeof postgresEventStore>;

/**
 * `resources.json`: a tenant's resources. The event store's form is told apart by its keys (see event-store-config.ts),
 * so here it only has to be an object. Projections, embeddings and read models are accepted in Dolittle's shapes and
 * otherwise ignored: they live in the tenant's event-store storage.
 */
export const tenantResources = strictObject({
  eventStore: z.record(z.string(), z.unknown()),
  projections: dolittleMongoResource.optional(),
  embeddings: dolittleMongoResource.optional(),
  readModels: dolittleReadModelsResource.optional(),
});
export const resourcesFile = z.record(tenantIdKey, tenantResources);
export type ResourcesFile = z.output<typeof resourcesFile>;

/**
 * `public.tls` in endpoints.json: the public port's certificate (chain) and private key, and optionally the CA that
 * client certificates must be signed by. Paths are relative to the config dir.
 */
export const publicTlsFiles = strictObject({ certificate: nonEmpty, key: nonEmpty, ca: nonEmpty.optional() });
export type PublicTlsFiles = z.output<typeof publicTlsFiles>;

/** `endpoints.json`: `{ "public": { "port": n, "tls"?: { … } }, "private": { "port": n } }`. */
export const endpointsFile = strictObject({
  public: strictObject({ port: port.optional(), tls: publicTlsFiles.optional() }).optional(),
  private: strictObject({ port }).optional(),
});

/** `metrics.json`: `{ "Port": n }` (Dolittle's spelling) or `{ "port": n }`. */
export const metricsFile = strictObject({ Port: port.optional(), port: port.optional() });

/**
 * `event-horizon-consents.json` (Dolittle 6.x): per producer tenant, the consents it gives consumers to subscribe to
 * one partition of one of its public streams.
 */
export const eventHorizonConsent = strictObject({
  microservice: guidField,
  tenant: guidField,
  stream: guidField,
  partition: guidField,
  consent: guidField,
});
export const eventHorizonConsentsFile = z.record(tenantIdKey, z.array(eventHorizonConsent));
export type EventHorizonConsentsFile = z.output<typeof eventHorizonConsentsFile>;

/**
 * `tls` of a producer in microservices.json, in object form (the boolean form is told apart before parsing, see
 * microservices-config.ts). Paths are relative to the config dir.
 */
export const microserviceTlsFiles = strictObject({
  ca: nonEmpty.optional(),
  serverName: hostName.optional(),
  certificate: nonEmpty.optional(),
  key: nonEmpty.optional(),
});
export type MicroserviceTlsFiles = z.output<typeof microserviceTlsFiles>;

/**
 * `microservices.json` (Dolittle 6.x `{ host, port }`, plus our optional `tls`): where the Runtimes of the
 * microservices this one subscribes to listen with their public port.
 */
export const microservicesFile = z.record(
  z.string().refine(isGuid, {
    message: 'not a GUID (a microservice id is a GUID like f39b1f61-d360-4675-b859-53c05c87c0e6)',
  }),
  strictObject({
    host: hostName,
    port: z.number().int().min(1).max(65535),
    tls: z.unknown().optional(),
  }),
);
export type MicroservicesFile = z.output<typeof microservicesFile>;
