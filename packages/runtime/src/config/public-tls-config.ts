import { resolve } from 'node:path';
import { InvalidConfiguration } from '@dolittle-ts/fundamentals';
import type { ConfigDirContents } from './config-dir.js';
import type { PathContext } from './read-config-file.js';
import type { PublicTls } from './runtime-config.js';
import { runtimeSetting } from './runtime-settings.js';
import { type SettingReader, text } from './setting-values.js';
import { type PemPath, readCertificates, readKeyPair } from './tls-files.js';

/**
 * TLS on the public port, from `--public-tls-cert`/`--public-tls-key` (or their variables), else from endpoints.json
 * `public.tls`. The certificate and key are a pair: both come from the settings when either is given there, and one
 * without the other is refused. The client CA is read on its own (setting, else file), so replacing the certificate
 * with flags never silently drops the client verification the file asks for. Paths given as settings are relative to
 * the working directory, paths in endpoints.json to the config dir.
 */
export async function publicTlsOf(
  read: SettingReader,
  files: ConfigDirContents,
  context: PathContext,
): Promise<PublicTls | undefined> {
  const fromSetting = (name: 'publicTlsCert' | 'publicTlsKey' | 'publicTlsCa'): PemPath | undefined => {
    const setting = read(name, text);
    return setting === undefined
      ? undefined
      : { path: resolve(context.cwd, setting.value), file: setting.file, key: '' };
  };
  const endpoints = files.endpoints;
  const inFile = endpoints?.data.public?.tls;
  const fromFile = (key: 'certificate' | 'key' | 'ca', path: string | undefined): PemPath | undefined =>
    endpoints === undefined || path === undefined
      ? undefined
      : { path: resolve(context.configDir, path), file: endpoints.file, key: `public.tls.${key}` };

  const settingCert = fromSetting('publicTlsCert');
  const settingKey = fromSetting('publicTlsKey');
  let pair: { cert: PemPath; key: PemPath } | undefined;
  if (settingCert !== undefined && settingKey !== undefined) pair = { cert: settingCert, key: settingKey };
  else if (settingCert !== undefined)
    throw givenAlone(settingCert, 'publicTlsKey', 'the private key of the certificate');
  else if (settingKey !== undefined) throw givenAlone(settingKey, 'publicTlsCert', 'the certificate of the key');
  else if (inFile !== undefined) {
    pair = { cert: fromFile('certificate', inFile.certificate)!, key: fromFile('key', inFile.key)! };
  }

  const ca = fromSetting('publicTlsCa') ?? fromFile('ca', inFile?.ca);
  if (pair === undefined) {
    if (ca === undefined) return undefined;
    throw new InvalidConfiguration(
      ca.file,
      ca.key,
      `client certificates can only be verified over TLS; give ${flagAndVariable('publicTlsCert')} and ${flagAndVariable('publicTlsKey')} too (or "tls" in endpoints.json "public")`,
    );
  }

  const { cert, key } = await readKeyPair(pair.cert, pair.key, context.cwd);
  if (ca === undefined) return { cert, key };
  return { cert, key, ca: await readCertificates(ca, context.cwd) };
}

function givenAlone(given: PemPath, missing: 'publicTlsCert' | 'publicTlsKey', what: string): InvalidConfiguration {
  return new InvalidConfiguration(
    given.file,
    '',
    `given without ${flagAndVariable(missing)}; the public port needs both a certificate and its private key, so give ${what} too (or neither)`,
  );
}

function flagAndVariable(name: 'publicTlsCert' | 'publicTlsKey'): string {
  const setting = runtimeSetting(name);
  return `${setting.flag} (${setting.env})`;
}
