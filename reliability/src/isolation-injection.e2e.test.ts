/*
 * Isolation and injection, on both stores: two tenants write events, aggregate events, projection read models and
 * embeddings under the same ids and with hostile strings (SQL injection, `$1`, NUL, unicode, 100,000 characters) in
 * every string field a client controls: event content, projection keys, embedding keys and states, claims,
 * environment and version strings. Through every read path over gRPC, a tenant sees only its own data; an unknown
 * tenant is refused with a failure naming it; every hostile string is read back verbatim or refused with a clear
 * failure; and afterwards the store, opened directly, holds exactly what was acknowledged.
 *
 * RELIABILITY_ROUNDS (default 8) sets how many random full-unicode strings join the fixed hostile ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConfigDir, type RuntimeProcess, startRuntimeProcess, writeConfigDir } from '@dolittle-ts/compat/harness';
import { type Guid, guidFromBytes, type TenantId } from '@dolittle-ts/fundamentals';
import {
  Aggregate,
  artifact,
  type CallRequestContext,
  Claim,
  CommitAggregateEventsRequest,
  CommitAggregateEventsResponse,
  CommitEventsRequest,
  CommitEventsResponse,
  callContext,
  connectEventHandlerHead,
  EmbeddingGetAllRequest,
  EmbeddingGetAllResponse,
  EmbeddingGetKeysRequest,
  EmbeddingGetKeysResponse,
  EmbeddingGetOneRequest,
  EmbeddingGetOneResponse,
  FetchForAggregateRequest,
  FetchForAggregateResponse,
  GetAllRequest,
  GetAllResponse,
  GetOneRequest,
  GetOneResponse,
  guidToUuid,
  type HandledEvent,
  ProjectionCurrentStateType,
  UncommittedAggregateEvents,
  UpdateRequest,
  UpdateResponse,
  uncommittedEvent,
} from '@dolittle-ts/runtime/testing';
import fc from 'fast-check';
import { failureName } from './clear-answers.js';
import { GrpcConnection } from './grpc-wire.js';
import { connectEmbeddingHead, connectProjectionHead, type Head } from './reverse-call-heads.js';
import { reliabilityRounds } from './rounds.js';
import { snapshotEventLog } from './store-snapshot.js';
import { type StoreUnderTest, storesUnderTest } from './stores.js';

const randomStrings = reliabilityRounds(8);

/** Strings that break naive SQL, format strings, templates, encodings and size assumptions. */
const hostile: readonly string[] = [
  ...new Set([
    "'; DROP TABLE events; --",
    "Robert'); DROP TABLE students;--",
    '" OR ""="',
    '$1',
    '$1::text); SELECT pg_sleep(10); --',
    '?; DELETE FROM aggregates WHERE 1=1',
    '%s%s%n%x',
    '\\\'\\"\\\\',
    'a\u0000b',
    '\u0000',
    'Ωмир 😀 \u202e\ufeff 日本語 e\u0301',
    '<script>alert(1)</script>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
    '{{7*7}} ${7*7}',
    '\r\n\t',
    'x'.repeat(100_000),
    ...fc.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), { numRuns: randomStrings, seed: 7 }),
  ]),
];

const ids = {
  eventType: '3e1f5c2a-7b4d-4e6f-8a9b-0c1d2e3f4a5b' as Guid,
  embeddingEventType: '4f2a6d3b-8c5e-4f70-9bac-1d2e3f4a5b6c' as Guid,
  aggregateRoot: '5a3b7e4c-9d6f-4081-acbd-2e3f4a5b6c7d' as Guid,
  eventSource: '6b4c8f5d-ae70-4192-bdce-3f4a5b6c7d8e' as Guid,
  eventHandler: '7c5d9a6e-bf81-42a3-8edf-4a5b6c7d8e9f' as Guid,
  projection: '8d6eab7f-c092-43b4-9fe0-5b6c7d8e9fa0' as Guid,
  embedding: '9e7fbc80-d1a3-44c5-a0f1-6c7d8e9fa0b1' as Guid,
};

