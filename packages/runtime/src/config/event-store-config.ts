import { resolve } from 'node:path';
import { InvalidConfiguration, type TenantId } from '@dolittle-ts/fundamentals';
import { dolittleMongoResource, postgresEventStore, sqliteEventStore } from './config-files.js';
import { formatKeyPath, type KeyPath, parseConfig } from './config-schema.js';
import type { StoreConfig } from './runtime-config.js';

/**
 * Turns the ways a tenant's event store can be configured into a StoreConfig: the forms in resources.json, the
 * `--store` setting that applies to every tenant, and the default (a SQLite file per tenant in the data dir).
 */

export interface StoreContext {
  readonly dataDir: string;
  /** Who connects when resources.json uses Dolittle's MongoDB-era shape (DOLITTLE_POSTGRES_USER, default postgres). */
  readonly postgresUser: string;
}

export const defaultPostgresPort = 5432;

/** `tenant_<32 hex digits>`: a tenant's PostgreSQL schema unless resources.json names one. */
export function tenantSchema(tenant: TenantId): string {
  return `tenant_${tenant.replaceAll('-', '')}`;
}

export function defaultStore(tenant: TenantId, context: StoreContext): StoreConfig {
  return { kind: 'sqlite', file: resolve(context.dataDir, `${tenant}.sqlite`) };
}

/** The `--store` / DOLITTLE_STORE value, for one tenant. `source` is the flag or variable it came from. */
export function storeFromSetting(value: string, source: string, tenant: TenantId, context: StoreContext): StoreConfig {
  const lower = value.toLowerCase();
  if (lower === 'sqlite') return defaultStore(tenant, context);
  if (lower === 'memory') return { kind: 'sqlite-memory' };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    const problem = postgresUrlProblem(value);
    if (problem !== undefined) throw new InvalidConfiguration(source, '', problem);
    return { kind: 'postgres', connectionString: value, schema: tenantSchema(tenant) };
  }
  throw new InvalidConfiguration(
    source,
    '',
    `expected sqlite, memory or a postgres://user@host:port/database URL, got ${JSON.stringify(value)}`,
  );
}

const eventStoreForms =
  '{ "sqlite": { "file": "path" } }, { "sqlite": { "memory": true } }, { "postgres": { "connectionString": "postgres://…" } } or Dolittle\'s { "servers": ["host"], "database": "name" }';

/** A tenant's `eventStore` entry in resources.json; `at` is its key path (`<tenant>.eventStore`). */
export function storeFromResources(
  eventStore: Readonly<Record<string, unknown>>,
  tenant: TenantId,
  context: StoreContext,
  file: string,
  at: KeyPath,
): StoreConfig {
  if ('sqlite' in eventStore) {
    const { sqlite } = parseConfig(sqliteEventStore, eventStore, file, at);
    const key = formatKeyPath([...at, 'sqlite']);
    if (sqlite.file !== undefined && sqlite.memory !== undefined) {
      throw new InvalidConfiguration(file, key, 'has both "file" and "memory"; choose one');
    }
    if (sqlite.file !== undefined) return { kind: 'sqlite', file: resolve(context.dataDir, sqlite.file) };
    if (sqlite.memory) return { kind: 'sqlite-memory' };
    throw new InvalidConfiguration(file, key, 'needs "file": "path" (relative to the data dir) or "memory": true');
  }
  if ('postgres' in eventStore) {
    const { postgres } = parseConfig(postgresEventStore, eventStore, file, at);
    const problem = postgresUrlProblem(postgres.connectionString);
    if (problem !== undefined) {
      throw new InvalidConfiguration(file, formatKeyPath([...at, 'postgres', 'connectionString']), problem);
    }
    const schema = postgres.schema ?? tenantSchema(tenant);
    if (!isSchemaName(schema)) {
      throw new InvalidConfiguration(file, formatKeyPath([...at, 'postgres', 'schema']), schemaNameProblem(schema));
    }
    return { kind: 'postgres', connectionString: postgres.connectionString, schema };
  }
  if ('servers' in eventStore || 'database' in eventStore) {
    const mongo = parseConfig(dolittleMongoResource, eventStore, file, at);
    return storeFromDolittleResource(mongo.servers, mongo.database, tenant, context, file, at);
  }
  const [unknown] = Object.keys(eventStore);
  if (unknown !== undefined) {
    throw new InvalidConfiguration(file, formatKeyPath([...at, unknown]), `unknown key (expected ${eventStoreForms})`);
  }
  throw new InvalidConfiguration(file, formatKeyPath(at), `is empty (expected ${eventStoreForms})`);
}

/**
 * Dolittle 6.x configured MongoDB as `{ servers, database }`. We keep that file working by reading it as PostgreSQL:
 * the one server is the PostgreSQL host (default port 5432), the database is the PostgreSQL database, the user comes
 * from DOLITTLE_POSTGRES_USER and the password, if any, from PGPASSWORD or ~/.pgpass as usual for PostgreSQL clients.
 */
function storeFromDolittleResource(
  servers: readonly string[],
  database: string,
  tenant: TenantId,
  context: StoreContext,
  file: string,
  at: KeyPath,
): StoreConfig {
  if (servers.length !== 1) {
    throw new InvalidConfiguration(
      file,
      formatKeyPath([...at, 'servers']),
      `lists ${servers.length} servers; PostgreSQL is reached through one, so list only the primary (or use { "postgres": { "connectionString": … } })`,
    );
  }
  const server = servers[0]!;
  const address = parseServer(server);
  if (address === undefined) {
    throw new InvalidConfiguration(
      file,
      formatKeyPath([...at, 'servers', 0]),
      `not a host or host:port, got ${JSON.stringify(server)}`,
    );
  }
  const user = encodeURIComponent(context.postgresUser);
  const connectionString = `postgres://${user}@${address.host}:${address.port}/${encodeURIComponent(database)}`;
  return { kind: 'postgres', connectionString, schema: tenantSchema(tenant) };
}

function parseServer(server: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(server);
  if (match === null) return undefined;
  const port = match[2] === undefined ? defaultPostgresPort : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!, port };
}

/** Why `text` is not a usable PostgreSQL URL, or undefined when it is. */
export function postgresUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL (expected postgres://user@host:port/database)';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `expected a postgres:// URL, got ${url.protocol}//…`;
  }
  if (url.hostname === '' && (url.searchParams.get('host') ?? '') === '') {
    return 'names no host (expected postgres://user@host:port/database)';
  }
  if (decodeURIComponent(url.pathname.replace(/^\//, '')) === '') {
    return 'names no database (expected postgres://user@host:port/database)';
  }
  return undefined;
}

/** Host, port and database a PostgreSQL URL points at, for telling whether two tenants share storage. */
export function postgresLocation(text: string): { host: string; port: number; database: string } {
  const url = new URL(text);
  const host = url.hostname === '' ? (url.searchParams.get('host') ?? '') : url.hostname;
  const port = url.port === '' ? Number(url.searchParams.get('port') ?? defaultPostgresPort) : Number(url.port);
  return { host: host.toLowerCase(), port, database: decodeURIComponent(url.pathname.replace(/^\//, '')) };
}

function isSchemaName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name);
}

function schemaNameProblem(name: string): string {
  return `not a schema name (letters, digits and _, not starting with a digit, at most 63), got ${JSON.stringify(name)}`;
}
