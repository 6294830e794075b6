import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  type AggregateRootVersion,
  asAggregateRootId,
  asArtifactId,
  asCorrelationId,
  asEventSourceId,
  asTenantId,
  createGuid,
  defaultScope,
  developmentMicroservice,
  type EventLogSequenceNumber,
  type ExecutionContext,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { Commit, StoreProvider } from '@dolittle-ts/store';
import { createPostgresStoreProvider, openPostgresTenantStore } from './index.js';
import { dropSchemas, testConnectionString, uniquePrefix } from './postgres-for-tests.js';

const prefix = uniquePrefix('es');
const schemaOf = (tenantId: TenantId) => `${prefix}${tenantId.replaceAll('-', '')}`;
const providers: StoreProvider[] = [];
function provider(): StoreProvider {
  const p = createPostgresStoreProvider({ connectionString: testConnectionString, schemaOf });
  providers.push(p);
  return p;
}
after(async () => {
  for (const p of providers) await p.close();
  await dropSchemas(prefix);
});

const tenant = (): TenantId => asTenantId(createGuid());
const context = (tenantId: TenantId): ExecutionContext => ({
  microserviceId: developmentMicroservice,
  tenantId,
  version: { major: 1, minor: 2, patch: 3, build: 4, preRelease: 'beta' },
  correlationId: asCorrelationId(createGuid()),
  claims: [{ key: 'k', value: 'v', valueType: 't' }],
  environment: 'Development',
});
const type = { id: asArtifactId(createGuid()), generation: 2 };
const events = (tenantId: TenantId, contents: string[]): Commit => ({
  kind: 'events',
  executionContext: context(tenantId),
  events: contents.map((content) => ({ eventSourceId: asEventSourceId(createGuid()), type, public: false, content })),
});
const occurred = new Date('2024-05-06T07:08:09.123Z');

describe('postgres event store', () => {
  test('numbers events densely from 0 across batches and reads them back exactly', async () => {
    const tenantId = tenant();
    const store = await provider().open(tenantId);
    const tricky = [
      '{"a":1}',
      '{ "b" : [1, 2.50, 1e10],\n\t"c": null }',
      '{"quote":"\\"","backslash":"\\\\","unicode":"æøå 😀 \\u00e6","brace":"{}","comma":","}',
      `{"big":${'9'.repeat(40)}}`,
      '  {"padded":true}  ',
      '{"nul-escape":"\\u0000", "NULL": "NULL"}',
    ];
    const first = await store.events.commit([events(tenantId, tricky.slice(0, 2))], { occurred });
    const second = await store.events.commit(
      [events(tenantId, tricky.slice(2, 4)), events(tenantId, tricky.slice(4))],
      {
        occurred,
      },
    );
    const acknowledged = [...first, ...second].flatMap((o) => (o.ok ? o.events : []));
    assert.deepEqual(
      acknowledged.map((e) => e.sequenceNumber),
      [0, 1, 2, 3, 4, 5],
    );
    const read = await store.events.read(defaultScope, { from: 0 as EventLogSequenceNumber, limit: 100 });
    assert.deepEqual(read, acknowledged);
    assert.deepEqual(
      read.map((e) => e.content),
      tricky,
    );
    assert.equal(await store.events.nextSequenceNumber(defaultScope), 6);
    assert.deepEqual(
      (await store.events.read(defaultScope, { from: 4 as EventLogSequenceNumber, limit: 1 })).map((e) => e.content),
      [tricky[4]],
    );
    await store.close();
  });

  test('a conflicting commit in the middle of a batch writes nothing; the others go on', async () => {
    const tenantId = tenant();
    const store = await provider().open(tenantId);
    const aggregateRootId = asAggregateRootId(createGuid());
    const eventSourceId = asEventSourceId(createGuid());
    const aggregate = (expected: number, n: number): Commit => ({
      kind: 'aggregate',
      executionContext: context(tenantId),
      aggregateRootId,
      eventSourceId,
      expectedVersion: expected as AggregateRootVersion,
      events: Array.from({ length: n }, (_, i) => ({ type, public: true, content: `{"n":${i}}` })),
    });
    const outcomes = await store.events.commit(
      [aggregate(0, 2), aggregate(0, 1), events(tenantId, ['{}']), aggregate(2, 1), events(tenantId, [])],
      { occurred },
    );
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.events.map((e) => [e.sequenceNumber, e.aggregate?.version]) : o.failure)),
      [
        [
          [0, 0],
          [1, 1],
        ],
        { kind: 'AggregateRootConcurrencyConflict', expected: 0, actual: 2 },
        [[2, undefined]],
        [[3, 2]],
        { kind: 'NoEventsToCommit' },
      ],
    );
    assert.equal(await store.events.aggregateVersion(aggregateRootId, eventSourceId), 3);
    const fetched = await store.events.fetchForAggregate(aggregateRootId, eventSourceId);
    assert.equal(fetched.version, 3);
    assert.deepEqual(
      fetched.events.map((e) => e.sequenceNumber),
      [0, 1, 3],
    );
    assert.deepEqual(fetched.events[2], outcomes[3]?.ok ? outcomes[3].events[0] : undefined);
    const none = await store.events.fetchForAggregate(aggregateRootId, asEventSourceId(createGuid()));
    assert.deepEqual(none, { version: 0, events: [] });
    await store.close();
  });

  test('a second provider cannot open a tenant another one has open, and can once it is closed', async () => {
    const tenantId = tenant();
    const store = await provider().open(tenantId);
    const other = provider();
    await assert.rejects(other.open(tenantId), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'StoreLocked');
      assert.match(error.message, new RegExp(schemaOf(tenantId)));
      return true;
    });
    await assert.rejects(
      openPostgresTenantStore(tenantId, { connectionString: testConnectionString, schema: schemaOf(tenantId) }),
      { code: 'StoreLocked' },
    );
    await store.events.commit([events(tenantId, ['{"before":true}'])], { occurred });
    await store.close();
    await store.close();
    const reopened = await other.open(tenantId);
    const [outcome] = await reopened.events.commit([events(tenantId, ['{"after":true}'])], { occurred });
    assert.equal(outcome?.ok && outcome.events[0]?.sequenceNumber, 1);
    await reopened.close();
  });

  test('concurrent commit calls are serialised into dense numbers', async () => {
    const tenantId = tenant();
    const store = await provider().open(tenantId);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.events.commit([events(tenantId, [`{"i":${i}}`, '{}'])], { occurred })),
    );
    const numbers = results.flatMap((r) => r.flatMap((o) => (o.ok ? o.events.map((e) => e.sequenceNumber) : [])));
    assert.deepEqual(
      numbers.sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    await store.close();
  });

  test('schema names are checked against the allow-list before any SQL is sent', async () => {
    for (const schema of ['Tenant', 'a-b', '1abc', 'x'.repeat(64), 'pg_mine', 'a"; DROP TABLE x; --']) {
      await assert.rejects(openPostgresTenantStore(tenant(), { connectionString: testConnectionString, schema }), {
        code: 'InvalidArgument',
      });
    }
  });
});
