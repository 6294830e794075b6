import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  asArtifactId,
  asCorrelationId,
  asEventSourceId,
  asTenantId,
  createGuid,
  type DolittleError,
  defaultScope,
  developmentMicroservice,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { Commit } from '@dolittle-ts/store';
import { createPostgresStoreProvider, openPostgresTenantStore } from './index.js';
import { dropSchemas, testConnectionString, uniquePrefix, writerPids } from './postgres-for-tests.js';

/* What the shared conformance suite cannot know: explicit locations, the lock's message, name checks. */

const prefix = uniquePrefix('op');
const schemaOf = (tenantId: TenantId) => `${prefix}${tenantId.replaceAll('-', '')}`;
after(() => dropSchemas(prefix));

const commitOf = (tenantId: TenantId): Commit => ({
  kind: 'events',
  executionContext: {
    microserviceId: developmentMicroservice,
    tenantId,
    version: { major: 1, minor: 0, patch: 0, build: 0, preRelease: '' },
    correlationId: asCorrelationId(createGuid()),
    claims: [],
    environment: 'Test',
  },
  events: [
    {
      eventSourceId: asEventSourceId(createGuid()),
      type: { id: asArtifactId(createGuid()), generation: 1 },
      public: false,
      content: '{}',
    },
  ],
});
const occurred = new Date();

test('a store opened at an explicit location and one from a provider share the schema and its writer lock', async () => {
  const tenantId = asTenantId(createGuid());
  const schema = schemaOf(tenantId);
  const provider = createPostgresStoreProvider({ connectionString: testConnectionString, schemaOf });
  const explicit = await openPostgresTenantStore(tenantId, { connectionString: testConnectionString, schema });
  assert.equal(explicit.location, provider.locationOf(tenantId));
  assert.equal(explicit.location, `postgres 127.0.0.1:5432/test schema ${schema}`);
  await explicit.events.commit([commitOf(tenantId)], { occurred });

  const [holder] = await writerPids(schema);
  await assert.rejects(provider.open(tenantId), (error: DolittleError) => {
    assert.equal(error.code, 'StoreLocked');
    assert.match(error.message, new RegExp(`schema ${schema} in 127.0.0.1:5432/test is locked by another writer`));
    assert.match(error.message, new RegExp(`backend pid ${holder}`));
    return true;
  });
  await explicit.close();

  const store = await provider.open(tenantId);
  assert.equal(await store.events.nextSequenceNumber(defaultScope), 1);
  const [outcome] = await store.events.commit([commitOf(tenantId)], { occurred });
  assert.deepEqual(outcome?.ok && outcome.events.map((e) => e.sequenceNumber), [1]);
  await store.close();
  await provider.close();
  assert.deepEqual(await writerPids(schema), []);
});

test('schema names and tenant ids are checked before any SQL is sent', async () => {
  for (const schema of ['Tenant', 'a-b', '1abc', 'x'.repeat(64), 'pg_mine', 'a"; DROP TABLE x; --']) {
    await assert.rejects(
      openPostgresTenantStore(asTenantId(createGuid()), { connectionString: testConnectionString, schema }),
      {
        code: 'InvalidArgument',
      },
    );
  }
  const provider = createPostgresStoreProvider({ connectionString: testConnectionString });
  await assert.rejects(provider.open('not-a-guid' as TenantId), { code: 'InvalidArgument' });
  await provider.close();
});

test('a closed store and a closed provider refuse work', async () => {
  const tenantId = asTenantId(createGuid());
  const provider = createPostgresStoreProvider({ connectionString: testConnectionString, schemaOf });
  const store = await provider.open(tenantId);
  await store.close();
  await assert.rejects(store.events.commit([commitOf(tenantId)], { occurred }), { code: 'StoreUnavailable' });
  await provider.close();
  await provider.close();
  await assert.rejects(provider.open(tenantId), { code: 'StoreUnavailable' });
});
