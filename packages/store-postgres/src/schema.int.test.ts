import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  asArtifactId,
  asCorrelationId,
  asEventSourceId,
  asTenantId,
  createGuid,
  defaultScope,
  developmentMicroservice,
  type EventLogSequenceNumber,
} from '@dolittle-ts/fundamentals';
import { safeIdentifier } from './identifiers.js';
import { openPostgresTenantStore } from './index.js';
import { dropSchemas, testConnectionString, uniquePrefix, withClient } from './postgres-for-tests.js';
import { migrate, schemaVersion } from './schema.js';

const prefix = uniquePrefix('sv');
after(() => dropSchemas(prefix));

test('a schema made by an older version is brought up to date at open, keeping its events', async () => {
  const tenantId = asTenantId(createGuid());
  const schema = safeIdentifier('schema', `${prefix}${tenantId.replaceAll('-', '')}`);
  await withClient((client) => migrate(client, schema, 1));
  const location = { connectionString: testConnectionString, schema };
  const commitOf = (generation: number) =>
    ({
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
          type: { id: asArtifactId(createGuid()), generation },
          public: false,
          content: '{}',
        },
      ],
    }) as const;

  const store = await openPostgresTenantStore(tenantId, location);
  await store.events.commit([commitOf(1), commitOf(4294967295)], { occurred: new Date() });
  const events = await store.events.read(defaultScope, { from: 0 as EventLogSequenceNumber, limit: 10 });
  assert.deepEqual(
    events.map((e) => e.type.generation),
    [1, 4294967295],
  );
  await store.close();
  const versions = await withClient((client) =>
    client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version ORDER BY version`),
  );
  assert.deepEqual(
    versions.rows.map((r) => r.version),
    Array.from({ length: schemaVersion }, (_, i) => i + 1),
  );
});

test('a schema newer than this version knows is refused', async () => {
  const tenantId = asTenantId(createGuid());
  const schema = safeIdentifier('schema', `${prefix}${tenantId.replaceAll('-', '')}`);
  await withClient(async (client) => {
    await migrate(client, schema);
    await client.query(`INSERT INTO "${schema}".schema_version (version) VALUES ($1)`, [schemaVersion + 1]);
  });
  await assert.rejects(openPostgresTenantStore(tenantId, { connectionString: testConnectionString, schema }), {
    code: 'StoreConsistency',
  });
});
