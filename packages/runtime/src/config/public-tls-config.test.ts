import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

const endpoints = '.dolittle/endpoints.json';
/** PEM files in the config dir; flags and variables name them relative to the working directory. */
const pems = {
  'server.pem': testServerCertificate,
  'server.key': testServerKey,
  'ca.pem': testCa,
  'client.pem': testClientCertificate,
  'client.key': testClientKey,
};
const flags = { publicTlsCert: '.dolittle/server.pem', publicTlsKey: '.dolittle/server.key' };

describe('public TLS', () => {
  it('is off by default', async () => {
    assert.equal((await configWith({})).config.publicTls, undefined);
  });

  it('--public-tls-cert and --public-tls-key load the certificate and key, relative to the working directory', async () => {
    const { config } = await configWith(pems, { flags });
    assert.deepEqual(config.publicTls, { cert: testServerCertificate, key: testServerKey });
    assert.equal(config.endpoints.public.port, 50052);
  });

  it('takes a certificate chain and the variables, and --public-tls-ca for client certificates', async () => {
    const chain = `${testServerCertificate}${testCa}`;
    const { config } = await configWith(
      { ...pems, 'chain.pem': chain },
      {
        env: {
          DOLITTLE_PUBLIC_TLS_CERT: '.dolittle/chain.pem',
          DOLITTLE_PUBLIC_TLS_KEY: '.dolittle/server.key',
          DOLITTLE_PUBLIC_TLS_CA: '.dolittle/ca.pem',
        },
      },
    );
    assert.deepEqual(config.publicTls, { cert: chain, key: testServerKey, ca: testCa });
  });

  it('reads endpoints.json public.tls, relative to the config dir', async () => {
    const { config } = await configWith({
      ...pems,
      'endpoints.json': { public: { port: 6002, tls: { certificate: 'server.pem', key: 'server.key', ca: 'ca.pem' } } },
    });
    assert.deepEqual(config.publicTls, { cert: testServerCertificate, key: testServerKey, ca: testCa });
    assert.equal(config.endpoints.public.port, 6002);
    const withoutPort = await configWith({
      ...pems,
      'endpoints.json': { public: { tls: { certificate: 'server.pem', key: 'server.key' } } },
    });
    assert.deepEqual(withoutPort.config.publicTls, { cert: testServerCertificate, key: testServerKey });
    assert.equal(withoutPort.config.endpoints.public.port, 50052);
  });

  it('flags replace the certificate and key of endpoints.json but keep its client CA unless given', async () => {
    const files = {
      ...pems,
      'endpoints.json': {
        public: { tls: { certificate: 'missing.pem', key: 'missing.key', ca: 'ca.pem' } },
      },
    };
    const client = { publicTlsCert: '.dolittle/client.pem', publicTlsKey: '.dolittle/client.key' };
    const kept = await configWith(files, { flags: client });
    assert.deepEqual(kept.config.publicTls, { cert: testClientCertificate, key: testClientKey, ca: testCa });
    const replaced = await configWith(files, { flags: { ...client, publicTlsCa: '.dolittle/server.pem' } });
    assert.equal(replaced.config.publicTls?.ca, testServerCertificate);
  });
});

