import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidConfiguration } from '@dolittle-ts/fundamentals';
import { displayPath } from './read-config-file.js';
import type { TlsKeyPair } from './runtime-config.js';

/**
 * Reading the PEM files that TLS is configured with, once, when the configuration is resolved: a missing, unreadable
 * or malformed file, or a key that does not belong to its certificate, is an InvalidConfiguration naming the setting
 * (a flag, a variable, or a file and key) that gave the path. The Runtime then only ever sees the content.
 */

/** A path to a PEM file and the setting it came from (`key` is '' for a flag or variable). */
export interface PemPath {
  /** Absolute. */
  readonly path: string;
  readonly file: string;
  readonly key: string;
}

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The text of a file holding one or more PEM certificates (a chain, or a CA bundle), each checked to parse. */
export async function readCertificates(pem: PemPath, cwd: string): Promise<string> {
  const text = await readPemFile(pem, cwd);
  const blocks = text.match(certificateBlock) ?? [];
  if (blocks.length === 0) {
    throw problem(pem, `${shown(pem, cwd)} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw problem(
        pem,
        `certificate ${index + 1} in ${shown(pem, cwd)} cannot be parsed: ${(error as Error).message}`,
        error,
      );
    }
  }
  return text;
}

/** The text of a file holding an unencrypted PEM private key. */
export async function readPrivateKey(pem: PemPath, cwd: string): Promise<string> {
  const text = await readPemFile(pem, cwd);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw problem(
      pem,
      `${shown(pem, cwd)} holds an encrypted private key; the Runtime takes no passphrase, so store it decrypted (openssl pkey -in <encrypted> -out <decrypted>) and protect the file instead`,
    );
  }
  try {
    privateKeyOf(text);
  } catch (error) {
    throw problem(
      pem,
      `${shown(pem, cwd)} holds no PEM private key (expected -----BEGIN PRIVATE KEY-----): ${(error as Error).message}`,
      error,
    );
  }
  return text;
}

/**
 * A certificate (chain) and its private key, refusing a key that is not the private key of the (first) certificate:
 * TLS would fail on every connection.
 */
export async function readKeyPair(cert: PemPath, key: PemPath, cwd: string): Promise<TlsKeyPair> {
  const certText = await readCertificates(cert, cwd);
  const keyText = await readPrivateKey(key, cwd);
  const [leaf] = certText.match(certificateBlock) ?? [];
  if (leaf === undefined || !new X509Certificate(leaf).checkPrivateKey(privateKeyOf(keyText))) {
    throw problem(
      key,
      `${shown(key, cwd)} is not the private key of the certificate in ${shown(cert, cwd)}${settingOf(cert, key)}`,
    );
  }
  return { cert: certText, key: keyText };
}

function privateKeyOf(text: string): KeyObject {
  return createPrivateKey({ key: text, format: 'pem' });
}

async function readPemFile(pem: PemPath, cwd: string): Promise<string> {
  try {
    return await readFile(pem.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = shown(pem, cwd);
    switch (code) {
      case 'ENOENT':
      case 'ENOTDIR':
        throw problem(pem, `${what} does not exist`);
      case 'EACCES':
      case 'EPERM':
        throw problem(pem, `${what} cannot be read (permission denied)`);
      case 'EISDIR':
        throw problem(pem, `${what} is a directory, not a PEM file`);
      default:
        throw problem(pem, `${what} cannot be read: ${(error as Error).message}`, error);
    }
  }
}

function shown(pem: PemPath, cwd: string): string {
  return displayPath(pem.path, cwd);
}

/** " (from --public-tls-cert)" when the certificate was configured elsewhere than the key being blamed. */
function settingOf(cert: PemPath, key: PemPath): string {
  if (cert.file === key.file) return '';
  return cert.key === '' ? ` (from ${cert.file})` : ` (from ${cert.file} ${cert.key})`;
}

function problem(pem: PemPath, message: string, cause?: unknown): InvalidConfiguration {
  const error = new InvalidConfiguration(pem.file, pem.key, message);
  if (cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  }
  return error;
}
