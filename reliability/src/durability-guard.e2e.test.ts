/*
 * The Runtime process refuses to start on storage that could lose acknowledged commits, unless told explicitly
 * (--allow-unsafe-durability, or DOLITTLE_ALLOW_UNSAFE_DURABILITY=true).
 *
 * PostgreSQL: a database with `synchronous_commit = off` set on it (ALTER DATABASE), and a connection string that
 * turns it off for the session: the process exits non-zero naming synchronous_commit and writes nothing; with
 * the setting it starts and commits. (`fsync = off` is server-wide; turning it off on the shared test server
 * would affect every other test, so it is left to the store's own tests.)
 *
 * SQLite: `synchronous` is a per-connection setting that the Runtime sets itself on the connection it opens; it
 * is not stored in the file and nothing outside the process can lower it, so there is no honest way to make the
 * Runtime's SQLite give less than FULL from outside (the refusal itself is covered by the store's tests on a
 * database SQLite cannot put in WAL mode). What can be observed from outside is the journal mode, which is stored
 * in the file: the Runtime's file is a WAL database, and a file another tool switched back to a rollback journal
 * is switched to WAL again when the Runtime opens it, with its events intact.
 */
import assert from 'node:assert/strict';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  freshPostgresDatabase,
  type PostgresDatabase,
  type RuntimeProcess,
  type StartRuntimeOptions,
  startRuntimeProcess,
  testPostgresUrl,
} from '@dolittle-ts/compat/harness';
import { developmentTenant } from '@dolittle-ts/fundamentals';
import { eventStoreClient } from '@dolittle-ts/runtime/testing';
import pg from 'pg';
import { commitEvents } from './commit-answers.js';

const eventType = '2f6e8a1c-4b3d-4e5f-9a7b-8c9d0e1f2a3b';

describe('durability guard at process level (postgres)', () => {
  const databases: PostgresDatabase[] = [];
  after(async () => {
    for (const database of databases) await database.drop();
  });

  async function databaseWith(settings: string | undefined): Promise<PostgresDatabase> {
    const database = await freshPostgresDatabase('dolittle_reliability_durability');
    databases.push(database);
    await withAdmin(testPostgresUrl(), async (admin) => {
      await admin.query(`CREATE DATABASE "${database.name}"`);
      if (settings !== undefined) await admin.query(`ALTER DATABASE "${database.name}" SET ${settings}`);
    });
    return database;
  }

  it('refuses a database with synchronous_commit = off, and starts with the explicit setting', async (t) => {
    const database = await databaseWith('synchronous_commit = off');
    const refusal = await refusedStart({ store: { postgres: database.url } });
    assert.match(refusal.stderr, /synchronous_commit/, 'the message names synchronous_commit');
    assert.deepEqual(await tenantSchemas(database.url), [], 'the refused Runtime created nothing in the database');

    const withFlag = await startsAndCommits({
      store: { postgres: database.url },
      extraArgs: ['--allow-unsafe-durability'],
    });
    const withVariable = await startsAndCommits({
      store: { postgres: database.url },
      env: { DOLITTLE_ALLOW_UNSAFE_DURABILITY: 'true' },
    });
    t.diagnostic(
      `ALTER DATABASE … SET synchronous_commit = off: exit code ${refusal.code}, message: ${refusal.line}; ` +
        `--allow-unsafe-durability: started and acknowledged a commit at ${withFlag}; ` +
        `DOLITTLE_ALLOW_UNSAFE_DURABILITY=true: started and acknowledged a commit at ${withVariable}`,
    );
  });

  it('refuses a connection string that turns synchronous_commit off for its sessions', async (t) => {
    const database = await databaseWith(undefined);
    const url = new URL(database.url);
    url.searchParams.set('options', '-c synchronous_commit=off');
    const refusal = await refusedStart({ store: { postgres: url.toString() } });
    assert.match(refusal.stderr, /synchronous_commit/, 'the message names synchronous_commit');
    assert.deepEqual(await tenantSchemas(database.url), [], 'the refused Runtime created nothing in the database');
    const control = await startsAndCommits({ store: { postgres: database.url } });
    t.diagnostic(
      `?options=-c synchronous_commit=off: exit code ${refusal.code}, message: ${refusal.line}; ` +
        `the same database without it: started and acknowledged a commit at ${control}`,
    );
  });
});

