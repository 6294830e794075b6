import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { asTenantId, createGuid, type TenantId } from '@dolittle-ts/fundamentals';
import { durabilityProblems } from './durability.js';
import { openPostgresTenantStore } from './index.js';
import { dropSchemas, testConnectionString, uniquePrefix } from './postgres-for-tests.js';

const prefix = uniquePrefix('du');
after(() => dropSchemas(prefix));

/** The test server runs safely; a session can still turn synchronous_commit off, and the writer sees that. */
function withSessionOption(option: string): string {
  const url = new URL(testConnectionString);
  url.searchParams.set('options', `-c ${option}`);
  return url.toString();
}

test('a session with synchronous_commit off is refused with UnsafeDurability unless allowed', async () => {
  const tenantId: TenantId = asTenantId(createGuid());
  const location = {
    connectionString: withSessionOption('synchronous_commit=off'),
    schema: `${prefix}${tenantId.replaceAll('-', '')}`,
  };
  await assert.rejects(openPostgresTenantStore(tenantId, location), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'UnsafeDurability');
    assert.match(error.message, /synchronous_commit is off/);
    return true;
  });
  const store = await openPostgresTenantStore(tenantId, location, { allowUnsafeDurability: true });
  await store.close();
});

test('synchronous_commit local or remote_* and fsync on are safe; fsync off is not', () => {
  assert.deepEqual(durabilityProblems({ fsync: 'on', synchronousCommit: 'on' }), []);
  assert.deepEqual(durabilityProblems({ fsync: 'on', synchronousCommit: 'local' }), []);
  assert.deepEqual(durabilityProblems({ fsync: 'on', synchronousCommit: 'remote_apply' }), []);
  assert.equal(durabilityProblems({ fsync: 'off', synchronousCommit: 'on' }).length, 1);
  assert.equal(durabilityProblems({ fsync: 'off', synchronousCommit: 'off' }).length, 2);
});