/** Which tenant wrote it, in each document; tenant B's keys are prefixed, so a key of A's is never one of B's. */
interface Owned {
  readonly owner: string;
  readonly key: string;
  readonly text: string;
}

for (const create of storesUnderTest) {
  const storeName = create.name.replace('UnderTest', '');
  describe(`isolation and injection (${storeName})`, () => {
    const tenantA = crypto.randomUUID() as TenantId;
    const tenantB = crypto.randomUUID() as TenantId;
    const keyOf = (tenant: TenantId, text: string) => (tenant === tenantA ? text : `B:${text}`);
    let store: StoreUnderTest;
    let config: ConfigDir;
    let runtime: RuntimeProcess;
    let connection: GrpcConnection;
    const heads: { close(): void }[] = [];

    before(async () => {
      store = await create();
      config = writeConfigDir({ tenants: [tenantA, tenantB] });
      runtime = await startRuntimeProcess({
        store: store.runtimeStore,
        configDir: config.path,
        logLevel: 'warn',
        metrics: false,
      });
      connection = new GrpcConnection(runtime.privatePort);
    });
    after(async () => {
      for (const head of heads) head.close();
      connection?.close();
      await runtime?.dispose();
      config?.remove();
      await store?.dispose();
    });

    it('keeps each tenant to its own data and stores hostile strings verbatim or refuses them', {
      timeout: 300_000,
    }, async (t) => {
      const handled: HandledEvent[] = [];
      const handler = connectEventHandlerHead({
        port: runtime.privatePort,
        eventHandlerId: ids.eventHandler,
        types: [ids.eventType],
        partitioned: true,
        handle: (event) => {
          handled.push(event);
          return undefined;
        },
      });
      heads.push(handler);
      const projection = connectProjectionHead(connection, {
        projectionId: ids.projection,
        eventType: ids.eventType,
        propertyName: 'key',
        initialState: '{"initial":true}',
        project: ({ content, key }) => {
          const event = JSON.parse(content) as Owned;
          return JSON.stringify({ owner: event.owner, key, text: event.text });
        },
      });
      const embedding = connectEmbeddingHead(connection, {
        embeddingId: ids.embedding,
        eventType: ids.embeddingEventType,
        initialState: '{"initial":true}',
      });
      heads.push(projection, embedding);
      for (const head of [handler, projection, embedding] as Head[]) assert.equal(await head.registered, undefined);

      const refusals: string[] = [];
      const accepted = new Map<TenantId, { events: Owned[]; aggregate: Owned[]; embeddings: Owned[] }>();
      for (const tenant of [tenantA, tenantB]) {
        const mine = { events: [] as Owned[], aggregate: [] as Owned[], embeddings: [] as Owned[] };
        accepted.set(tenant, mine);
        for (const text of hostile) {
          const owned: Owned = { owner: tenant, key: keyOf(tenant, text), text };
          const content = JSON.stringify(owned);
          const context = hostileContext(tenant, text);
          const commit = await commitEvents(connection, context, content);
          if (record(refusals, 'Commit', text, commit)) mine.events.push(owned);
          const aggregate = await commitAggregate(
            connection,
            hostileContext(tenant, text),
            mine.aggregate.length,
            content,
          );
          if (record(refusals, 'CommitForAggregate', text, aggregate)) mine.aggregate.push(owned);
          const update = await updateEmbedding(connection, tenant, owned.key, JSON.stringify(owned));
          if (record(refusals, 'Embeddings.Update', text, update)) mine.embeddings.push(owned);
        }
      }

      // Events and aggregates: each tenant reads back exactly its own commits, verbatim, on the same aggregate ids.
      for (const [tenant, mine] of accepted) {
        const fetched = await fetchAggregate(connection, tenant);
        assert.deepEqual(
          fetched.map((e) => e.content),
          mine.aggregate.map((o) => JSON.stringify(o)),
          `tenant ${tenant} reads exactly its own aggregate events, verbatim`,
        );
        for (const event of fetched) {
          const text = (JSON.parse(event.content) as Owned).text;
          assert.deepEqual(event.claims, [{ key: text, value: text, valueType: text }], 'claims come back verbatim');
          assert.equal(event.environment, text, 'the environment comes back verbatim');
          assert.equal(event.preRelease, text, 'the version pre-release string comes back verbatim');
          assert.equal(event.tenant, tenant, 'the event carries its own tenant');
        }
      }

      // The event handler is called per tenant with that tenant's events only.
      const expectedHandled = [...accepted.values()].reduce((n, m) => n + m.events.length + m.aggregate.length, 0);
      await waitUntil(() => handled.length >= expectedHandled, 60_000);
      for (const event of handled) {
        const owner = (JSON.parse(event.content) as Owned).owner;
        assert.equal(owner, event.tenant, `an event of ${owner} was handled under tenant ${event.tenant}`);
      }

      // Projection read models: keys are hostile strings, each tenant sees only its own.
      for (const [tenant, mine] of accepted) {
        const expectedKeys = new Set([...mine.events, ...mine.aggregate].map((o) => o.key));
        let all = await projectionGetAll(connection, tenant);
        await waitUntil(async () => {
          all = await projectionGetAll(connection, tenant);
          return all.size >= expectedKeys.size;
        }, 60_000);
        assert.deepEqual(new Set(all.keys()), expectedKeys, `tenant ${tenant}'s projection keys, verbatim`);
        for (const [key, state] of all) {
          const model = JSON.parse(state) as Owned;
          assert.equal(model.owner, tenant, `tenant ${tenant} sees a read model of ${model.owner}`);
          assert.equal(model.key, key);
        }
      }
      const onlyA = accepted.get(tenantA)?.events[0];
      assert.ok(onlyA, 'tenant A committed at least one event');
      const crossRead = await projectionGetOne(connection, tenantB, onlyA.key);
      assert.equal(crossRead.type, ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE, "B reading A's key");
      assert.equal(crossRead.state, '{"initial":true}');

      // Embeddings: keys and states verbatim, never across tenants.
      for (const [tenant, mine] of accepted) {
        const keys = await embeddingKeys(connection, tenant);
        assert.deepEqual(
          new Set(keys),
          new Set(mine.embeddings.map((o) => o.key)),
          `tenant ${tenant}'s embedding keys`,
        );
        const all = await embeddingGetAll(connection, tenant);
        for (const { key, state } of all) {
          const model = JSON.parse(state) as Owned;
          assert.equal(model.owner, tenant, `tenant ${tenant} sees an embedding of ${model.owner}`);
          assert.equal(model.key, key, 'the embedding state comes back verbatim');
        }
      }
      const onlyAEmbedding = accepted.get(tenantA)?.embeddings[0];
      assert.ok(onlyAEmbedding);
      const crossEmbedding = await embeddingGetOne(connection, tenantB, onlyAEmbedding.key);
      assert.equal(crossEmbedding.type, ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE, "B reading A's key");

      // An unknown tenant is refused, by name, on every unary path.
      const unknown = crypto.randomUUID() as TenantId;
      const refusedUnknown = await unknownTenantAnswers(connection, unknown);
      for (const [method, failure] of refusedUnknown) {
        assert.ok(failure, `${method} for an unknown tenant was not refused`);
        assert.equal(failure.name, 'UnknownTenant', `${method}: ${failure.reason}`);
        assert.match(failure.reason, new RegExp(unknown), `${method} names the unknown tenant`);
      }

      // The store, opened directly, holds exactly what was acknowledged: tables intact, nothing executed.
      for (const head of heads) head.close();
      connection.close();
      await runtime.stop();
      const provider = store.openDirectly(runtime.dataDir);
      const counts: string[] = [];
      try {
        for (const [tenant, mine] of accepted) {
          const log = await snapshotEventLog(provider, tenant);
          const contents = (log.events as { content: string }[]).map((e) => e.content);
          const owners = new Set(contents.map((c) => (JSON.parse(c) as { owner?: string; state?: string }).owner));
          owners.delete(undefined);
          assert.deepEqual([...owners], [tenant], `tenant ${tenant}'s event log holds only its events`);
          const expected = mine.events.length + mine.aggregate.length + mine.embeddings.length;
          assert.equal(log.count, expected, `tenant ${tenant}: every acknowledged event, nothing else`);
          for (const o of [...mine.events, ...mine.aggregate]) {
            assert.ok(contents.includes(JSON.stringify(o)), 'each acknowledged content is stored verbatim');
          }
          counts.push(`${tenant.slice(0, 8)}: ${log.count} events`);
        }
      } finally {
        await provider.close();
      }
      t.diagnostic(
        `${storeName}: ${hostile.length} hostile strings × 2 tenants through Commit (content, claims, environment, version), CommitForAggregate (same aggregate ids in both tenants), projection keys/states and Embeddings.Update keys/states; read back through FetchForAggregate, the event handler (${handled.length} calls), Projections.GetOne/GetAll, EmbeddingStore.GetOne/GetKeys/GetAll: no cross-tenant read, every accepted string verbatim; unknown tenant refused on ${refusedUnknown.size} methods; store afterwards: ${counts.join(', ')}`,
      );
      t.diagnostic(`refused (clear failures): ${refusals.length === 0 ? 'none' : refusals.join(' | ')}`);
    });
  });
}

