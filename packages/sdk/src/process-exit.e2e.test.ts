// A head built on the SDK exits by itself after `close()`: nothing (stream, channel, timer, in-process Runtime)
// keeps its event loop alive. Run as child processes, in both modes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RuntimeProcess, startRuntimeProcess } from './test-support/modes.js';

const head = fileURLToPath(new URL('./test-support/exiting-head.js', import.meta.url));

function runHead(runtime: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [head, runtime], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the head did not exit within 20 s of starting\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('a head process using the SDK', { timeout: 60_000 }, () => {
  let runtime: RuntimeProcess;
  before(async () => {
    runtime = await startRuntimeProcess();
  });
  after(async () => {
    await runtime.dispose();
  });

  for (const target of ['remote', 'embedded'] as const) {
    it(`exits by itself after close() [${target}]`, async () => {
      const result = await runHead(target === 'remote' ? runtime.address : 'embedded');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /handled Bean Blaster Taco/);
      assert.match(result.stdout, /closed/);
    });
  }
});
