import { resolve } from 'node:path';
import { asMicroserviceId, type Guid, InvalidConfiguration, type MicroserviceId } from '@dolittle-ts/fundamentals';
import type { ConfigDirContents } from './config-dir.js';
import { microserviceTlsFiles } from './config-files.js';
import { describe, formatKeyPath, type KeyPath, parseConfig } from './config-schema.js';
import { uniqueGuidKeys } from './configured-tenants.js';
import type { PathContext } from './read-config-file.js';
import type { MicroserviceAddress, MicroserviceTls } from './runtime-config.js';
import { type PemPath, readCertificates, readKeyPair } from './tls-files.js';

const tlsForms =
  'true (the system\'s trusted roots), false, or { "ca"?: "ca.pem", "serverName"?: "name", "certificate"?: "client.pem", "key"?: "client.key" }';

/**
 * The producers of microservices.json by (lowercased) microservice id, with the PEM files their `tls` names read now,
 * so that a missing CA is reported at start rather than on the first subscription. Without the file there are none.
 */
export async function microservicesOf(
  files: ConfigDirContents,
  context: PathContext,
): Promise<ReadonlyMap<MicroserviceId, MicroserviceAddress>> {
  const microservices = new Map<MicroserviceId, MicroserviceAddress>();
  const loaded = files.microservices;
  if (loaded === undefined) return microservices;
  const { file, data } = loaded;
  uniqueGuidKeys(Object.keys(data), file, 'microservice');
  for (const [key, address] of Object.entries(data)) {
    const tls = await tlsOf(address.tls, file, [key, 'tls'], context);
    microservices.set(asMicroserviceId(key.toLowerCase() as Guid), {
      host: bracketed(address.host),
      port: address.port,
      tls,
    });
  }
  return microservices;
}

async function tlsOf(
  value: unknown,
  file: string,
  at: KeyPath,
  context: PathContext,
): Promise<MicroserviceTls | undefined> {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ca: undefined, serverName: undefined, clientCertificate: undefined };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfiguration(file, formatKeyPath(at), `expected ${tlsForms}, got ${describe(value)}`);
  }
  const tls = parseConfig(microserviceTlsFiles, value, file, at);
  if (Object.keys(tls).length === 0) {
    throw new InvalidConfiguration(file, formatKeyPath(at), `is empty (expected ${tlsForms})`);
  }
  const pem = (name: string, path: string): PemPath => ({
    path: resolve(context.configDir, path),
    file,
    key: formatKeyPath([...at, name]),
  });
  if ((tls.certificate === undefined) !== (tls.key === undefined)) {
    const missing = tls.certificate === undefined ? 'certificate' : 'key';
    throw new InvalidConfiguration(
      file,
      formatKeyPath([...at, missing]),
      `is missing: a client certificate needs its private key (give "certificate" and "key", or neither)`,
    );
  }
  const clientCertificate =
    tls.certificate === undefined || tls.key === undefined
      ? undefined
      : await readKeyPair(pem('certificate', tls.certificate), pem('key', tls.key), context.cwd);
  return {
    ca: tls.ca === undefined ? undefined : await readCertificates(pem('ca', tls.ca), context.cwd),
    serverName: tls.serverName,
    clientCertificate,
  };
}

/** `::1` → `[::1]`: an IPv6 address in brackets keeps `${host}:${port}` unambiguous. */
function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
