import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { InvalidConfiguration } from '@dolittle-ts/fundamentals';
import { resolveRuntimeConfig } from './resolve-runtime-config.js';
import type { RuntimeConfig } from './runtime-config.js';
import type { RuntimeFlags } from './runtime-settings.js';
import { createTempConfigDir, type TempConfigDir } from './temp-config-dir.js';

/**
 * For tests: resolve a configuration from files in a fresh config dir (strings are written as they are, anything else
 * as JSON; names may have directories, `certs/server.pem`), and check the InvalidConfiguration a bad one throws.
 * Call at the top of a test file: the directories are removed after each test.
 */
export interface ResolveOptions {
  readonly flags?: RuntimeFlags;
  readonly env?: NodeJS.ProcessEnv;
  /** Runs after the files are written, before resolving (to change permissions, make links, …). */
  readonly prepare?: (dir: TempConfigDir) => Promise<void>;
}

export interface ConfigTestKit {
  configWith(
    files: Record<string, unknown>,
    options?: ResolveOptions,
  ): Promise<{ config: RuntimeConfig; dir: TempConfigDir }>;
  /** Resolves and returns the InvalidConfiguration it must throw. */
  problemWith(files: Record<string, unknown>, options?: ResolveOptions): Promise<InvalidConfiguration>;
}

export function useConfigTestKit(): ConfigTestKit {
  const dirs: TempConfigDir[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await dir.remove();
  });
  const resolveWith = async (files: Record<string, unknown>, options: ResolveOptions) => {
    const dir = await createTempConfigDir(files);
    dirs.push(dir);
    await options.prepare?.(dir);
    return {
      dir,
      resolving: resolveRuntimeConfig({ flags: options.flags ?? {}, env: options.env ?? {}, cwd: dir.cwd }),
    };
  };
  return {
    async configWith(files, options = {}) {
      const { dir, resolving } = await resolveWith(files, options);
      return { config: await resolving, dir };
    },
    async problemWith(files, options = {}) {
      const { resolving } = await resolveWith(files, options);
      try {
        await resolving;
      } catch (error) {
        assert.ok(error instanceof InvalidConfiguration, `expected InvalidConfiguration, got ${String(error)}`);
        return error;
      }
      assert.fail('the configuration was accepted');
    },
  };
}

/** The error names `file` and `key` (and says so at the start of its message), and says `problem`. */
export function expectProblem(error: InvalidConfiguration, file: string, key: string, problem: RegExp): void {
  assert.equal(error.file, file, error.message);
  assert.equal(error.key, key, error.message);
  assert.equal(error.code, 'InvalidConfiguration');
  assert.match(error.message, problem);
  assert.ok(error.message.startsWith(key === '' ? `${file}: ` : `${file} (${key}): `), error.message);
}