type Outcome = { ok: true } | { ok: false; name: string; reason: string };

/** Records a refusal (which must say why) and tells whether the write was accepted. */
function record(refusals: string[], method: string, text: string, outcome: Outcome): boolean {
  if (outcome.ok) return true;
  assert.ok(outcome.reason.trim() !== '', `${method} refused ${JSON.stringify(text.slice(0, 40))} without a reason`);
  assert.notEqual(
    outcome.name,
    'Other',
    `${method} refused ${JSON.stringify(text.slice(0, 40))} with an unclassified failure: ${outcome.reason}`,
  );
  refusals.push(`${method} ${JSON.stringify(text.slice(0, 24))}: ${outcome.name} "${outcome.reason.slice(0, 120)}"`);
  return false;
}

function hostileContext(tenant: TenantId, text: string): CallRequestContext {
  const context = callContext(tenant);
  const execution = context.getExecutioncontext();
  assert.ok(execution);
  const claim = new Claim();
  claim.setKey(text);
  claim.setValue(text);
  claim.setValuetype(text);
  execution.setClaimsList([claim]);
  execution.setEnvironment(text);
  execution.getVersion()?.setPrereleasestring(text);
  return context;
}

interface Decodable {
  getFailure(): { getId(): { getValue_asU8(): Uint8Array } | undefined; getReason(): string } | undefined;
}