describe('public TLS is refused', () => {
  it('when a certificate comes without its key, or a key without its certificate, naming the one given', async () => {
    expectProblem(
      await problemWith(pems, { flags: { publicTlsCert: '.dolittle/server.pem' } }),
      '--public-tls-cert',
      '',
      /given without --public-tls-key \(DOLITTLE_PUBLIC_TLS_KEY\); the public port needs both/,
    );
    expectProblem(
      await problemWith(pems, { env: { DOLITTLE_PUBLIC_TLS_KEY: '.dolittle/server.key' } }),
      'DOLITTLE_PUBLIC_TLS_KEY',
      '',
      /given without --public-tls-cert \(DOLITTLE_PUBLIC_TLS_CERT\)/,
    );
  });

  it('when only one of the pair is a flag, even if endpoints.json has both', async () => {
    expectProblem(
      await problemWith(
        { ...pems, 'endpoints.json': { public: { tls: { certificate: 'server.pem', key: 'server.key' } } } },
        { flags: { publicTlsKey: '.dolittle/server.key' } },
      ),
      '--public-tls-key',
      '',
      /given without --public-tls-cert/,
    );
  });

  it('when a client CA is given without TLS', async () => {
    expectProblem(
      await problemWith(pems, { flags: { publicTlsCa: '.dolittle/ca.pem' } }),
      '--public-tls-ca',
      '',
      /client certificates can only be verified over TLS; give --public-tls-cert .* and --public-tls-key/,
    );
  });

  it('when a file does not exist, naming the flag and the path', async () => {
    expectProblem(
      await problemWith(pems, { flags: { ...flags, publicTlsCert: 'certs/nowhere.pem' } }),
      '--public-tls-cert',
      '',
      /^--public-tls-cert: certs\/nowhere\.pem does not exist$/,
    );
    expectProblem(
      await problemWith(pems, { env: { DOLITTLE_PUBLIC_TLS_CA: 'ca.pem' }, flags }),
      'DOLITTLE_PUBLIC_TLS_CA',
      '',
      /^DOLITTLE_PUBLIC_TLS_CA: ca\.pem does not exist$/,
    );
  });

  it('when the key is not the private key of the certificate', async () => {
    expectProblem(
      await problemWith(pems, { flags: { ...flags, publicTlsKey: '.dolittle/client.key' } }),
      '--public-tls-key',
      '',
      /\.dolittle\/client\.key is not the private key of the certificate in \.dolittle\/server\.pem \(from --public-tls-cert\)/,
    );
  });

  it('when the certificate file holds no certificate, or the key is encrypted', async () => {
    expectProblem(
      await problemWith(pems, { flags: { ...flags, publicTlsCert: '.dolittle/server.key' } }),
      '--public-tls-cert',
      '',
      /\.dolittle\/server\.key holds no PEM certificate/,
    );
    expectProblem(
      await problemWith(
        { ...pems, 'encrypted.key': testEncryptedKey },
        {
          flags: { ...flags, publicTlsKey: '.dolittle/encrypted.key' },
        },
      ),
      '--public-tls-key',
      '',
      /holds an encrypted private key/,
    );
  });

  it('when a flag is empty', async () => {
    expectProblem(
      await problemWith(pems, { flags: { ...flags, publicTlsCert: ' ' } }),
      '--public-tls-cert',
      '',
      /must not be empty/,
    );
  });

  it('when endpoints.json public.tls misses the key or has an unknown key', async () => {
    expectProblem(
      await problemWith({ ...pems, 'endpoints.json': { public: { tls: { certificate: 'server.pem' } } } }),
      endpoints,
      'public.tls.key',
      /is missing/,
    );
    expectProblem(
      await problemWith({
        ...pems,
        'endpoints.json': { public: { tls: { certificate: 'server.pem', key: 'server.key', cert: 'x' } } },
      }),
      endpoints,
      'public.tls.cert',
      /unknown key \(expected certificate, key, ca\)/,
    );
    expectProblem(
      await problemWith({ 'endpoints.json': { private: { port: 1, tls: {} } } }),
      endpoints,
      'private.tls',
      /unknown key \(expected port\)/,
    );
  });

  it('when a file named in endpoints.json does not exist or does not match, naming the key', async () => {
    expectProblem(
      await problemWith({
        ...pems,
        'endpoints.json': { public: { tls: { certificate: 'tls/server.pem', key: 'server.key' } } },
      }),
      endpoints,
      'public.tls.certificate',
      /^\.dolittle\/endpoints\.json \(public\.tls\.certificate\): \.dolittle\/tls\/server\.pem does not exist$/,
    );
    expectProblem(
      await problemWith({
        ...pems,
        'endpoints.json': { public: { tls: { certificate: 'server.pem', key: 'client.key' } } },
      }),
      endpoints,
      'public.tls.key',
      /\.dolittle\/client\.key is not the private key of the certificate in \.dolittle\/server\.pem$/,
    );
    expectProblem(
      await problemWith({
        ...pems,
        'endpoints.json': { public: { tls: { certificate: 'server.pem', key: 'server.key', ca: 'server.key' } } },
      }),
      endpoints,
      'public.tls.ca',
      /holds no PEM certificate/,
    );
  });
});
