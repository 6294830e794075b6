import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MicroserviceId } from '@dolittle-ts/fundamentals';
import { expectProblem, useConfigTestKit } from './config-test-kit.js';
import {
  testCa,
  testClientCertificate,
  testClientKey,
  testEncryptedKey,
  testServerCertificate,
  testServerKey,
} from './example-certificates.js';

const { configWith, problemWith } = useConfigTestKit();

const file = '.dolittle/microservices.json';
const producer = 'a14bb24e-51f3-4d83-9eba-44c4cffe6bb9' as MicroserviceId;
const other = 'c0ffee00-0000-4000-8000-000000000002';

function microservices(address: Record<string, unknown>) {
  return { 'microservices.json': { [producer]: { host: 'producer-runtime', port: 50052, ...address } } };
}

describe('microservices.json', () => {
  it('lists no producers without the file', async () => {
    assert.equal((await configWith({})).config.microservices.size, 0);
  });

  it("reads Dolittle's { host, port } by microservice id (lowercased), without TLS", async () => {
    const { config } = await configWith({
      'microservices.json': {
        [producer.toUpperCase()]: { host: 'producer-runtime', port: 50052 },
        [other]: { host: '10.0.0.7', port: 50055, tls: false },
      },
    });
    assert.deepEqual(
      [...config.microservices],
      [
        [producer, { host: 'producer-runtime', port: 50052, tls: undefined }],
        [other, { host: '10.0.0.7', port: 50055, tls: undefined }],
      ],
    );
  });

  it('puts an IPv6 address in brackets, so that host:port is an address', async () => {
    const { config } = await configWith(microservices({ host: '::1' }));
    assert.equal(config.microservices.get(producer)?.host, '[::1]');
    const bracketed = await configWith(microservices({ host: '[fd00::7]' }));
    assert.equal(bracketed.config.microservices.get(producer)?.host, '[fd00::7]');
  });

  it('"tls": true trusts the system roots', async () => {
    const { config } = await configWith(microservices({ tls: true }));
    assert.deepEqual(config.microservices.get(producer)?.tls, {
      ca: undefined,
      serverName: undefined,
      clientCertificate: undefined,
    });
  });

  it('"tls" with a CA, a server name and a client certificate loads the files, relative to the config dir', async () => {
    const { config } = await configWith({
      ...microservices({
        tls: { ca: 'certs/ca.pem', serverName: 'producer.internal', certificate: '../client.pem', key: 'client.key' },
      }),
      'certs/ca.pem': testCa,
      '../client.pem': testClientCertificate,
      'client.key': testClientKey,
    });
    assert.deepEqual(config.microservices.get(producer)?.tls, {
      ca: testCa,
      serverName: 'producer.internal',
      clientCertificate: { cert: testClientCertificate, key: testClientKey },
    });
  });

  it('"tls" with a CA bundle of several certificates', async () => {
    const bundle = `${testCa}${testServerCertificate}`;
    const { config } = await configWith({ ...microservices({ tls: { ca: 'ca.pem' } }), 'ca.pem': bundle });
    assert.equal(config.microservices.get(producer)?.tls?.ca, bundle);
  });
});

