import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** For e2e tests: runs the built `dolittle` command as a separate process, the way an operator or a test harness does. */

export const mainScript = fileURLToPath(new URL('./main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without any DOLITTLE_* variable of the machine running the tests, plus `env`. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DOLITTLE_')));
  return { ...clean, ...env };
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** The "Dolittle Runtime ready …" line, or a rejection with the output if the process ends first. */
  readonly ready: Promise<string>;
  readonly exited: Promise<CliResult>;
  output(): { stdout: string; stderr: string };
}

export function startCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(process.execPath, [mainScript, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && l.startsWith('Dolittle Runtime ready'));
      if (line !== undefined) resolve(line);
    });
    exited.then(
      (result) =>
        reject(new Error(`dolittle exited (${result.code ?? result.signal}) before it was ready:\n${result.stderr}`)),
      reject,
    );
  });
  // A test that only awaits `exited` must not fail on the rejection of an unawaited `ready`.
  ready.catch(() => {});
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

export async function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return await startCli(args, options).exited;
}

/** The ready line's endpoints: `private=host:port` etc. (IPv6 hosts come bracketed). */
export function parseReadyLine(line: string): Record<'private' | 'public' | 'metrics' | 'store' | 'tenants', string> {
  const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S+)`).exec(line)?.[1] ?? '';
  return {
    private: field('private'),
    public: field('public'),
    metrics: field('metrics'),
    store: field('store'),
    tenants: field('tenants'),
  };
}

export interface WorkDir {
  readonly cwd: string;
  /** Writes `.dolittle/<name>` (objects as JSON). */
  config(name: string, content: unknown): Promise<void>;
  remove(): Promise<void>;
}

export async function createWorkDir(): Promise<WorkDir> {
  const cwd = await mkdtemp(join(tmpdir(), 'dolittle-cli-'));
  return {
    cwd,
    config: async (name, content) => {
      await mkdir(join(cwd, '.dolittle'), { recursive: true });
      await writeFile(join(cwd, '.dolittle', name), typeof content === 'string' ? content : JSON.stringify(content));
    },
    remove: () => rm(cwd, { recursive: true, force: true }),
  };
}
