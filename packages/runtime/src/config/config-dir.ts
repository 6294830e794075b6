import { stat } from 'node:fs/promises';
import { InvalidConfiguration } from '@dolittle-ts/fundamentals';
import type { z } from 'zod';
import {
  configFileNames,
  type EventHorizonConsentsFile,
  endpointsFile,
  eventHorizonConsentsFile,
  type MicroservicesFile,
  metricsFile,
  microservicesFile,
  type ResourcesFile,
  resourcesFile,
  tenantsFile,
} from './config-files.js';
import { parseConfig } from './config-schema.js';
import { configFile, readJsonFile } from './read-config-file.js';

/** A file's validated content and the name errors use for it. */
export interface Loaded<T> {
  readonly file: string;
  readonly data: T;
}

/** What the config directory holds; a file that is not there is undefined. */
export interface ConfigDirContents {
  readonly tenants: Loaded<z.output<typeof tenantsFile>> | undefined;
  readonly resources: Loaded<ResourcesFile> | undefined;
  readonly endpoints: Loaded<z.output<typeof endpointsFile>> | undefined;
  readonly metrics: Loaded<z.output<typeof metricsFile>> | undefined;
  readonly eventHorizonConsents: Loaded<EventHorizonConsentsFile> | undefined;
  readonly microservices: Loaded<MicroservicesFile> | undefined;
}

/**
 * Reads every known file in the config directory and checks its shape (what the files say about each other, and the
 * files they name, are checked by resolveRuntimeConfig). A missing directory is an empty one (every file is
 * optional) unless `mustExist`, which is the case when the directory was named explicitly: a typo there should not
 * silently start a Runtime on the development defaults.
 */
export async function readConfigDir(
  configDir: string,
  options: { cwd: string; mustExist: boolean; source: string },
): Promise<ConfigDirContents> {
  const kind = await entryKind(configDir, options.source);
  if (kind === 'other') throw new InvalidConfiguration(options.source, '', `${configDir} is not a directory`);
  if (kind === 'missing' && options.mustExist) {
    throw new InvalidConfiguration(options.source, '', `the directory ${configDir} does not exist`);
  }
  const load = async <S extends z.ZodType>(name: string, schema: S): Promise<Loaded<z.output<S>> | undefined> => {
    const file = configFile(configDir, name, options.cwd);
    const json = await readJsonFile(file);
    return json === undefined ? undefined : { file: file.display, data: parseConfig(schema, json, file.display) };
  };
  // One after the other, so that with several bad files the error is always about the same one.
  const tenants = await load(configFileNames.tenants, tenantsFile);
  const resources = await load(configFileNames.resources, resourcesFile);
  const endpoints = await load(configFileNames.endpoints, endpointsFile);
  const metrics = await load(configFileNames.metrics, metricsFile);
  const eventHorizonConsents = await load(configFileNames.eventHorizonConsents, eventHorizonConsentsFile);
  const microservices = await load(configFileNames.microservices, microservicesFile);
  return { tenants, resources, endpoints, metrics, eventHorizonConsents, microservices };
}

/** What is at `path`; `source` names the setting it came from, for the error when it cannot be looked at. */
export async function entryKind(path: string, source: string): Promise<'directory' | 'missing' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'missing';
    throw new InvalidConfiguration(source, '', `${path} cannot be read: ${(error as Error).message}`);
  }
}
