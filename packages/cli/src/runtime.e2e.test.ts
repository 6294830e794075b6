import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { type CliProcess, createWorkDir, parseReadyLine, startCli, type WorkDir } from './cli-process.js';

/** These need the Runtime itself (startRuntime from @dolittle-ts/runtime) to start and stop. */

const developmentTenant = '445f8ea8-1a6f-40d7-b2fc-796dba92dc44';
const anyPorts = ['--private-port', '0', '--public-port', '0', '--metrics-port', '0'];

const dirs: WorkDir[] = [];
const processes: CliProcess[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited.catch(() => undefined);
  }
  for (const dir of dirs.splice(0)) await dir.remove();
});

async function workDir(): Promise<WorkDir> {
  const dir = await createWorkDir();
  dirs.push(dir);
  return dir;
}

function start(args: readonly string[], dir: WorkDir, env?: NodeJS.ProcessEnv): CliProcess {
  const p = startCli(args, env === undefined ? { cwd: dir.cwd } : { cwd: dir.cwd, env });
  processes.push(p);
  return p;
}

function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

async function canConnect(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('dolittle runtime serving', () => {
  it('prints one ready line on stdout, serves on the ports it names, and exits 0 on SIGTERM', async () => {
    const dir = await workDir();
    const runtime = start(['runtime', '--store', 'memory', '--host', '127.0.0.1', ...anyPorts], dir);
    const line = await runtime.ready;
    const fields = parseReadyLine(line);
    const privateEndpoint = hostPort(fields.private);
    assert.equal(privateEndpoint.host, '127.0.0.1');
    assert.ok(privateEndpoint.port > 0, line);
    assert.ok(hostPort(fields.public).port > 0, line);
    assert.ok(hostPort(fields.metrics).port > 0, line);
    assert.notEqual(fields.store, '');
    assert.equal(fields.tenants, developmentTenant);
    assert.ok(await canConnect(privateEndpoint.port), 'the private port accepts connections');

    runtime.child.kill('SIGTERM');
    const result = await runtime.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${line}\n`, 'stdout holds the ready line and nothing else');
    assert.ok(!(await canConnect(privateEndpoint.port)), 'the private port is closed');
  });

  it('exits 0 on SIGINT and reports metrics=off when disabled', async () => {
    const dir = await workDir();
    const runtime = start(['runtime', '--store', 'memory', ...anyPorts.slice(0, 4)], dir, {
      DOLITTLE_METRICS_PORT: 'off',
    });
    assert.equal(parseReadyLine(await runtime.ready).metrics, 'off');
    runtime.child.kill('SIGINT');
    assert.equal((await runtime.exited).code, 0);
  });

  it('logs JSON to stderr at the configured level', async () => {
    const dir = await workDir();
    const runtime = start(['runtime', '--store', 'memory', '--log-level', 'debug', ...anyPorts], dir);
    await runtime.ready;
    runtime.child.kill('SIGTERM');
    const result = await runtime.exited;
    const logLines = result.stderr.trim().split('\n');
    assert.ok(logLines.length > 0);
    for (const logLine of logLines) {
      const entry = JSON.parse(logLine) as { level: number; msg: string };
      assert.equal(typeof entry.level, 'number');
    }
  });

  it('keeps the default SQLite store in .dolittle/data/<tenant>.sqlite', async () => {
    const dir = await workDir();
    const runtime = start(['runtime', ...anyPorts], dir);
    await runtime.ready;
    runtime.child.kill('SIGTERM');
    assert.equal((await runtime.exited).code, 0);
    assert.ok(existsSync(join(dir.cwd, '.dolittle', 'data', `${developmentTenant}.sqlite`)));
  });
});

describe('dolittle runtime failing to start exits 1 with one clear stderr line', () => {
  it('when the private port is in use', async () => {
    const dir = await workDir();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      const runtime = start(
        ['runtime', '--store', 'memory', '--host', '127.0.0.1', '--private-port', String(address.port)],
        dir,
        { DOLITTLE_PUBLIC_PORT: '0', DOLITTLE_METRICS_PORT: 'off' },
      );
      const result = await runtime.exited;
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr.trimEnd().split('\n').at(-1)!, /^dolittle runtime: \S/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('when PostgreSQL cannot be reached', async () => {
    const dir = await workDir();
    const runtime = start(['runtime', '--store', 'postgres://postgres@127.0.0.1:1/dolittle', ...anyPorts], dir);
    const result = await runtime.exited;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr.trimEnd().split('\n').at(-1)!, /^dolittle runtime: \S/);
  });

  it('when another Runtime holds the SQLite store', async () => {
    const dir = await workDir();
    const first = start(['runtime', ...anyPorts], dir);
    await first.ready;
    const second = start(['runtime', ...anyPorts], dir);
    const result = await second.exited;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr.trimEnd().split('\n').at(-1)!, /^dolittle runtime: \S/);
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0);
  });
});
