import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** For tests: a fresh working directory holding `.dolittle/` with the given files (objects are written as JSON). */
export interface TempConfigDir {
  readonly cwd: string;
  readonly configDir: string;
  /** Writes `<config dir>/<name>`, creating its directory; `name` may lead elsewhere (`../certs/a.pem`). */
  write(name: string, content: unknown): Promise<void>;
  remove(): Promise<void>;
}

export async function createTempConfigDir(files: Readonly<Record<string, unknown>> = {}): Promise<TempConfigDir> {
  const cwd = await mkdtemp(join(tmpdir(), 'dolittle-config-'));
  const configDir = join(cwd, '.dolittle');
  await mkdir(configDir);
  const write = async (name: string, content: unknown) => {
    const path = join(configDir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  };
  for (const [name, content] of Object.entries(files)) await write(name, content);
  return { cwd, configDir, write, remove: () => rm(cwd, { recursive: true, force: true }) };
}
