import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  asTenantId,
  defaultScope,
  InvalidArgument,
  StoreConsistency,
  StoreLocked,
  StoreUnavailable,
} from '@dolittle-ts/fundamentals';
import {
  committedEvents,
  embeddingPorts,
  embeddingState,
  eventsCommit,
  filtered,
  filterKeyOf,
  newConsentId,
  newReadModelSet,
  newSubscriptionKey,
  newTenantId,
  privateStream,
  processingPorts,
  projectionPorts,
  projectionProcessorKey,
  readAll,
  readStream,
  receivedEvents,
  replaceReadModel,
  streamPosition,
  unpartitionedState,
} from '@dolittle-ts/store/conformance';
import Database from 'better-sqlite3';
import { createSqliteStoreProvider, openSqliteTenantStore } from './index.js';
import { migrate, schemaVersion } from './schema.js';
import { SqliteDefinitions } from './sqlite-definitions.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { SqliteStreamProcessorStates } from './sqlite-stream-processor-states.js';

describe('opening sqlite stores', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dolittle-sqlite-open-'));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('opens each tenant at its configured file, creating folders, and names it in location', async () => {
    const tenant = newTenantId();
    const file = join(directory, 'configured', 'deep', 'tenant.sqlite');
    const provider = createSqliteStoreProvider({ fileOf: (t) => (t === tenant ? file : join(directory, 'other')) });
    assert.equal(provider.locationOf(tenant), `sqlite file ${file}`);
    const store = await provider.open(tenant);
    assert.equal(store.location, `sqlite file ${file}`);
    await store.events.commit([eventsCommit(2)], { occurred: new Date() });
    await provider.close();
    const reopened = await openSqliteTenantStore(tenant, { file });
    assert.equal(await reopened.events.nextSequenceNumber(defaultScope), 2);
    await reopened.close();
  });

  it('puts a directory tenant in <directory>/<tenantId>.sqlite and refuses ids that are not GUIDs', async () => {
    const provider = createSqliteStoreProvider({ directory });
    const tenant = newTenantId();
    assert.equal(provider.locationOf(tenant), `sqlite file ${join(directory, `${tenant}.sqlite`)}`);
    for (const bad of ['../../etc/passwd', 'NOT-A-GUID', tenant.toUpperCase()]) {
      await assert.rejects(provider.open(asTenantId(bad as never)), InvalidArgument);
    }
    await provider.close();
  });

  it('refuses a file written by a newer Runtime', async () => {
    const file = join(directory, 'newer.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    await assert.rejects(openSqliteTenantStore(newTenantId(), { file }), (error) => {
      assert.ok(error instanceof StoreConsistency);
      assert.match(error.message, /schema version 99/);
      return true;
    });
  });

  it('upgrades a file of schema version 1 in place, keeping its events', async () => {
    const file = join(directory, 'version-1.sqlite');
    const tenant = newTenantId();
    const db = new Database(file);
    migrate(db, file, 1);
    const committed = (
      await new SqliteEventStore(db, file).commit([eventsCommit(3)], { occurred: new Date() })
    ).flatMap(committedEvents);
    db.close();

    const store = await openSqliteTenantStore(tenant, { file });
    assert.deepEqual(await readAll(store.events), committed);
    const stream = privateStream();
    await store.streams.append(stream, filtered([0, 2]), { key: filterKeyOf(stream), state: unpartitionedState(3) });
    assert.deepEqual(
      (await readStream(store.streams, stream)).map((e) => e.event),
      [committed[0], committed[2]],
    );
    await store.definitions.set('filter', defaultScope, stream.stream, '{"types":[]}');
    await store.close();

    const upgraded = new Database(file, { readonly: true });
    assert.equal(upgraded.pragma('user_version', { simple: true }), schemaVersion);
    upgraded.close();
    const reopened = await openSqliteTenantStore(tenant, { file });
    assert.equal(await reopened.streams.nextPosition(stream), 2);
    assert.equal(await reopened.definitions.get('filter', defaultScope, stream.stream), '{"types":[]}');
    await reopened.close();
  });

  it('upgrades a file of schema version 2 in place, keeping its processor states and definitions', async () => {
    const file = join(directory, 'version-2.sqlite');
    const tenant = newTenantId();
    const set = newReadModelSet();
    const key = projectionProcessorKey(set);
    const db = new Database(file);
    migrate(db, file, 2);
    await new SqliteStreamProcessorStates(db, file).set(key, unpartitionedState(4));
    await new SqliteDefinitions(db, file).set('projection', set.scope, set.projectionId, '{"initialState":"{}"}');
    db.close();

    const store = await openSqliteTenantStore(tenant, { file });
    assert.deepEqual(await store.processorStates.get(key), unpartitionedState(4));
    assert.equal(await store.definitions.get('projection', set.scope, set.projectionId), '{"initialState":"{}"}');
    await store.projections.apply(set, [replaceReadModel('k', '{"n":5}')], { key, state: unpartitionedState(5) });
    await store.embeddings.set(set.projectionId, 'k', embeddingState('{"e":1}', 1));
    await store.close();

    const upgraded = new Database(file, { readonly: true });
    assert.equal(upgraded.pragma('user_version', { simple: true }), schemaVersion);
    upgraded.close();
    const reopened = await openSqliteTenantStore(tenant, { file });
    assert.equal(await reopened.projections.get(set, 'k'), '{"n":5}');
    assert.deepEqual(await reopened.processorStates.get(key), unpartitionedState(5));
    assert.deepEqual(await reopened.embeddings.get(set.projectionId, 'k'), embeddingState('{"e":1}', 1));
    await reopened.close();
  });

  it('upgrades a file of schema version 3 in place: receiving goes on numbering its logs', async () => {
    const file = join(directory, 'version-3.sqlite');
    const tenant = newTenantId();
    const db = new Database(file);
    migrate(db, file, 3);
    const committed = (
      await new SqliteEventStore(db, file).commit([eventsCommit(2)], { occurred: new Date() })
    ).flatMap(committedEvents);
    db.close();

    const store = await openSqliteTenantStore(tenant, { file });
    const [scoped, unscoped] = [newSubscriptionKey(), newSubscriptionKey({ scope: defaultScope })];
    const options = { consentId: newConsentId(), received: new Date() };
    const intoScope = await store.subscriptions.receive(scoped, streamPosition(0), receivedEvents([0, 1]), options);
    const intoDefault = await store.subscriptions.receive(unscoped, streamPosition(0), receivedEvents([3]), options);
    assert.deepEqual(
      [...intoScope, ...intoDefault].map((e) => e.sequenceNumber),
      [0, 1, 2],
    );
    assert.deepEqual(await readAll(store.events), [...committed, ...intoDefault]);
    await store.close();

    const upgraded = new Database(file, { readonly: true });
    assert.equal(upgraded.pragma('user_version', { simple: true }), schemaVersion);
    upgraded.close();
    const reopened = await openSqliteTenantStore(tenant, { file });
    assert.equal(await reopened.subscriptions.position(scoped), 2);
    assert.equal(await reopened.subscriptions.position(unscoped), 4);
    assert.equal(await reopened.events.nextSequenceNumber(scoped.scope), 2);
    await reopened.close();
  });

  it('refuses a file that is not a SQLite database', async () => {
    const file = join(directory, 'garbage.sqlite');
    await writeFile(file, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    await assert.rejects(openSqliteTenantStore(newTenantId(), { file }), StoreConsistency);
  });

  it('a memory provider refuses a second open of an open tenant and keeps tenants apart', async () => {
    const provider = createSqliteStoreProvider({ memory: true });
    const tenant = newTenantId();
    const store = await provider.open(tenant);
    assert.equal(store.location, `sqlite memory (tenant ${tenant})`);
    await assert.rejects(provider.open(tenant), StoreLocked);
    await store.close();
    const again = await provider.open(tenant);
    assert.equal(await again.events.nextSequenceNumber(defaultScope), 0, 'memory does not outlive its store');
    await provider.close();
    await again.close();
  });

  it('a closed store answers with StoreUnavailable, and a closed provider opens nothing', async () => {
    const provider = createSqliteStoreProvider({ memory: true });
    const store = await provider.open(newTenantId());
    await provider.close();
    await assert.rejects(store.events.commit([eventsCommit(1)], { occurred: new Date() }), StoreUnavailable);
    await assert.rejects(store.events.read(defaultScope, { from: 0 as never, limit: 1 }), StoreUnavailable);
    const { streams, processorStates, definitions } = processingPorts(store);
    const stream = privateStream();
    await assert.rejects(streams.read(stream, { from: 0 as never, limit: 1 }), StoreUnavailable);
    await assert.rejects(
      streams.append(stream, [], { key: filterKeyOf(stream), state: unpartitionedState(0) }),
      StoreUnavailable,
    );
    await assert.rejects(processorStates.set(filterKeyOf(stream), unpartitionedState(0)), StoreUnavailable);
    await assert.rejects(processorStates.all(), StoreUnavailable);
    await assert.rejects(definitions.get('filter', defaultScope, stream.stream), StoreUnavailable);
    const { projections } = projectionPorts(store);
    const set = newReadModelSet();
    await assert.rejects(projections.getAll(set), StoreUnavailable);
    await assert.rejects(
      projections.apply(set, [], { key: projectionProcessorKey(set), state: unpartitionedState(0) }),
      StoreUnavailable,
    );
    const { embeddings } = embeddingPorts(store);
    await assert.rejects(embeddings.get(set.projectionId, 'k'), StoreUnavailable);
    await assert.rejects(embeddings.set(set.projectionId, 'k', embeddingState('{}', 0)), StoreUnavailable);
    await assert.rejects(provider.open(newTenantId()), StoreUnavailable);
  });

  it('an aborted open opens nothing', async () => {
    const provider = createSqliteStoreProvider({ directory });
    const tenant = newTenantId();
    await assert.rejects(provider.open(tenant, { signal: AbortSignal.abort() }), { name: 'AbortError' });
    const store = await provider.open(tenant);
    await provider.close();
    await store.close();
  });
});