describe('durability guard at process level (sqlite)', () => {
  it('runs its file as a WAL database, and puts a file switched to a rollback journal back into WAL', async (t) => {
    let runtime: RuntimeProcess | undefined = await startRuntimeProcess({
      store: 'sqlite',
      logLevel: 'warn',
      metrics: false,
    });
    try {
      const file = join(runtime.dataDir, `${developmentTenant}.sqlite`);
      const first = await commitOne(runtime);
      await runtime.stop();
      assert.equal(await journalOf(file), 'wal', 'the Runtime left a WAL database');
      assert.equal(await sizeOf(`${file}-wal`), 0, 'the WAL was checkpointed into the database at a clean stop');

      // What `PRAGMA journal_mode = DELETE` by another tool leaves in the header: a rollback-journal database.
      await markRollbackJournal(file);
      assert.equal(await journalOf(file), 'rollback');
      runtime = await runtime.restart();
      const second = await commitOne(runtime);
      await runtime.stop();
      assert.equal(await journalOf(file), 'wal', 'the Runtime switched the file back to WAL');
      assert.deepEqual([first, second], [0, 1], 'the event from before is still there, the new one follows it');
      t.diagnostic(
        `the Runtime's file is a WAL database; marked as a rollback-journal database while stopped, it was WAL again after the Runtime opened it, events at 0 and 1. ` +
          'synchronous cannot be lowered from outside the process (a per-connection setting the Runtime sets itself), so the SQLite refusal is not exercised here',
      );
    } finally {
      await runtime?.dispose();
      runtime = undefined;
    }
  });
});

async function refusedStart(
  options: Pick<StartRuntimeOptions, 'store'>,
): Promise<{ code: number; stderr: string; line: string }> {
  let message = '';
  try {
    const runtime = await startRuntimeProcess({ ...options, logLevel: 'warn', metrics: false, readyTimeoutMs: 15_000 });
    await runtime.dispose();
  } catch (error) {
    message = (error as Error).message;
  }
  const exit = /exited \(code (\d+), signal null\) before it printed its ready line/.exec(message);
  assert.ok(exit, `the Runtime exits by itself before it is ready, got: ${message || 'a Runtime that started'}`);
  const code = Number(exit[1]);
  assert.notEqual(code, 0, 'with a non-zero exit code');
  // The harness's message quotes the command line (which may hold the setting) before the Runtime's stderr.
  const stderr = message.split('--- stderr ---')[1] ?? '';
  const line = stderr.split('\n').find((l) => /synchronous_commit/.test(l)) ?? '';
  return { code, stderr, line: line.slice(0, 200) };
}

async function startsAndCommits(options: Pick<StartRuntimeOptions, 'store' | 'extraArgs' | 'env'>): Promise<number> {
  const runtime = await startRuntimeProcess({ ...options, logLevel: 'warn', metrics: false });
  try {
    return await commitOne(runtime);
  } finally {
    await runtime.dispose();
  }
}

async function commitOne(runtime: RuntimeProcess): Promise<number> {
  const client = eventStoreClient(runtime.privatePort);
  try {
    const answer = await commitEvents(client, [
      { eventSource: crypto.randomUUID(), type: eventType, content: '{"durable":"?"}' },
    ]);
    assert.equal(answer.kind, 'acknowledged', JSON.stringify(answer));
    return answer.kind === 'acknowledged' ? (answer.sequenceNumbers[0] as number) : -1;
  } finally {
    client.close();
  }
}

async function tenantSchemas(url: string): Promise<string[]> {
  return withAdmin(url, async (client) => {
    const result = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY nspname",
    );
    return result.rows.map((r) => r.nspname);
  });
}

async function withAdmin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Bytes 18 and 19 of a SQLite header: 2 and 2 for a WAL database, 1 and 1 for a rollback-journal one. */
async function journalOf(file: string): Promise<'wal' | 'rollback' | string> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(20);
    await handle.read(header, 0, 20, 0);
    if (header[18] === 2 && header[19] === 2) return 'wal';
    if (header[18] === 1 && header[19] === 1) return 'rollback';
    return `unknown (${header[18]}, ${header[19]})`;
  } finally {
    await handle.close();
  }
}

/** Marks a (checkpointed) database as using a rollback journal, as `PRAGMA journal_mode = DELETE` would. */
async function markRollbackJournal(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    await handle.close();
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
