import { createHash } from 'node:crypto';
import { InvalidArgument, parseGuid, type TenantId } from '@dolittle-ts/fundamentals';

/**
 * Names we put into SQL text (schemas, databases) are never taken raw from a request: they come from validated
 * GUIDs or from configuration, and must match this allow-list before they are quoted. Everything else is bound.
 */
const identifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema or database name that passed the allow-list; only these are ever quoted into SQL. */
export type SafeIdentifier = string & { readonly __safeIdentifier: true };

export function isSafeIdentifier(name: string): name is SafeIdentifier {
  return identifierPattern.test(name);
}

/** Throws `InvalidArgument` naming `what` unless `name` is an allowed schema or database name. */
export function safeIdentifier(what: 'schema' | 'database', name: string): SafeIdentifier {
  if (!isSafeIdentifier(name)) {
    throw new InvalidArgument(
      what,
      `${JSON.stringify(name.slice(0, 80))} is not an allowed PostgreSQL ${what} name: use 1 to 63 lowercase letters, digits and underscores, not starting with a digit`,
    );
  }
  if (what === 'schema' && name.startsWith('pg_')) {
    throw new InvalidArgument(
      what,
      `"${name}" is not an allowed schema name: the prefix pg_ is reserved by PostgreSQL`,
    );
  }
  return name;
}

/** Double-quotes an allowed name. The allow-list leaves nothing to escape; quoting keeps keywords usable. */
export function quoteIdentifier(name: SafeIdentifier): string {
  return `"${name}"`;
}

/** The schema a tenant gets unless told otherwise: `tenant_` + the tenant id's 32 hex digits. */
export function defaultSchemaOf(tenantId: TenantId): string {
  const guid = parseGuid(tenantId);
  if (guid === undefined) throw new InvalidArgument('tenantId', `"${String(tenantId).slice(0, 80)}" is not a GUID`);
  return `tenant_${guid.replaceAll('-', '')}`;
}

/**
 * The key of the session-level advisory lock that makes one connection the schema's only writer: the first
 * 64 bits of a SHA-256 over a fixed namespace and the schema name (advisory locks are per database already).
 * 64 bits keep two tenants' schemas from ever sharing a lock by accident, which `hashtext` (32 bits) could.
 */
export function writerLockKey(schema: SafeIdentifier): bigint {
  const digest = createHash('sha256').update(`dolittle-ts event store writer:${schema}`).digest();
  return digest.readBigInt64BE(0);
}
