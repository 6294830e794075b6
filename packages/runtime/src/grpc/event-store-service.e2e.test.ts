import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { developmentTenant, guidFromBytes } from '@dolittle-ts/fundamentals';
import { type ServiceError, status } from '@grpc/grpc-js';
import type { RunningRuntime } from '../server.js';
import {
  artifact,
  callContext,
  type EventStoreClient,
  eventStoreClient,
  startTestRuntime,
  testConfig,
  uncommittedEvent,
} from '../testing/runtime-fixture.js';
import {
  Aggregate,
  CommitAggregateEventsRequest,
  type CommitAggregateEventsResponse,
  CommitEventsRequest,
  type CommitEventsResponse,
  FetchForAggregateRequest,
  type FetchForAggregateResponse,
  UncommittedAggregateEvents,
  Uuid,
} from './contracts.js';
import { guidToUuid } from './convert.js';

const otherTenant = '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const eventType = '1844473f-d714-4327-8b7f-5b3c2bdfc26a';
const source = 'a2e1c3f0-0000-4000-8000-000000000001';
const failureIds = {
  invalidArgument: '0d18fb1e-c812-4150-a110-9fe9bf3dd7b7',
  unknownTenant: '51413826-03a5-4870-845c-d9c69ad06e49',
  conflict: 'f25cccfb-3ae1-4969-bee6-906370ffbc2d',
  noEvents: 'ef3f1a42-9bc3-4d98-aa2a-942db7c56ac1',
};

function failureOf(response: { getFailure(): { getId(): Uuid | undefined; getReason(): string } | undefined }) {
  const failure = response.getFailure();
  if (failure === undefined) return undefined;
  return { id: guidFromBytes(failure.getId()?.getValue_asU8() ?? new Uint8Array()), reason: failure.getReason() };
}

function commitRequest(events: ReturnType<typeof uncommittedEvent>[], tenant: string = developmentTenant) {
  const request = new CommitEventsRequest();
  request.setCallcontext(callContext(tenant));
  request.setEventsList(events);
  return request;
}

function aggregateRequest(root: string, eventSource: string, expected: number, contents: unknown[]) {
  const request = new CommitAggregateEventsRequest();
  request.setCallcontext(callContext());
  const events = new UncommittedAggregateEvents();
  events.setAggregaterootid(guidToUuid(root));
  events.setEventsourceid(guidToUuid(eventSource));
  events.setExpectedaggregaterootversion(expected);
  events.setEventsList(
    contents.map((content) => {
      const event = new UncommittedAggregateEvents.UncommittedAggregateEvent();
      event.setArtifact(artifact(eventType));
      event.setContent(JSON.stringify(content));
      return event;
    }),
  );
  request.setEvents(events);
  return request;
}

