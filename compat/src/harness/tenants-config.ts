// Writes a Dolittle 6.x configuration directory for `--config-dir`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConfigDir {
  readonly path: string;
  remove(): void;
}

export interface ConfigDirContents {
  /** Tenant ids for `tenants.json` (`{ "<tenant-id>": {} }`). */
  readonly tenants?: readonly string[];
  /** Any other file of the directory, by name, as the JSON value to write. */
  readonly files?: Readonly<Record<string, unknown>>;
}

/** A fresh temporary `.dolittle`-style directory holding the given files. */
export function writeConfigDir(contents: ConfigDirContents): ConfigDir {
  const path = mkdtempSync(join(tmpdir(), 'dolittle-compat-config-'));
  if (contents.tenants) {
    const tenants = Object.fromEntries(contents.tenants.map((tenant) => [tenant, {}]));
    writeFileSync(join(path, 'tenants.json'), `${JSON.stringify(tenants, null, 2)}\n`);
  }
  for (const [name, value] of Object.entries(contents.files ?? {})) {
    writeFileSync(join(path, name), `${JSON.stringify(value, null, 2)}\n`);
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
