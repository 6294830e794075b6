// Throw-away TLS material for the public-port tests, made with `openssl` at test time in a temporary directory and
// removed afterwards (keys are never committed): a CA; server certificates it signed, one for localhost / 127.0.0.1
// and one for the name producer.test only; a client certificate it signed; and an unrelated second CA (a consumer
// trusting only that one must refuse the producer).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed the server certificate. */
  readonly caPem: string;
  /** The producer's public-port certificate (CN=localhost, SAN DNS:localhost, IP:127.0.0.1) and its key. */
  readonly serverPem: string;
  readonly serverKey: string;
  /** A server certificate for DNS:producer.test only (reached at 127.0.0.1 with `serverName`), and its key. */
  readonly namedServerPem: string;
  readonly namedServerKey: string;
  /** A client certificate (CN=consumer, clientAuth) and its key. */
  readonly clientPem: string;
  readonly clientKey: string;
  /** A CA that signed nothing here. */
  readonly otherCaPem: string;
  remove(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'dolittle-compat-tls-'));
  const openssl = (...args: string[]) => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`openssl ${args.join(' ')} failed: ${(error as Error).message}\n${stderr}`, { cause: error });
    }
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const makeCa = (name: string) =>
    openssl(
      'req',
      '-x509',
      ...ecKey,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
    );
  makeCa('test-ca');
  makeCa('other-ca');
  const leaf = (name: string, subject: string, extensions: string) => {
    openssl('req', ...ecKey, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), `${extensions}\nbasicConstraints=CA:FALSE\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'test-ca.pem',
      '-CAkey',
      'test-ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  leaf('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  leaf('named-server', '/CN=producer.test', 'subjectAltName=DNS:producer.test\nextendedKeyUsage=serverAuth');
  leaf('client', '/CN=consumer', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caPem: join(dir, 'test-ca.pem'),
    serverPem: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    namedServerPem: join(dir, 'named-server.pem'),
    namedServerKey: join(dir, 'named-server.key'),
    clientPem: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    otherCaPem: join(dir, 'other-ca.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
