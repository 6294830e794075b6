import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { asTenantId, createGuid, defaultScope } from '@dolittle-ts/fundamentals';
import { createPostgresStoreProvider, defaultSchemaOf } from './index.js';
import { connectionStringFor, dropDatabase, uniquePrefix, withClient } from './postgres-for-tests.js';
import { schemaVersion } from './schema.js';

const database = uniquePrefix('dolittle_test_').slice(0, -1);
after(async () => {
  await dropDatabase(database);
  await dropDatabase(`${database}_missing`); // only there if the test failed
});

test('the database and the tenant schema are created on first use, and found again after', async () => {
  const connectionString = connectionStringFor(database);
  const tenantId = asTenantId(createGuid());
  const first = createPostgresStoreProvider({ connectionString });
  assert.equal(first.locationOf(tenantId), `postgres 127.0.0.1:5432/${database} schema ${defaultSchemaOf(tenantId)}`);
  const store = await first.open(tenantId);
  assert.equal(store.location, first.locationOf(tenantId));
  assert.equal(await store.events.nextSequenceNumber(defaultScope), 0);
  await store.close();
  await first.close();

  const schemas = await withClient(
    (client) => client.query(`SELECT version FROM "${defaultSchemaOf(tenantId)}".schema_version ORDER BY version`),
    connectionString,
  );
  assert.deepEqual(
    schemas.rows,
    Array.from({ length: schemaVersion }, (_, i) => ({ version: i + 1 })),
  );

  const second = createPostgresStoreProvider({ connectionString });
  const again = await second.open(tenantId);
  assert.equal(await again.events.nextSequenceNumber(defaultScope), 0);
  await second.close(); // closes the store it still has open, releasing its lock
  const third = createPostgresStoreProvider({ connectionString });
  await (await third.open(tenantId)).close();
  await third.close();
});

test('without createDatabase a missing database is StoreUnavailable naming it', async () => {
  const missing = `${database}_missing`;
  const provider = createPostgresStoreProvider({
    connectionString: connectionStringFor(missing),
    createDatabase: false,
  });
  await assert.rejects(provider.open(asTenantId(createGuid())), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'StoreUnavailable');
    assert.match(error.message, new RegExp(`${missing} does not exist`));
    return true;
  });
  await provider.close();
});