describe('microservices.json is refused', () => {
  it('when a key is not a GUID, or a microservice is listed twice', async () => {
    expectProblem(
      await problemWith({ 'microservices.json': { producer: { host: 'a', port: 1 } } }),
      file,
      'producer',
      /not a GUID \(a microservice id is a GUID/,
    );
    expectProblem(
      await problemWith({
        'microservices.json': { [producer]: { host: 'a', port: 1 }, [producer.toUpperCase()]: { host: 'b', port: 2 } },
      }),
      file,
      producer.toUpperCase(),
      /the same microservice as/,
    );
  });

  it('when an address has an unknown key', async () => {
    expectProblem(
      await problemWith(microservices({ scheme: 'http' })),
      file,
      `${producer}.scheme`,
      /unknown key \(expected host, port, tls\)/,
    );
  });

  it('when the host is missing or not a host', async () => {
    expectProblem(
      await problemWith({ 'microservices.json': { [producer]: { port: 50052 } } }),
      file,
      `${producer}.host`,
      /is missing/,
    );
    expectProblem(
      await problemWith(microservices({ host: 'http://producer:50052' })),
      file,
      `${producer}.host`,
      /not a host name or IP address, got "http:\/\/producer:50052"/,
    );
  });

  it('when the port is missing, out of range or not a number', async () => {
    expectProblem(
      await problemWith({ 'microservices.json': { [producer]: { host: 'a' } } }),
      file,
      `${producer}.port`,
      /is missing/,
    );
    expectProblem(await problemWith(microservices({ port: 0 })), file, `${producer}.port`, /must be at least 1, got 0/);
    expectProblem(
      await problemWith(microservices({ port: 70000 })),
      file,
      `${producer}.port`,
      /must be at most 65535, got 70000/,
    );
    expectProblem(
      await problemWith(microservices({ port: '50052' })),
      file,
      `${producer}.port`,
      /expected a number, got "50052"/,
    );
  });

  it('when "tls" is neither a boolean nor an object, is empty, or has an unknown key', async () => {
    expectProblem(
      await problemWith(microservices({ tls: 'yes' })),
      file,
      `${producer}.tls`,
      /expected true .* or \{ "ca"\?: .*, got "yes"/,
    );
    expectProblem(await problemWith(microservices({ tls: {} })), file, `${producer}.tls`, /is empty/);
    expectProblem(
      await problemWith(microservices({ tls: { caFile: 'ca.pem' } })),
      file,
      `${producer}.tls.caFile`,
      /unknown key \(expected ca, serverName, certificate, key\)/,
    );
    expectProblem(
      await problemWith(microservices({ tls: { serverName: 'a b' } })),
      file,
      `${producer}.tls.serverName`,
      /not a host name/,
    );
  });

  it('when the CA file does not exist, is a directory, or holds no certificate', async () => {
    expectProblem(
      await problemWith(microservices({ tls: { ca: 'certs/ca.pem' } })),
      file,
      `${producer}.tls.ca`,
      /^\.dolittle\/microservices\.json \(.*\.tls\.ca\): \.dolittle\/certs\/ca\.pem does not exist$/,
    );
    expectProblem(
      await problemWith({ ...microservices({ tls: { ca: 'certs' } }), 'certs/x': '' }),
      file,
      `${producer}.tls.ca`,
      /\.dolittle\/certs is a directory/,
    );
    expectProblem(
      await problemWith({ ...microservices({ tls: { ca: 'ca.pem' } }), 'ca.pem': testServerKey }),
      file,
      `${producer}.tls.ca`,
      /\.dolittle\/ca\.pem holds no PEM certificate/,
    );
    const broken = testCa.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expectProblem(
      await problemWith({ ...microservices({ tls: { ca: 'ca.pem' } }), 'ca.pem': broken }),
      file,
      `${producer}.tls.ca`,
      /certificate 1 in \.dolittle\/ca\.pem cannot be parsed/,
    );
  });

  it('when the CA file cannot be read', { skip: process.getuid?.() === 0 && 'root reads any file' }, async () => {
    expectProblem(
      await problemWith(
        { ...microservices({ tls: { ca: 'ca.pem' } }), 'ca.pem': testCa },
        { prepare: (dir) => chmod(join(dir.configDir, 'ca.pem'), 0o000) },
      ),
      file,
      `${producer}.tls.ca`,
      /\.dolittle\/ca\.pem cannot be read \(permission denied\)/,
    );
  });

  it('when a client certificate comes without its key, or the key is not its key', async () => {
    expectProblem(
      await problemWith({
        ...microservices({ tls: { certificate: 'client.pem' } }),
        'client.pem': testClientCertificate,
      }),
      file,
      `${producer}.tls.key`,
      /is missing: a client certificate needs its private key/,
    );
    expectProblem(
      await problemWith(microservices({ tls: { key: 'client.key' } })),
      file,
      `${producer}.tls.certificate`,
      /is missing/,
    );
    expectProblem(
      await problemWith({
        ...microservices({ tls: { certificate: 'client.pem', key: 'server.key' } }),
        'client.pem': testClientCertificate,
        'server.key': testServerKey,
      }),
      file,
      `${producer}.tls.key`,
      /\.dolittle\/server\.key is not the private key of the certificate in \.dolittle\/client\.pem$/,
    );
  });

  it('when the client key is encrypted or not a key', async () => {
    const files = (key: string) => ({
      ...microservices({ tls: { certificate: 'client.pem', key: 'client.key' } }),
      'client.pem': testClientCertificate,
      'client.key': key,
    });
    expectProblem(
      await problemWith(files(testEncryptedKey)),
      file,
      `${producer}.tls.key`,
      /holds an encrypted private key; the Runtime takes no passphrase/,
    );
    expectProblem(
      await problemWith(files(testClientCertificate)),
      file,
      `${producer}.tls.key`,
      /\.dolittle\/client\.key holds no PEM private key/,
    );
  });
});
