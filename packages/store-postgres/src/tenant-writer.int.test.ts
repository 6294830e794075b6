import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { after, test } from 'node:test';
import { safeIdentifier } from './identifiers.js';
import { dropSchemas, testConnectionString, uniquePrefix } from './postgres-for-tests.js';
import { TenantWriter } from './tenant-writer.js';

const prefix = uniquePrefix('writer');
after(() => dropSchemas(prefix));

/** Counts the socket writes (system calls' worth) made while `run` runs, by the socket method that makes them. */
async function countingWrites(run: () => Promise<unknown>): Promise<number> {
  const prototype = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const write = prototype._write;
  const writev = prototype._writev;
  let writes = 0;
  prototype._write = function (this: unknown, ...args: unknown[]) {
    writes++;
    return write.apply(this, args);
  };
  prototype._writev = function (this: unknown, ...args: unknown[]) {
    writes++;
    return writev.apply(this, args);
  };
  try {
    await run();
  } finally {
    prototype._write = write;
    prototype._writev = writev;
  }
  return writes;
}

test("a transaction's statements reach PostgreSQL in one write, and it commits", async () => {
  const schema = safeIdentifier('schema', `${prefix}_one_write`);
  const writer = await TenantWriter.open({
    connectionString: testConnectionString,
    schema,
    where: 'test',
    allowUnsafeDurability: false,
    createDatabase: false,
  });
  try {
    await writer.transact('creating a table', [{ text: `CREATE TABLE ${schema}.notes (n int PRIMARY KEY)` }]);
    const writes = await countingWrites(() =>
      writer.transact('writing two notes', [
        { text: `INSERT INTO ${schema}.notes VALUES ($1)`, values: [1] },
        { text: `INSERT INTO ${schema}.notes VALUES ($1)`, values: [2] },
      ]),
    );
    assert.equal(writes, 1, 'BEGIN, both statements and COMMIT go out together');
    const [counted] = await writer.transact('counting', [{ text: `SELECT count(*)::int AS n FROM ${schema}.notes` }]);
    assert.equal(counted?.rows[0]?.n, 2);
  } finally {
    await writer.close();
  }
});
