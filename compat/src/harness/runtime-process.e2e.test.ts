// The process contract the harness (and any supervisor) relies on: one ready line on stdout, JSON logs on stderr,
// metrics where the ready line says, SIGTERM at any time after the ready line → clean shutdown with exit code 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { developmentTenant, parseReadyLine, runtimeCliPath, startRuntimeProcess } from './runtime-process';

describe('the Runtime process', { timeout: 60_000 }, () => {
  test('prints one ready line on stdout, logs JSON on stderr, serves metrics, and stops with exit code 0', async () => {
    const runtime = await startRuntimeProcess({ store: 'sqlite' });
    try {
      assert.deepEqual(runtime.ready.tenants, [developmentTenant]);
      assert.ok(runtime.privatePort > 0 && runtime.publicPort > 0 && runtime.privatePort !== runtime.publicPort);
      assert.ok(runtime.metricsPort !== undefined && runtime.metricsPort > 0, runtime.ready.line);
      const metrics = await fetch(`http://127.0.0.1:${runtime.metricsPort}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^# (HELP|TYPE) /m);
      await runtime.stop();
      const lines = runtime
        .stderr()
        .split('\n')
        .filter((line) => line.length > 0);
      assert.ok(lines.length > 0, 'the Runtime logged nothing');
      assert.equal(
        runtime.logs().length,
        lines.length,
        `not every stderr line is a JSON log entry:\n${lines.join('\n')}`,
      );
    } finally {
      await runtime.dispose();
    }
  });

  test('SIGTERM sent the moment the ready line arrives is a clean shutdown (exit code 0)', async () => {
    // A supervisor may stop the Runtime as soon as it reported ready. Sending the signal from the very callback that
    // sees the line leaves the Runtime no time: its SIGTERM handling must be in place before it prints the line.
    for (let attempt = 0; attempt < 5; attempt++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'dolittle-compat-sigterm-'));
      try {
        const child = spawn(
          process.execPath,
          [
            runtimeCliPath(),
            'runtime',
            '--private-port',
            '0',
            '--public-port',
            '0',
            '--metrics-port',
            'off',
            '--store',
            'sqlite',
            '--data-dir',
            dataDir,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        let stdout = '';
        let stderr = '';
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
        });
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.once('exit', (code, signal) => resolve({ code, signal })),
        );
        child.stdout.on('data', (chunk: string) => {
          const hadLine = stdout.includes('\n');
          stdout += chunk;
          if (!hadLine && stdout.includes('\n')) child.kill('SIGTERM');
        });
        const exit = await exited;
        const [readyLine] = stdout.split('\n');
        assert.ok(readyLine?.startsWith('Dolittle Runtime ready '), `no ready line; stdout: ${stdout}\n${stderr}`);
        parseReadyLine(readyLine ?? '');
        assert.deepEqual(
          exit,
          { code: 0, signal: null },
          `attempt ${attempt + 1}: SIGTERM right after the ready line ended the Runtime with ${JSON.stringify(exit)} instead of exit code 0\n--- stderr ---\n${stderr}`,
        );
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });
});
