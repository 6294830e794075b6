import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UnsafeDurability } from '@dolittle-ts/fundamentals';
import { eventsCommit, newTenantId } from '@dolittle-ts/store/conformance';
import { createSqliteStoreProvider, openSqliteTenantStore } from './index.js';

/** Bytes 18 and 19 of a SQLite file header are 2 when the file is in WAL mode. */
async function headerSaysWal(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(100);
    await handle.read(header, 0, 100, 0);
    return header[18] === 2 && header[19] === 2;
  } finally {
    await handle.close();
  }
}

describe('sqlite durability settings', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dolittle-sqlite-durability-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('a file store runs in WAL mode with synchronous=FULL', async () => {
    const file = join(directory, 'nested', 'durable.sqlite');
    const store = await openSqliteTenantStore(newTenantId(), { file });
    assert.deepEqual(store.durability, { journalMode: 'wal', synchronous: 'FULL' });
    await store.events.commit([eventsCommit(1)], { occurred: new Date() });
    await store.close();
    assert.ok(await headerSaysWal(file), 'the file is marked as a WAL database');
  });

  // SQLite cannot put these in WAL mode: ":memory:" lives in memory, "" is a private temporary file.
  for (const file of [':memory:', '']) {
    it(`refuses to open ${JSON.stringify(file)} as a file store, whose journal cannot be WAL`, async () => {
      await assert.rejects(openSqliteTenantStore(newTenantId(), { file }), (error) => {
        assert.ok(error instanceof UnsafeDurability);
        assert.match(error.message, /journal_mode=(memory|delete)/);
        assert.match(error.message, /journal_mode=wal and synchronous=FULL/);
        return true;
      });
    });
  }

  it('opens anyway when unsafe durability is allowed, and reports what it got', async () => {
    const store = await openSqliteTenantStore(newTenantId(), { file: ':memory:' }, { allowUnsafeDurability: true });
    assert.equal(store.durability.journalMode, 'memory');
    await store.close();
  });

  it('the provider applies the same check to configured files', async () => {
    const tenant = newTenantId();
    const strict = createSqliteStoreProvider({ fileOf: () => ':memory:' });
    await assert.rejects(strict.open(tenant), UnsafeDurability);
    const lenient = createSqliteStoreProvider({ fileOf: () => ':memory:', allowUnsafeDurability: true });
    const store = await lenient.open(tenant);
    await store.close();
    await Promise.all([strict.close(), lenient.close()]);
  });
});
