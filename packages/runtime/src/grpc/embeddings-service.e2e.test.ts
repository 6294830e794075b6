import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  developmentMicroservice,
  developmentTenant,
  type Guid,
  guidFromBytes,
  systemCorrelationId,
  systemTenant,
} from '@dolittle-ts/fundamentals';
import {
  type Client,
  type ClientDuplexStream,
  credentials,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { eventSourceIdForKey } from '../embeddings/embedding-key.js';
import type { RunningRuntime } from '../server.js';
import {
  artifact,
  callContext,
  type EventStoreClient,
  eventStoreClient,
  startTestRuntime,
  testConfig,
} from '../testing/runtime-fixture.js';
import {
  Aggregate,
  CommitAggregateEventsRequest,
  type CommitAggregateEventsResponse,
  DeleteRequest,
  type DeleteResponse,
  Duration,
  EmbeddingClientToRuntimeMessage,
  EmbeddingCompareResponse,
  EmbeddingDeleteResponse,
  EmbeddingGetAllRequest,
  type EmbeddingGetAllResponse,
  EmbeddingGetKeysRequest,
  type EmbeddingGetKeysResponse,
  EmbeddingGetOneRequest,
  type EmbeddingGetOneResponse,
  EmbeddingRegistrationRequest,
  type EmbeddingRequest,
  EmbeddingResponse,
  type EmbeddingRuntimeToClientMessage,
  ExecutionContext,
  embeddingStoreService,
  embeddingsService,
  Failure,
  FetchForAggregateRequest,
  type FetchForAggregateResponse,
  Pong,
  ProjectionCurrentStateType,
  ProjectionDeleteResponse,
  ProjectionReplaceResponse,
  ReverseCallArgumentsContext,
  ReverseCallResponseContext,
  UncommittedAggregateEvents,
  UncommittedEvent,
  UpdateRequest,
  type UpdateResponse,
  Version,
} from './contracts.js';
import { guidToUuid } from './convert.js';

const failures = {
  noEmbeddingRegisteredForTenant: 'd76e5522-9bbd-4bb1-87df-b167e42acf02',
  failedToUpdateEmbedding: '4f765146-c635-497a-a14b-b7f80d5cf875',
  failedToDeleteEmbedding: 'dcfba172-9348-4b2c-b518-17603798c0ec',
};

// The employee embedding of Dolittle's tutorial: a read model { name, role }.
const hired = 'f1f1a1a1-0000-4000-8000-000000000001';
const roleChanged = 'f1f1a1a1-0000-4000-8000-000000000002';
const fired = 'f1f1a1a1-0000-4000-8000-000000000003';

interface Employee {
  readonly name?: string;
  readonly role?: string;
  readonly x?: number;
}

interface HeadEvent {
  readonly type: string;
  readonly content: Record<string, unknown>;
}

interface CurrentState {
  readonly type: 'initial' | 'persisted';
  readonly key: string;
  readonly state: Employee;
}

type Answer<T> = T | { readonly fail: string };

interface EmbeddingHeadOptions {
  readonly embeddingId: string;
  readonly events?: readonly string[];
  readonly initialState?: Employee;
  readonly compare?: (current: CurrentState, desired: Employee) => Answer<HeadEvent[]> | Promise<Answer<HeadEvent[]>>;
  readonly remove?: (current: CurrentState) => Answer<HeadEvent[]>;
  readonly project?: (current: CurrentState, event: HeadEvent & { eventSourceId: Guid }) => Answer<Employee | 'delete'>;
}

interface Recorded {
  readonly kind: 'compare' | 'delete' | 'projection';
  readonly tenant: Guid;
  readonly current: CurrentState;
  readonly eventSourceId?: Guid;
}

/** What the official SDK's embedding processor does on the wire, minus the SDK. */
function employeeCompare(current: CurrentState, desired: Employee): HeadEvent[] {
  if (current.type === 'initial' || current.state.name !== desired.name) {
    return [{ type: hired, content: { name: desired.name, role: desired.role } }];
  }
  return current.state.role === desired.role ? [] : [{ type: roleChanged, content: { role: desired.role } }];
}

function employeeProject(current: CurrentState, event: HeadEvent): Employee | 'delete' {
  if (event.type === hired) return { name: event.content.name as string, role: event.content.role as string };
  if (event.type === roleChanged) return { ...current.state, role: event.content.role as string };
  return 'delete';
}

const guid = (uuid: { getValue_asU8(): Uint8Array } | undefined) =>
  guidFromBytes(uuid?.getValue_asU8() ?? new Uint8Array()) as Guid;

class EmbeddingHeadConnection {
  readonly registered: Promise<string | undefined>;
  readonly requests: Recorded[] = [];
  readonly #client: Client;
  readonly #stream: ClientDuplexStream<EmbeddingClientToRuntimeMessage, EmbeddingRuntimeToClientMessage>;

  constructor(port: number, options: EmbeddingHeadOptions) {
    const Constructor = makeGenericClientConstructor(embeddingsService as never, 'Embeddings');
    const client = new Constructor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & {
      connect(): ClientDuplexStream<EmbeddingClientToRuntimeMessage, EmbeddingRuntimeToClientMessage>;
    };
    this.#client = client;
    const stream = client.connect();
    this.#stream = stream;
    let settle: (failure: string | undefined) => void = () => {};
    this.registered = new Promise((resolve) => {
      settle = resolve;
    });
    const context = new ExecutionContext();
    context.setMicroserviceid(guidToUuid(developmentMicroservice));
    context.setTenantid(guidToUuid(systemTenant));
    context.setVersion(new Version());
    context.setCorrelationid(guidToUuid(systemCorrelationId));
    context.setEnvironment('Development');
    const args = new ReverseCallArgumentsContext();
    args.setExecutioncontext(context);
    args.setHeadid(guidToUuid(crypto.randomUUID()));
    args.setPinginterval(new Duration().setSeconds(1));
    const registration = new EmbeddingRegistrationRequest();
    registration.setCallcontext(args);
    registration.setEmbeddingid(guidToUuid(options.embeddingId));
    registration.setEventsList((options.events ?? [hired, roleChanged, fired]).map((id) => artifact(id)));
    registration.setInitialstate(JSON.stringify(options.initialState ?? {}));
    stream.write(new EmbeddingClientToRuntimeMessage().setRegistrationrequest(registration));

    stream.on('data', (message: EmbeddingRuntimeToClientMessage) => {
      if (message.hasPing()) {
        stream.write(new EmbeddingClientToRuntimeMessage().setPong(new Pong()));
        return;
      }
      if (message.hasRegistrationresponse()) {
        settle(message.getRegistrationresponse()?.getFailure()?.getReason());
        return;
      }
      const request = message.getHandlerequest();
      if (request !== undefined) this.#handle(request, options);
    });
    stream.on('error', () => settle('the stream failed'));
    stream.on('end', () => settle('the stream ended'));
  }

  #handle(request: EmbeddingRequest, options: EmbeddingHeadOptions): void {
    const tenant = guid(request.getCallcontext()?.getExecutioncontext()?.getTenantid());
    const stateOf = (pb: ReturnType<NonNullable<ReturnType<EmbeddingRequest['getCompare']>>['getProjectionstate']>) =>
      ({
        type: pb?.getType() === ProjectionCurrentStateType.PERSISTED ? 'persisted' : 'initial',
        key: pb?.getKey() ?? '',
        state: JSON.parse(pb?.getState() ?? 'null') as Employee,
      }) as CurrentState;
    const response = new EmbeddingResponse();
    const callId = request.getCallcontext()?.getCallid();
    const context = new ReverseCallResponseContext();
    if (callId !== undefined) context.setCallid(callId);
    response.setCallcontext(context);
    const failWith = (reason: string) => response.setFailure(new Failure().setReason(reason));
    const toEvents = (events: HeadEvent[]) =>
      events.map((e) => {
        const event = new UncommittedEvent();
        event.setArtifact(artifact(e.type));
        event.setContent(JSON.stringify(e.content));
        return event;
      });
    const answer = async () => {
      const compare = request.getCompare();
      const remove = request.getDelete();
      const projection = request.getProjection();
      if (compare !== undefined) {
        const current = stateOf(compare.getProjectionstate());
        this.requests.push({ kind: 'compare', tenant, current });
        const desired = JSON.parse(compare.getEntitystate()) as Employee;
        const events = await (options.compare ?? employeeCompare)(current, desired);
        if ('fail' in events) failWith(events.fail);
        else response.setCompare(new EmbeddingCompareResponse().setEventsList(toEvents(events)));
      } else if (remove !== undefined) {
        const current = stateOf(remove.getProjectionstate());
        this.requests.push({ kind: 'delete', tenant, current });
        const events = (options.remove ?? (() => [{ type: fired, content: {} }]))(current);
        if ('fail' in events) failWith(events.fail);
        else response.setDelete(new EmbeddingDeleteResponse().setEventsList(toEvents(events)));
      } else if (projection !== undefined) {
        const current = stateOf(projection.getCurrentstate());
        const pbEvent = projection.getEvent();
        const eventSourceId = guid(pbEvent?.getEventsourceid());
        this.requests.push({ kind: 'projection', tenant, current, eventSourceId });
        const event = {
          type: guid(pbEvent?.getArtifact()?.getId()),
          content: JSON.parse(pbEvent?.getContent() ?? '{}') as Record<string, unknown>,
          eventSourceId,
        };
        const next = (options.project ?? employeeProject)(current, event);
        if (typeof next === 'object' && 'fail' in next) failWith(next.fail);
        else if (next === 'delete') response.setProjectiondelete(new ProjectionDeleteResponse());
        else response.setProjectionreplace(new ProjectionReplaceResponse().setState(JSON.stringify(next)));
      }
    };
    answer()
      .catch((error: unknown) => failWith(String(error)))
      .then(() => {
        if (!this.#stream.destroyed)
          this.#stream.write(new EmbeddingClientToRuntimeMessage().setHandleresult(response));
      })
      .catch(() => {});
  }

  close(): void {
    this.#stream.cancel();
    this.#client.close();
  }
}

type Unary = (request: unknown, callback: (error: ServiceError | null, response: unknown) => void) => void;

function unaryClient(port: number, service: unknown, name: string) {
  const Constructor = makeGenericClientConstructor(service as never, name);
  const client = new Constructor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client &
    Record<string, Unary>;
  return {
    call<R>(method: string, request: unknown): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        (client[method] as Unary).call(client, request, (error, response) =>
          error ? reject(error) : resolve(response as R),
        );
      });
    },
    close: () => client.close(),
  };
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Embeddings and EmbeddingStore', () => {
  let runtime: RunningRuntime;
  let events: EventStoreClient;
  let embeddings: ReturnType<typeof unaryClient>;
  let store: ReturnType<typeof unaryClient>;
  const heads: EmbeddingHeadConnection[] = [];

  before(async () => {
    runtime = await startTestRuntime(testConfig());
    const port = runtime.endpoints.private.port;
    events = eventStoreClient(port);
    embeddings = unaryClient(port, embeddingsService, 'Embeddings');
    store = unaryClient(port, embeddingStoreService, 'EmbeddingStore');
  });
  after(async () => {
    for (const head of heads) head.close();
    events.close();
    embeddings.close();
    store.close();
    await runtime.stop();
  });

  async function connect(options: EmbeddingHeadOptions): Promise<EmbeddingHeadConnection> {
    const head = new EmbeddingHeadConnection(runtime.endpoints.private.port, options);
    heads.push(head);
    assert.equal(await head.registered, undefined, 'the registration is accepted');
    return head;
  }

  function update(embeddingId: string, key: string, state: Employee) {
    const request = new UpdateRequest();
    request.setCallcontext(callContext());
    request.setEmbeddingid(guidToUuid(embeddingId));
    request.setKey(key);
    request.setState(JSON.stringify(state));
    return embeddings.call<UpdateResponse>('update', request);
  }

  function remove(embeddingId: string, key: string) {
    const request = new DeleteRequest();
    request.setCallcontext(callContext());
    request.setEmbeddingid(guidToUuid(embeddingId));
    request.setKey(key);
    return embeddings.call<DeleteResponse>('delete', request);
  }

  async function getOne(embeddingId: string, key: string) {
    const request = new EmbeddingGetOneRequest();
    request.setCallcontext(callContext());
    request.setEmbeddingid(guidToUuid(embeddingId));
    request.setKey(key);
    const response = await store.call<EmbeddingGetOneResponse>('getOne', request);
    assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
    const state = response.getState();
    return {
      type: state?.getType() === ProjectionCurrentStateType.PERSISTED ? 'persisted' : 'initial',
      key: state?.getKey(),
      state: JSON.parse(state?.getState() ?? 'null') as unknown,
    };
  }

  async function getKeys(embeddingId: string): Promise<string[]> {
    const request = new EmbeddingGetKeysRequest();
    request.setCallcontext(callContext());
    request.setEmbeddingid(guidToUuid(embeddingId));
    const response = await store.call<EmbeddingGetKeysResponse>('getKeys', request);
    assert.equal(response.getFailure(), undefined);
    return response.getKeysList().sort();
  }

  async function getAll(embeddingId: string) {
    const request = new EmbeddingGetAllRequest();
    request.setCallcontext(callContext());
    request.setEmbeddingid(guidToUuid(embeddingId));
    const response = await store.call<EmbeddingGetAllResponse>('getAll', request);
    assert.equal(response.getFailure(), undefined);
    return Object.fromEntries(response.getStatesList().map((s) => [s.getKey(), JSON.parse(s.getState())]));
  }

  /** The embedding's aggregate events for the key, as FetchForAggregate returns them. */
  async function aggregateEvents(embeddingId: string, key: string) {
    const aggregate = new Aggregate();
    aggregate.setAggregaterootid(guidToUuid(embeddingId));
    aggregate.setEventsourceid(guidToUuid(eventSourceIdForKey(key)));
    const request = new FetchForAggregateRequest();
    request.setCallcontext(callContext());
    request.setAggregate(aggregate);
    const response = await events.call<FetchForAggregateResponse>('fetchForAggregate', request);
    assert.equal(response.getFailure(), undefined);
    return (response.getEvents()?.getEventsList() ?? []).map((e) => ({
      type: guid(e.getType()?.getId()),
      content: JSON.parse(e.getContent()) as unknown,
    }));
  }

  async function commitToAggregate(embeddingId: string, key: string, expected: number, event: HeadEvent) {
    const aggregate = new UncommittedAggregateEvents();
    aggregate.setAggregaterootid(guidToUuid(embeddingId));
    aggregate.setEventsourceid(guidToUuid(eventSourceIdForKey(key)));
    aggregate.setExpectedaggregaterootversion(expected);
    const item = new UncommittedAggregateEvents.UncommittedAggregateEvent();
    item.setArtifact(artifact(event.type));
    item.setContent(JSON.stringify(event.content));
    aggregate.setEventsList([item]);
    const request = new CommitAggregateEventsRequest();
    request.setCallcontext(callContext());
    request.setEvents(aggregate);
    const response = await events.call<CommitAggregateEventsResponse>('commitForAggregate', request);
    assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
  }

  it('updates a key to the desired state by committing the events the head chose, and stores the read model', async () => {
    const id = crypto.randomUUID();
    const head = await connect({ embeddingId: id });
    const response = await update(id, 'anna', { name: 'Anna', role: 'Chef' });
    assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
    assert.equal(response.getState()?.getType(), ProjectionCurrentStateType.PERSISTED);
    assert.deepEqual(JSON.parse(response.getState()?.getState() ?? ''), { name: 'Anna', role: 'Chef' });
    assert.deepEqual(await aggregateEvents(id, 'anna'), [{ type: hired, content: { name: 'Anna', role: 'Chef' } }]);

    const changed = await update(id, 'anna', { name: 'Anna', role: 'Waiter' });
    assert.equal(changed.getFailure(), undefined);
    assert.deepEqual(await aggregateEvents(id, 'anna'), [
      { type: hired, content: { name: 'Anna', role: 'Chef' } },
      { type: roleChanged, content: { role: 'Waiter' } },
    ]);
    assert.deepEqual(await getOne(id, 'anna'), {
      type: 'persisted',
      key: 'anna',
      state: { name: 'Anna', role: 'Waiter' },
    });
    await update(id, 'bob', { name: 'Bob', role: 'Chef' });
    assert.deepEqual(await getKeys(id), ['anna', 'bob']);
    assert.deepEqual(await getAll(id), {
      anna: { name: 'Anna', role: 'Waiter' },
      bob: { name: 'Bob', role: 'Chef' },
    });
    assert.deepEqual(await getOne(id, 'carl'), { type: 'initial', key: 'carl', state: {} });

    const projections = head.requests.filter((r) => r.kind === 'projection');
    assert.ok(projections.every((r) => r.tenant === (developmentTenant as string)));
    assert.ok(projections.some((r) => r.eventSourceId === (eventSourceIdForKey('anna') as string)));

    // The same state again (in another key order) commits nothing and asks the head nothing.
    const asked = head.requests.length;
    const same = await update(id, 'anna', { role: 'Waiter', name: 'Anna' } as Employee);
    assert.equal(same.getFailure(), undefined);
    assert.equal((await aggregateEvents(id, 'anna')).length, 2);
    assert.equal(head.requests.length, asked);
  });

  it('deletes a key by committing the deletion events; it leaves the keys and GetOne gives the initial state', async () => {
    const id = crypto.randomUUID();
    await connect({ embeddingId: id, initialState: { role: 'none' } });
    await update(id, 'anna', { name: 'Anna', role: 'Chef' });
    await update(id, 'bob', { name: 'Bob', role: 'Chef' });
    const response = await remove(id, 'anna');
    assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
    assert.deepEqual(await aggregateEvents(id, 'anna'), [
      { type: hired, content: { name: 'Anna', role: 'Chef' } },
      { type: fired, content: {} },
    ]);
    assert.deepEqual(await getKeys(id), ['bob']);
    assert.deepEqual(Object.keys(await getAll(id)), ['bob']);
    assert.deepEqual(await getOne(id, 'anna'), { type: 'initial', key: 'anna', state: { role: 'none' } });

    // Deleting again has nothing to delete; updating brings the key back.
    assert.equal((await remove(id, 'anna')).getFailure(), undefined);
    assert.equal((await aggregateEvents(id, 'anna')).length, 2);
    assert.equal((await update(id, 'anna', { name: 'Anna', role: 'Boss' })).getFailure(), undefined);
    assert.deepEqual(await getKeys(id), ['anna', 'bob']);
    assert.equal((await aggregateEvents(id, 'anna')).length, 3);
  });

  it('fails an update whose events go round in a circle (loop detected), and changes nothing', async () => {
    const id = crypto.randomUUID();
    await connect({
      embeddingId: id,
      initialState: { x: 0 },
      compare: () => [{ type: roleChanged, content: {} }],
      project: (current) => ({ x: current.state.x === 0 ? 1 : 0 }),
    });
    const response = await update(id, 'loop', { x: 2 });
    assert.equal(guid(response.getFailure()?.getId()), failures.failedToUpdateEmbedding);
    assert.match(response.getFailure()?.getReason() ?? '', /loop/);
    assert.deepEqual(await aggregateEvents(id, 'loop'), []);
    assert.deepEqual(await getKeys(id), []);
    assert.deepEqual(await getOne(id, 'loop'), { type: 'initial', key: 'loop', state: { x: 0 } });

    const stuck = crypto.randomUUID();
    await connect({ embeddingId: stuck, compare: () => [] });
    const noEvents = await update(stuck, 'k', { name: 'Never' });
    assert.equal(guid(noEvents.getFailure()?.getId()), failures.failedToUpdateEmbedding);
    assert.match(noEvents.getFailure()?.getReason() ?? '', /loop/);
  });

  it('answers a failing head with FailedToUpdateEmbedding or FailedToDeleteEmbedding, and changes nothing', async () => {
    const id = crypto.randomUUID();
    let failCompare = false;
    let failProjection = false;
    await connect({
      embeddingId: id,
      compare: (current, desired) => (failCompare ? { fail: 'compare broke' } : employeeCompare(current, desired)),
      remove: () => ({ fail: 'cannot fire' }),
      project: (current, event) => (failProjection ? { fail: 'projection broke' } : employeeProject(current, event)),
    });
    await update(id, 'anna', { name: 'Anna', role: 'Chef' });
    failCompare = true;
    const compareFailed = await update(id, 'anna', { name: 'Anna', role: 'Boss' });
    assert.equal(guid(compareFailed.getFailure()?.getId()), failures.failedToUpdateEmbedding);
    assert.match(compareFailed.getFailure()?.getReason() ?? '', /compare broke/);
    failCompare = false;
    failProjection = true;
    const projectionFailed = await update(id, 'anna', { name: 'Anna', role: 'Boss' });
    assert.equal(guid(projectionFailed.getFailure()?.getId()), failures.failedToUpdateEmbedding);
    assert.match(projectionFailed.getFailure()?.getReason() ?? '', /projection broke/);
    const deleteFailed = await remove(id, 'anna');
    assert.equal(guid(deleteFailed.getFailure()?.getId()), failures.failedToDeleteEmbedding);
    assert.match(deleteFailed.getFailure()?.getReason() ?? '', /cannot fire/);

    assert.equal((await aggregateEvents(id, 'anna')).length, 1);
    assert.deepEqual(await getOne(id, 'anna'), {
      type: 'persisted',
      key: 'anna',
      state: { name: 'Anna', role: 'Chef' },
    });
  });

  it('answers Update and Delete of an embedding no head registered with NoEmbeddingRegisteredForTenant', async () => {
    const id = crypto.randomUUID();
    const updated = await update(id, 'anna', { name: 'Anna' });
    assert.equal(guid(updated.getFailure()?.getId()), failures.noEmbeddingRegisteredForTenant);
    const deleted = await remove(id, 'anna');
    assert.equal(guid(deleted.getFailure()?.getId()), failures.noEmbeddingRegisteredForTenant);

    const request = new EmbeddingGetOneRequest();
    request.setCallcontext(callContext());
    request.setEmbeddingid(guidToUuid(id));
    request.setKey('anna');
    const one = await store.call<EmbeddingGetOneResponse>('getOne', request);
    assert.equal(guid(one.getFailure()?.getId()), failures.noEmbeddingRegisteredForTenant);
    assert.deepEqual(await getKeys(id), []);
  });

  it('refreshes a read model when events are committed to its aggregate by someone else', async () => {
    const id = crypto.randomUUID();
    await connect({ embeddingId: id });
    await update(id, 'anna', { name: 'Anna', role: 'Chef' });
    await commitToAggregate(id, 'anna', 1, { type: roleChanged, content: { role: 'Owner' } });
    await waitFor(
      async () => JSON.stringify((await getOne(id, 'anna')).state) === JSON.stringify({ name: 'Anna', role: 'Owner' }),
      10_000,
      'the refreshed read model',
    );
    await commitToAggregate(id, 'anna', 2, { type: fired, content: {} });
    await waitFor(async () => (await getKeys(id)).length === 0, 10_000, 'the deletion to be projected');
    assert.equal((await getOne(id, 'anna')).type, 'initial');
  });

  it('starts over when events are committed to the aggregate while an update is under way', async () => {
    const id = crypto.randomUUID();
    let interfere = true;
    await connect({
      embeddingId: id,
      compare: async (current, desired) => {
        if (interfere && current.type === 'persisted') {
          interfere = false;
          await commitToAggregate(id, 'anna', 1, { type: roleChanged, content: { role: 'Intern' } });
        }
        return employeeCompare(current, desired);
      },
    });
    await update(id, 'anna', { name: 'Anna', role: 'Chef' });
    const response = await update(id, 'anna', { name: 'Anna', role: 'Boss' });
    assert.equal(response.getFailure(), undefined, response.getFailure()?.getReason());
    assert.deepEqual(await aggregateEvents(id, 'anna'), [
      { type: hired, content: { name: 'Anna', role: 'Chef' } },
      { type: roleChanged, content: { role: 'Intern' } },
      { type: roleChanged, content: { role: 'Boss' } },
    ]);
    assert.deepEqual((await getOne(id, 'anna')).state, { name: 'Anna', role: 'Boss' });
  });

  it('rebuilds the read models from their events when a head registers a changed definition', async () => {
    const id = crypto.randomUUID();
    const first = await connect({ embeddingId: id, initialState: { role: 'none' } });
    await update(id, 'anna', { name: 'Anna', role: 'Chef' });
    await update(id, 'bob', { name: 'Bob', role: 'Chef' });
    await remove(id, 'bob');
    first.close();
    // The same events, projected differently: the new definition upper-cases names.
    // Deleting a key that never had a read model asks the head nothing; it fails once no head is registered.
    await waitFor(
      async () => guid((await remove(id, 'nobody')).getFailure()?.getId()) === failures.noEmbeddingRegisteredForTenant,
      5000,
      'the first head to be gone',
    );
    const second = await connect({
      embeddingId: id,
      initialState: { role: 'nobody' },
      project: (current, event) => {
        const next = employeeProject(current, event);
        return next === 'delete' ? next : { name: next.name?.toUpperCase() ?? '', role: next.role ?? '' };
      },
    });
    await waitFor(
      async () => JSON.stringify(await getAll(id)) === JSON.stringify({ anna: { name: 'ANNA', role: 'Chef' } }),
      10_000,
      'the rebuilt read models',
    );
    assert.ok(second.requests.every((r) => r.kind === 'projection'));
    assert.deepEqual(await getOne(id, 'bob'), { type: 'initial', key: 'bob', state: { role: 'nobody' } });
  });

  it('refuses a second head for the same embedding while the first is connected', async () => {
    const id = crypto.randomUUID();
    await connect({ embeddingId: id });
    const second = new EmbeddingHeadConnection(runtime.endpoints.private.port, { embeddingId: id });
    heads.push(second);
    assert.match((await second.registered) ?? '', /already registered/);
  });
});
