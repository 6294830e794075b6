import {
  asTenantId,
  developmentTenant,
  type Guid,
  InvalidConfiguration,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { ConfigDirContents, Loaded } from './config-dir.js';
import { configFileNames } from './config-files.js';

/** The tenants a Runtime serves, and the check that other files only name those. */

/** The keys of tenants.json in file order (GUIDs lowercased); only the development tenant without the file. */
export function tenantsOf(files: ConfigDirContents): TenantId[] {
  if (files.tenants === undefined) return [developmentTenant];
  const { file, data } = files.tenants;
  const keys = Object.keys(data);
  if (keys.length === 0) {
    throw new InvalidConfiguration(
      file,
      '',
      `lists no tenants; list at least one ({ "${developmentTenant}": {} }), or remove the file to run with the development tenant only`,
    );
  }
  return uniqueGuidKeys(keys, file, 'tenant').map(asTenantId);
}

/**
 * The GUID keys of an object (already checked to be GUIDs), lowercased, in order. Two keys that differ only in case
 * name one id twice, which JSON cannot tell but a Runtime must.
 */
export function uniqueGuidKeys(keys: readonly string[], file: string, what: string): Guid[] {
  const seen = new Map<string, string>();
  for (const key of keys) {
    const earlier = seen.get(key.toLowerCase());
    if (earlier !== undefined) {
      throw new InvalidConfiguration(file, key, `the same ${what} as ${earlier} (GUIDs are not case-sensitive)`);
    }
    seen.set(key.toLowerCase(), key);
  }
  return [...seen.keys()] as Guid[];
}

/**
 * A file keyed by tenant (resources.json, event-horizon-consents.json) that names a tenant which is not configured is
 * almost always a typo in one of the two files, so it is refused, naming the key.
 */
export function checkKeysAreConfiguredTenants(
  loaded: Loaded<Readonly<Record<string, unknown>>>,
  files: ConfigDirContents,
  tenants: readonly TenantId[],
): void {
  const { file, data } = loaded;
  uniqueGuidKeys(Object.keys(data), file, 'tenant');
  for (const key of Object.keys(data)) {
    if (tenants.includes(key.toLowerCase() as TenantId)) continue;
    const configured =
      files.tenants === undefined
        ? `there is no ${configFileNames.tenants}, so the only tenant is the development tenant ${developmentTenant}`
        : `${files.tenants.file} lists ${tenants.join(', ')}`;
    throw new InvalidConfiguration(file, key, `tenant ${key} is not configured (${configured})`);
  }
}