async function unary<R extends Decodable>(
  connection: GrpcConnection,
  path: string,
  request: { serializeBinary(): Uint8Array },
  decode: (bytes: Uint8Array) => R,
): Promise<R> {
  const answer = await connection.unary(path, request.serializeBinary(), { timeoutMs: 30_000 });
  assert.equal(answer.status, 0, `${path}: ${answer.message}`);
  return decode(answer.messages[0] ?? Buffer.alloc(0));
}

function outcomeOf(response: Decodable): Outcome {
  const failure = response.getFailure();
  if (failure === undefined) return { ok: true };
  const id = Buffer.from(failure.getId()?.getValue_asU8() ?? []).toString('hex');
  return { ok: false, name: failureName({ id, reason: failure.getReason() }), reason: failure.getReason() };
}

async function commitEvents(connection: GrpcConnection, context: CallRequestContext, content: string) {
  const request = new CommitEventsRequest();
  request.setCallcontext(context);
  request.setEventsList([uncommittedEvent(crypto.randomUUID(), ids.eventType, content)]);
  return outcomeOf(
    await unary(connection, '/dolittle.runtime.events.EventStore/Commit', request, (b) =>
      CommitEventsResponse.deserializeBinary(b),
    ),
  );
}

async function commitAggregate(
  connection: GrpcConnection,
  context: CallRequestContext,
  version: number,
  content: string,
) {
  const request = new CommitAggregateEventsRequest();
  request.setCallcontext(context);
  const events = new UncommittedAggregateEvents();
  events.setAggregaterootid(guidToUuid(ids.aggregateRoot));
  events.setEventsourceid(guidToUuid(ids.eventSource));
  events.setExpectedaggregaterootversion(version);
  const event = new UncommittedAggregateEvents.UncommittedAggregateEvent();
  event.setArtifact(artifact(ids.eventType));
  event.setContent(content);
  events.setEventsList([event]);
  request.setEvents(events);
  return outcomeOf(
    await unary(connection, '/dolittle.runtime.events.EventStore/CommitForAggregate', request, (b) =>
      CommitAggregateEventsResponse.deserializeBinary(b),
    ),
  );
}