describe('EventStore over gRPC', () => {
  let runtime: RunningRuntime;
  let client: EventStoreClient;

  before(async () => {
    runtime = await startTestRuntime(testConfig({ maxMessageBytes: 256 * 1024 }));
    client = eventStoreClient(runtime.endpoints.private.port);
  });
  after(async () => {
    client.close();
    await runtime.stop();
  });

  async function tail(): Promise<number> {
    const response = await client.call<CommitEventsResponse>(
      'commit',
      commitRequest([uncommittedEvent(source, eventType, { probe: true })]),
    );
    assert.equal(failureOf(response), undefined);
    return response.getEventsList()[0]?.getEventlogsequencenumber() ?? -1;
  }

  it('commits events with dense sequence numbers and echoes the execution context', async () => {
    const request = commitRequest([
      uncommittedEvent(source, eventType, { n: 1 }),
      uncommittedEvent(source, eventType, '{"n":2,  "keep":"spacing"}', true),
    ]);
    const response = await client.call<CommitEventsResponse>('commit', request);
    assert.equal(failureOf(response), undefined);
    const events = response.getEventsList();
    assert.deepEqual(
      events.map((e) => e.getEventlogsequencenumber()),
      [0, 1],
    );
    assert.equal(events[1]?.getContent(), '{"n":2,  "keep":"spacing"}');
    assert.equal(events[1]?.getPublic(), true);
    assert.equal(guidFromBytes(events[0]?.getEventsourceid()?.getValue_asU8() ?? new Uint8Array()), source);
    const sent = request.getCallcontext()?.getExecutioncontext();
    const context = events[0]?.getExecutioncontext();
    assert.deepEqual(context?.toObject(), sent?.toObject());
    const occurred = events[0]?.getOccurred()?.toDate().getTime() ?? 0;
    assert.ok(Math.abs(occurred - Date.now()) < 5000, 'occurred is now');
  });

  it('refuses a request without call context, and stores nothing', async () => {
    const before = await tail();
    const request = new CommitEventsRequest();
    request.setEventsList([uncommittedEvent(source, eventType, {})]);
    const failure = failureOf(await client.call<CommitEventsResponse>('commit', request));
    assert.equal(failure?.id, failureIds.invalidArgument);
    assert.match(failure?.reason ?? '', /callContext: is missing/);
    assert.equal(await tail(), before + 1);
  });

  it('refuses an id that is not 16 bytes, naming the field', async () => {
    const before = await tail();
    const event = uncommittedEvent(source, eventType, {});
    const shortId = new Uuid();
    shortId.setValue(new Uint8Array(15));
    event.setEventsourceid(shortId);
    const failure = failureOf(
      await client.call<CommitEventsResponse>(
        'commit',
        commitRequest([uncommittedEvent(source, eventType, {}), event]),
      ),
    );
    assert.equal(failure?.id, failureIds.invalidArgument);
    assert.match(failure?.reason ?? '', /events\[1\]\.eventSourceId: must be 16 bytes, was 15/);
    assert.equal(await tail(), before + 1, 'the valid event of the refused request was not stored');
  });

  it('refuses content that is not JSON', async () => {
    const before = await tail();
    const failure = failureOf(
      await client.call<CommitEventsResponse>(
        'commit',
        commitRequest([uncommittedEvent(source, eventType, '{"unterminated": ')]),
      ),
    );
    assert.equal(failure?.id, failureIds.invalidArgument);
    assert.match(failure?.reason ?? '', /events\[0\]\.content: is not valid JSON/);
    assert.equal(await tail(), before + 1);
  });

  it('refuses an unknown tenant, naming it and the configured ones', async () => {
    const failure = failureOf(
      await client.call<CommitEventsResponse>(
        'commit',
        commitRequest([uncommittedEvent(source, eventType, {})], otherTenant),
      ),
    );
    assert.equal(failure?.id, failureIds.unknownTenant);
    assert.match(failure?.reason ?? '', new RegExp(`tenant ${otherTenant} is not configured.*${developmentTenant}`));
  });

  it('refuses an empty commit with NoEventsToCommit', async () => {
    const failure = failureOf(await client.call<CommitEventsResponse>('commit', commitRequest([])));
    assert.equal(failure?.id, failureIds.noEvents);
  });

  it('answers an oversized request with RESOURCE_EXHAUSTED and keeps serving', async () => {
    const before = await tail();
    const huge = uncommittedEvent(source, eventType, { blob: 'x'.repeat(300 * 1024) });
    await assert.rejects(
      client.call('commit', commitRequest([huge])),
      (error: ServiceError) => error.code === status.RESOURCE_EXHAUSTED,
    );
    assert.equal(await tail(), before + 1);
  });

  it('answers bytes that are not a protobuf message with INVALID_ARGUMENT naming the method, and keeps serving', async () => {
    const before = await tail();
    // Field 1 as a length-delimited value claiming 100 bytes that never come.
    const garbage = Buffer.from([0x0a, 0x64, 0x01, 0x02]);
    const error = await new Promise<ServiceError>((resolve, reject) => {
      client.client.makeUnaryRequest(
        '/dolittle.runtime.events.EventStore/Commit',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        garbage,
        (failure) => (failure ? resolve(failure) : reject(new Error('garbage was accepted'))),
      );
    });
    assert.equal(error.code, status.INVALID_ARGUMENT);
    assert.match(
      error.details,
      /^\/dolittle\.runtime\.events\.EventStore\/Commit: the request is not a valid protobuf message/,
    );
    assert.equal(await tail(), before + 1);
  });

  it('commits for aggregates with Dolittle version semantics and detects conflicts', async () => {
    const root = 'b1d2c3e4-0000-4000-8000-00000000aaaa';
    const es = crypto.randomUUID();
    const first = await client.call<CommitAggregateEventsResponse>(
      'commitForAggregate',
      aggregateRequest(root, es, 0, [{ a: 1 }, { a: 2 }, { a: 3 }]),
    );
    assert.equal(failureOf(first), undefined);
    assert.equal(first.getEvents()?.getAggregaterootversion(), 2, 'version of the last event');
    assert.equal(first.getEvents()?.getEventsList().length, 3);

    const conflict = await client.call<CommitAggregateEventsResponse>(
      'commitForAggregate',
      aggregateRequest(root, es, 2, [{ a: 4 }]),
    );
    assert.equal(failureOf(conflict)?.id, failureIds.conflict);
    assert.match(
      failureOf(conflict)?.reason ?? '',
      /expected aggregate root version 2, but current aggregate root version was 3/,
    );

    const next = await client.call<CommitAggregateEventsResponse>(
      'commitForAggregate',
      aggregateRequest(root, es, 3, [{ a: 4 }]),
    );
    assert.equal(failureOf(next), undefined);
    assert.equal(next.getEvents()?.getAggregaterootversion(), 3);

    const fetch = new FetchForAggregateRequest();
    fetch.setCallcontext(callContext());
    const aggregate = new Aggregate();
    aggregate.setAggregaterootid(guidToUuid(root));
    aggregate.setEventsourceid(guidToUuid(es));
    fetch.setAggregate(aggregate);
    const fetched = await client.call<FetchForAggregateResponse>('fetchForAggregate', fetch);
    assert.equal(failureOf(fetched), undefined);
    assert.equal(fetched.getEvents()?.getAggregaterootversion(), 3);
    assert.deepEqual(
      fetched
        .getEvents()
        ?.getEventsList()
        .map((e) => JSON.parse(e.getContent()).a),
      [1, 2, 3, 4],
    );

    const unknown = new FetchForAggregateRequest();
    unknown.setCallcontext(callContext());
    const none = new Aggregate();
    none.setAggregaterootid(guidToUuid(root));
    none.setEventsourceid(guidToUuid(crypto.randomUUID()));
    unknown.setAggregate(none);
    const empty = await client.call<FetchForAggregateResponse>('fetchForAggregate', unknown);
    assert.equal(empty.getEvents()?.getAggregaterootversion(), 0);
    assert.equal(empty.getEvents()?.getEventsList().length, 0);
  });

  it('gives exactly one of many concurrent commits at the same expected version', async () => {
    const root = 'b1d2c3e4-0000-4000-8000-00000000bbbb';
    const es = crypto.randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        client.call<CommitAggregateEventsResponse>(
          'commitForAggregate',
          aggregateRequest(root, es, 0, [{ writer: i }]),
        ),
      ),
    );
    const winners = responses.filter((r) => failureOf(r) === undefined);
    assert.equal(winners.length, 1);
    for (const loser of responses.filter((r) => failureOf(r) !== undefined)) {
      assert.equal(failureOf(loser)?.id, failureIds.conflict);
    }
  });

  it('writes concurrent commits with dense, distinct sequence numbers', async () => {
    const responses = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        client.call<CommitEventsResponse>(
          'commit',
          commitRequest([uncommittedEvent(source, eventType, { i }), uncommittedEvent(source, eventType, { i })]),
        ),
      ),
    );
    const numbers = responses
      .flatMap((r) => r.getEventsList().map((e) => e.getEventlogsequencenumber()))
      .sort((a, b) => a - b);
    assert.equal(new Set(numbers).size, 128);
    assert.equal((numbers[127] ?? 0) - (numbers[0] ?? 0), 127, 'dense');
    for (const r of responses) {
      const [a, b] = r.getEventsList().map((e) => e.getEventlogsequencenumber());
      assert.equal((b ?? 0) - (a ?? 0), 1, 'a commit gets consecutive numbers');
    }
  });
});
