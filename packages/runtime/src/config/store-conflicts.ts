import { realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidConfiguration, type TenantId } from '@dolittle-ts/fundamentals';
import { postgresLocation } from './event-store-config.js';
import type { StoreConfig } from './runtime-config.js';

/** A tenant's store and where it was configured (undefined: the default). */
export interface TenantStore {
  readonly tenant: TenantId;
  readonly store: StoreConfig;
  readonly origin: { readonly file: string; readonly key: string } | undefined;
}

/**
 * Tenancy is physical: two tenants writing one SQLite file or one PostgreSQL schema would interleave their event
 * logs, so a configuration that does that is refused. Paths are compared after resolving symbolic links (of the
 * file, or of its directory when it does not exist yet); PostgreSQL locations by host, port, database and schema (schema case-insensitively, to be safe).
 */
export async function checkStoresAreSeparate(stores: readonly TenantStore[]): Promise<void> {
  const seen = new Map<string, TenantStore>();
  for (const current of stores) {
    const identity = await storageIdentity(current.store);
    if (identity === undefined) continue;
    const earlier = seen.get(identity.key);
    if (earlier === undefined) {
      seen.set(identity.key, current);
      continue;
    }
    const origin = current.origin ?? earlier.origin ?? { file: 'resources.json', key: '' };
    throw new InvalidConfiguration(
      origin.file,
      origin.key,
      `tenants ${earlier.tenant} and ${current.tenant} both use ${identity.description}; each tenant needs its own storage`,
    );
  }
}

async function storageIdentity(store: StoreConfig): Promise<{ key: string; description: string } | undefined> {
  switch (store.kind) {
    case 'sqlite-memory':
      return undefined;
    case 'sqlite': {
      const file = await canonicalPath(store.file);
      return { key: `sqlite:${file}`, description: `the SQLite file ${file}` };
    }
    case 'postgres': {
      const { host, port, database } = postgresLocation(store.connectionString);
      return {
        key: `postgres:${host}:${port}/${database}#${store.schema.toLowerCase()}`,
        description: `schema ${store.schema} of PostgreSQL database ${database} on ${host}:${port}`,
      };
    }
  }
}

async function canonicalPath(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    // Not there yet: the Runtime creates it. Its directory may exist, and may be reached through a link.
  }
  try {
    return join(await realpath(dirname(file)), basename(file));
  } catch {
    return file;
  }
}