async function fetchAggregate(connection: GrpcConnection, tenant: TenantId) {
  const request = new FetchForAggregateRequest();
  request.setCallcontext(callContext(tenant));
  const aggregate = new Aggregate();
  aggregate.setAggregaterootid(guidToUuid(ids.aggregateRoot));
  aggregate.setEventsourceid(guidToUuid(ids.eventSource));
  request.setAggregate(aggregate);
  const response = await unary(connection, '/dolittle.runtime.events.EventStore/FetchForAggregate', request, (b) =>
    FetchForAggregateResponse.deserializeBinary(b),
  );
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  return (response.getEvents()?.getEventsList() ?? []).map((event) => {
    const context = event.getExecutioncontext();
    return {
      content: event.getContent(),
      tenant: guidFromBytes(context?.getTenantid()?.getValue_asU8() ?? new Uint8Array()),
      environment: context?.getEnvironment(),
      preRelease: context?.getVersion()?.getPrereleasestring(),
      claims: (context?.getClaimsList() ?? []).map((c) => ({
        key: c.getKey(),
        value: c.getValue(),
        valueType: c.getValuetype(),
      })),
    };
  });
}

async function updateEmbedding(connection: GrpcConnection, tenant: TenantId, key: string, state: string) {
  const request = new UpdateRequest();
  request.setCallcontext(callContext(tenant));
  request.setEmbeddingid(guidToUuid(ids.embedding));
  request.setKey(key);
  request.setState(state);
  return outcomeOf(
    await unary(connection, '/dolittle.runtime.embeddings.Embeddings/Update', request, (b) =>
      UpdateResponse.deserializeBinary(b),
    ),
  );
}

async function projectionGetAll(connection: GrpcConnection, tenant: TenantId): Promise<Map<string, string>> {
  const request = new GetAllRequest();
  request.setCallcontext(callContext(tenant));
  request.setScopeid(guidToUuid('00000000-0000-0000-0000-000000000000'));
  request.setProjectionid(guidToUuid(ids.projection));
  const response = await unary(connection, '/dolittle.runtime.projections.Projections/GetAll', request, (b) =>
    GetAllResponse.deserializeBinary(b),
  );
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  return new Map(response.getStatesList().map((s) => [s.getKey(), s.getState()]));
}

async function projectionGetOne(connection: GrpcConnection, tenant: TenantId, key: string) {
  const request = new GetOneRequest();
  request.setCallcontext(callContext(tenant));
  request.setScopeid(guidToUuid('00000000-0000-0000-0000-000000000000'));
  request.setProjectionid(guidToUuid(ids.projection));
  request.setKey(key);
  const response = await unary(connection, '/dolittle.runtime.projections.Projections/GetOne', request, (b) =>
    GetOneResponse.deserializeBinary(b),
  );
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  return { type: response.getState()?.getType(), state: response.getState()?.getState() };
}

async function embeddingKeys(connection: GrpcConnection, tenant: TenantId): Promise<string[]> {
  const request = new EmbeddingGetKeysRequest();
  request.setCallcontext(callContext(tenant));
  request.setEmbeddingid(guidToUuid(ids.embedding));
  const response = await unary(connection, '/dolittle.runtime.embeddings.EmbeddingStore/GetKeys', request, (b) =>
    EmbeddingGetKeysResponse.deserializeBinary(b),
  );
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  return response.getKeysList();
}

async function embeddingGetAll(connection: GrpcConnection, tenant: TenantId) {
  const request = new EmbeddingGetAllRequest();
  request.setCallcontext(callContext(tenant));
  request.setEmbeddingid(guidToUuid(ids.embedding));
  const response = await unary(connection, '/dolittle.runtime.embeddings.EmbeddingStore/GetAll', request, (b) =>
    EmbeddingGetAllResponse.deserializeBinary(b),
  );
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  return response.getStatesList().map((s) => ({ key: s.getKey(), state: s.getState() }));
}

