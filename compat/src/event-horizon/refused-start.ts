// Starts the Runtime CLI expecting it to refuse its configuration: it must exit by itself, before any ready line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RuntimeStore, runtimeCliPath, storeArgument } from '../harness';

export interface RefusedStart {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dolittle runtime --config-dir <dir> …` on OS-chosen ports; kills it if it is still running after `timeoutMs`. */
export async function startExpectingRefusal(options: {
  readonly configDir: string;
  readonly store: RuntimeStore;
  readonly extraArgs?: readonly string[];
  readonly timeoutMs?: number;
}): Promise<RefusedStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dolittle-compat-refused-'));
  try {
    const child = spawn(
      process.execPath,
      [
        runtimeCliPath(),
        'runtime',
        '--config-dir',
        options.configDir,
        '--data-dir',
        dataDir,
        '--private-port',
        '0',
        '--public-port',
        '0',
        '--metrics-port',
        'off',
        '--store',
        storeArgument(options.store),
        ...(options.extraArgs ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(timer);
    // Let the pipes drain.
    await new Promise((resolve) => setImmediate(resolve));
    return { ...exit, stdout, stderr };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
