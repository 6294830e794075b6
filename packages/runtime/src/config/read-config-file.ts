import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { InvalidConfiguration } from '@dolittle-ts/fundamentals';

/** A configuration file in the config directory, named the way errors show it. */
export interface ConfigFile {
  readonly path: string;
  /** Relative to the working directory when inside it (".dolittle/tenants.json"), else absolute. */
  readonly display: string;
}

/** What relative paths in the configuration are resolved against, and what paths in messages are shown from. */
export interface PathContext {
  /** Paths inside config files are relative to it. */
  readonly configDir: string;
  /** Paths given as flags or variables are relative to it, and messages show paths from it. */
  readonly cwd: string;
}

export function configFile(configDir: string, name: string, cwd: string): ConfigFile {
  const path = join(configDir, name);
  return { path, display: displayPath(path, cwd) };
}

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * Reads and parses a JSON configuration file. Returns undefined when it does not exist (every file is optional);
 * anything else that keeps it from being read or parsed is an InvalidConfiguration naming the file.
 */
export async function readJsonFile(file: ConfigFile): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file.path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw withCause(new InvalidConfiguration(file.display, '', `cannot be read: ${messageOf(error)}`), error);
  }
  try {
    // A byte-order mark is what editors on Windows leave; it is not part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw withCause(new InvalidConfiguration(file.display, '', `is not valid JSON: ${messageOf(error)}`), error);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  return error;
}
