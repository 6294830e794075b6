import { isGuid } from '@dolittle-ts/fundamentals';
import { z } from 'zod';
import { port, strictObject } from './config-schema.js';

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

/** `endpoints.json`: `{ "public": { "port": n }, "private": { "port": n } }`. */
export const endpointsFile = strictObject({
  public: strictObject({ port }).optional(),
  private: strictObject({ port }).optional(),
});

/** `metrics.json`: `{ "Port": n }` (Dolittle's spelling) or `{ "port": n }`. */
export const metricsFile = strictObject({ Port: port.optional(), port: port.optional() });

/** Files that later work gives a shape; until then they only have to be JSON objects. */
export const anyObjectFile = z.record(z.string(), z.unknown());
