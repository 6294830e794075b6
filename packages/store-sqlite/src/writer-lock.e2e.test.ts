import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { defaultScope, StoreLocked } from '@dolittle-ts/fundamentals';
import { eventsCommit, newTenantId, readAll } from '@dolittle-ts/store/conformance';
import { openSqliteTenantStore } from './index.js';

/*
 * Another process (a second Runtime) pointed at the same file. It runs the adapter from this build, or plain
 * better-sqlite3, and prints one JSON line with what happened.
 */
const childScript = `
const [adapterUrl, driverUrl, file, tenantId, mode] = process.argv.slice(1);
const print = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
const commitOf = (n) => ({
  kind: 'events',
  executionContext: {
    microserviceId: tenantId, tenantId, correlationId: tenantId, claims: [], environment: 'child',
    version: { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' },
  },
  events: Array.from({ length: n }, (_, i) => ({
    eventSourceId: tenantId, type: { id: tenantId, generation: 1 }, public: false, content: '{"child":' + i + '}',
  })),
});
if (mode === 'raw-write') {
  const { default: Database } = await import(driverUrl);
  const db = new Database(file, { timeout: 100 });
  const attempt = (sql) => { try { db.exec(sql); return 'ok'; } catch (error) { return error.code; } };
  print({ read: attempt('SELECT count(*) FROM events'), write: attempt("INSERT INTO aggregates VALUES ('a', 'b', 1)") });
  db.close();
} else {
  const { openSqliteTenantStore } = await import(adapterUrl);
  let store;
  try {
    store = await openSqliteTenantStore(tenantId, { file });
  } catch (error) {
    print({ error: error.name, message: error.message });
    process.exit(0);
  }
  if (mode === 'hold') {
    await store.events.commit([commitOf(2)], { occurred: new Date() });
    await store.events.commit([commitOf(3)], { occurred: new Date() });
    print({ holding: await store.events.nextSequenceNumber('00000000-0000-0000-0000-000000000000') });
    setInterval(() => {}, 60_000);
  } else {
    print({ opened: await store.events.nextSequenceNumber('00000000-0000-0000-0000-000000000000') });
    await store.close();
  }
}
`;

const adapterUrl = new URL('./index.js', import.meta.url).href;
const driverUrl = import.meta.resolve('better-sqlite3');
const childArgs = (file: string, tenantId: string, mode: 'open' | 'raw-write' | 'hold') => [
  '--input-type=module',
  '-e',
  childScript,
  adapterUrl,
  driverUrl,
  file,
  tenantId,
  mode,
];

async function runChild(file: string, tenantId: string, mode: 'open' | 'raw-write'): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, childArgs(file, tenantId, mode), { timeout: 20_000 });
  return JSON.parse(stdout.trim());
}

describe('sqlite writer lock across processes', () => {
  let directory: string;
  const children: ChildProcess[] = [];
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dolittle-sqlite-lock-'));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
  });

  it('a second process can neither open, read nor write the file while a store holds it', async () => {
    const file = join(directory, 'held.sqlite');
    const tenantId = newTenantId();
    const store = await openSqliteTenantStore(tenantId, { file });
    await store.events.commit([eventsCommit(2)], { occurred: new Date() });

    const refused = await runChild(file, tenantId, 'open');
    assert.equal(refused.error, 'StoreLocked');
    assert.match(String(refused.message), new RegExp(`sqlite file ${file}`));
    assert.match(String(refused.message), /another Runtime/);
    assert.deepEqual(await runChild(file, tenantId, 'raw-write'), { read: 'SQLITE_BUSY', write: 'SQLITE_BUSY' });

    // The holder never noticed.
    await store.events.commit([eventsCommit(1)], { occurred: new Date() });
    assert.equal(await store.events.nextSequenceNumber(defaultScope), 3);

    await store.close();
    assert.deepEqual(await runChild(file, tenantId, 'open'), { opened: 3 });
  });

  it('a process that dies releases the lock, and what it acknowledged is kept', async () => {
    const file = join(directory, 'crashed.sqlite');
    const tenantId = newTenantId();
    const child = spawn(process.execPath, childArgs(file, tenantId, 'hold'), { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    assert.deepEqual(JSON.parse(line.toString()), { holding: 5 });

    await assert.rejects(openSqliteTenantStore(tenantId, { file }), StoreLocked);

    child.kill('SIGKILL');
    await once(child, 'exit');
    const store = await openSqliteTenantStore(tenantId, { file });
    try {
      const events = await readAll(store.events);
      assert.deepEqual(
        events.map((e) => [e.sequenceNumber, e.content]),
        [
          [0, '{"child":0}'],
          [1, '{"child":1}'],
          [2, '{"child":0}'],
          [3, '{"child":1}'],
          [4, '{"child":2}'],
        ],
      );
    } finally {
      await store.close();
    }
  });
});