async function embeddingGetOne(connection: GrpcConnection, tenant: TenantId, key: string) {
  const request = new EmbeddingGetOneRequest();
  request.setCallcontext(callContext(tenant));
  request.setEmbeddingid(guidToUuid(ids.embedding));
  request.setKey(key);
  const response = await unary(connection, '/dolittle.runtime.embeddings.EmbeddingStore/GetOne', request, (b) =>
    EmbeddingGetOneResponse.deserializeBinary(b),
  );
  assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  return { type: response.getState()?.getType(), state: response.getState()?.getState() };
}

/** Every unary read and write path, called for a tenant the Runtime does not have. */
async function unknownTenantAnswers(
  connection: GrpcConnection,
  unknown: TenantId,
): Promise<Map<string, { name: string; reason: string } | undefined>> {
  const answers = new Map<string, { name: string; reason: string } | undefined>();
  const note = (method: string, outcome: Outcome) => answers.set(method, outcome.ok ? undefined : outcome);
  const context = () => callContext(unknown);
  note('Commit', await commitEvents(connection, context(), '{"owner":"nobody"}'));
  note('CommitForAggregate', await commitAggregate(connection, context(), 0, '{"owner":"nobody"}'));
  note('Embeddings.Update', await updateEmbedding(connection, unknown, 'k', '{}'));
  const calls: [string, string, { serializeBinary(): Uint8Array }, (b: Uint8Array) => Decodable][] = [];
  const fetch = new FetchForAggregateRequest().setCallcontext(context());
  fetch.setAggregate(
    new Aggregate().setAggregaterootid(guidToUuid(ids.aggregateRoot)).setEventsourceid(guidToUuid(ids.eventSource)),
  );
  calls.push([
    'FetchForAggregate',
    '/dolittle.runtime.events.EventStore/FetchForAggregate',
    fetch,
    (b) => FetchForAggregateResponse.deserializeBinary(b),
  ]);
  calls.push([
    'Projections.GetOne',
    '/dolittle.runtime.projections.Projections/GetOne',
    new GetOneRequest().setCallcontext(context()).setProjectionid(guidToUuid(ids.projection)).setKey('k'),
    (b) => GetOneResponse.deserializeBinary(b),
  ]);
  calls.push([
    'Projections.GetAll',
    '/dolittle.runtime.projections.Projections/GetAll',
    new GetAllRequest().setCallcontext(context()).setProjectionid(guidToUuid(ids.projection)),
    (b) => GetAllResponse.deserializeBinary(b),
  ]);
  calls.push([
    'EmbeddingStore.GetOne',
    '/dolittle.runtime.embeddings.EmbeddingStore/GetOne',
    new EmbeddingGetOneRequest().setCallcontext(context()).setEmbeddingid(guidToUuid(ids.embedding)).setKey('k'),
    (b) => EmbeddingGetOneResponse.deserializeBinary(b),
  ]);
  calls.push([
    'EmbeddingStore.GetKeys',
    '/dolittle.runtime.embeddings.EmbeddingStore/GetKeys',
    new EmbeddingGetKeysRequest().setCallcontext(context()).setEmbeddingid(guidToUuid(ids.embedding)),
    (b) => EmbeddingGetKeysResponse.deserializeBinary(b),
  ]);
  calls.push([
    'EmbeddingStore.GetAll',
    '/dolittle.runtime.embeddings.EmbeddingStore/GetAll',
    new EmbeddingGetAllRequest().setCallcontext(context()).setEmbeddingid(guidToUuid(ids.embedding)),
    (b) => EmbeddingGetAllResponse.deserializeBinary(b),
  ]);
  for (const [method, path, request, decode] of calls) {
    note(method, outcomeOf(await unary(connection, path, request, decode)));
  }
  return answers;
}

/** Re-checks `condition` until it holds; the reads it makes are the only signal a test client has. */
async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
