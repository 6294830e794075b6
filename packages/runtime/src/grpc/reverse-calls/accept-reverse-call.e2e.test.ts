import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  developmentTenant,
  type ExecutionContext,
  guidFromBytes,
  InvalidArgument,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import { status } from '@grpc/grpc-js';
import {
  Duration,
  EventHandlerClientToRuntimeMessage,
  EventHandlerRegistrationResponse,
  Pong,
  Uuid,
} from '../contracts.js';
import {
  type RigClient as Client,
  type Connection,
  contentOf,
  delay,
  executionContext,
  failureIds,
  handleEventRequest,
  handleResult,
  RigClient,
  type RigServer,
  type RigStream,
  registrationMessage,
  startRigServer,
} from './event-handlers-test-rig.js';
import { ReverseCallEnded } from './reverse-call-end.js';

const otherTenant = '7f1c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

function context(tenantId: string = developmentTenant): ExecutionContext {
  return {
    microserviceId: '7a6155dd-9109-4488-8f6f-c57fe4b65bfb' as ExecutionContext['microserviceId'],
    tenantId: tenantId as TenantId,
    version: { major: 1, minor: 0, patch: 0, build: 0, preRelease: '' },
    correlationId: crypto.randomUUID() as ExecutionContext['correlationId'],
    claims: [],
    environment: 'Test',
  };
}

function idOf(uuid: Uuid | undefined): string | undefined {
  return uuid === undefined ? undefined : guidFromBytes(uuid.getValue_asU8());
}

async function connectAndAccept(
  server: RigServer,
  client: Client,
  pingIntervalMs = 1000,
): Promise<{ stream: RigStream; connection: Connection }> {
  const stream = client.open();
  stream.register({ pingIntervalMs });
  const connection = await server.connections.next(5000, 'a connection');
  assert.ok(connection !== undefined, 'the registration is valid');
  connection.accept(new EventHandlerRegistrationResponse());
  assert.equal(await stream.registrationResult(), undefined);
  return { stream, connection };
}

async function rejectsWithEnd(promise: Promise<unknown>, kind: string): Promise<ReverseCallEnded> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof ReverseCallEnded, `expected ReverseCallEnded, got ${String(caught)}`);
  assert.equal(caught.end.kind, kind);
  return caught;
}

describe('acceptReverseCall over gRPC (EventHandlers.Connect)', () => {
  let server: RigServer;
  let client: Client;

  before(async () => {
    server = await startRigServer();
    client = new RigClient(server.port);
  });
  after(async () => {
    client.close();
    await server.stop();
    assert.deepEqual(unhandled, [], 'no unhandled rejections');
  });

  describe('pinging and keep-alive', () => {
    it('pings within one interval of the registration, before the registration is accepted', async () => {
      const stream = client.open();
      const registeredAt = performance.now();
      stream.register({ pingIntervalMs: 200 });
      const connection = await server.connections.next();
      assert.ok(connection !== undefined);
      const first = await stream.pings.next(1000, 'the first ping');
      const second = await stream.pings.next(1000, 'the second ping');
      assert.ok(
        first.at - registeredAt >= 150 && first.at - registeredAt < 600,
        `first ping after ${first.at - registeredAt} ms`,
      );
      assert.ok(
        second.at - first.at >= 120 && second.at - first.at < 600,
        `second ping ${second.at - first.at} ms later`,
      );
      assert.equal(stream.responses.size, 0, 'not accepted yet');

      assert.equal(connection.pingIntervalMs, 200);
      assert.equal(connection.executionContext.tenantId, developmentTenant);
      assert.match(connection.headId, /^[0-9a-f-]{36}$/);
      assert.equal(connection.arguments.getPartitioned(), true);
      connection.accept(new EventHandlerRegistrationResponse());
      assert.equal(await stream.registrationResult(), undefined);
      await stream.pings.next(1000, 'a ping after accepting');

      connection.end();
      assert.deepEqual(await connection.closed, { kind: 'runtime-ended' });
      assert.equal((await stream.status).code, status.OK);
    });

    it('keeps a client that answers pings for as long as it likes', async () => {
      const { stream, connection } = await connectAndAccept(server, client, 100);
      await delay(700); // 7 intervals, more than twice the keep-alive deadline
      assert.equal(connection.signal.aborted, false);
      const answered = connection.call(handleEventRequest('still there'), context());
      stream.answer(await stream.requests.next());
      await answered;
      connection.end();
      await stream.status;
    });

    it('drops a client that stops answering after 3 × its ping interval and rejects its pending calls', async () => {
      const { stream, connection } = await connectAndAccept(server, client, 100);
      stream.autoPong = false;
      const lastHeardAt = performance.now();
      const pending = [
        connection.call(handleEventRequest('one'), context()),
        connection.call(handleEventRequest('two'), context()),
      ];
      const [error] = await Promise.all(pending.map((call) => rejectsWithEnd(call, 'keep-alive-expired')));
      const droppedAfter = performance.now() - lastHeardAt;
      assert.ok(droppedAfter >= 250 && droppedAfter < 1000, `dropped after ${droppedAfter} ms`);
      assert.match(error?.message ?? '', /sent nothing for \d+ ms/);
      assert.equal(connection.signal.aborted, true);
      assert.ok(connection.signal.reason instanceof ReverseCallEnded);
      assert.equal((await connection.closed).kind, 'keep-alive-expired');
      const ended = await stream.status;
      assert.equal(ended.code, status.UNAVAILABLE);
      assert.match(ended.details, /3 × its ping interval/);
    });

    it('counts any client message, not only pongs, as a sign of life', async () => {
      const { stream, connection } = await connectAndAccept(server, client, 100);
      stream.autoPong = false;
      for (let i = 0; i < 8; i++) {
        await delay(100);
        stream.send(handleResult(new Uuid().setValue(new Uint8Array(16)))); // an unknown call: ignored but heard
      }
      assert.equal(connection.signal.aborted, false);
      connection.end();
      await stream.status;
    });
  });

  describe('registration', () => {
    it('rejects with one connect response carrying the failure, then ends the call', async () => {
      const stream = client.open();
      stream.register();
      const connection = await server.connections.next();
      assert.ok(connection !== undefined);
      connection.reject(new InvalidArgument('eventHandlerId', 'must not be the empty id'));
      const failure = await stream.registrationResult();
      assert.equal(idOf(failure?.id), failureIds.invalidArgument);
      assert.equal(failure?.reason, 'eventHandlerId: must not be the empty id');
      assert.equal((await stream.status).code, status.OK);
      assert.deepEqual(await connection.closed, {
        kind: 'rejected',
        reason: 'eventHandlerId: must not be the empty id',
      });
      assert.equal(connection.signal.aborted, true);
      await rejectsWithEnd(connection.call(handleEventRequest('late'), context()), 'rejected');
      assert.equal(stream.received.filter((r) => r.message.hasRegistrationresponse()).length, 1);
    });

    it('rejects with FailureId.Other for an unexpected error', async () => {
      const stream = client.open();
      stream.register();
      const connection = await server.connections.next();
      connection?.reject(new Error('the stream processor could not start'));
      const failure = await stream.registrationResult();
      assert.equal(idOf(failure?.id), failureIds.other);
      assert.equal(failure?.reason, 'internal error: the stream processor could not start');
      assert.equal((await stream.status).code, status.OK);
    });

    it('refuses call() before accept() and a second accept()', async () => {
      const stream = client.open();
      stream.register();
      const connection = await server.connections.next();
      assert.ok(connection !== undefined);
      await assert.rejects(
        connection.call(handleEventRequest('too early'), context()),
        /before the registration was accepted/,
      );
      connection.accept(new EventHandlerRegistrationResponse());
      assert.throws(() => connection.accept(new EventHandlerRegistrationResponse()), /already accepted/);
      assert.throws(() => connection.reject(new Error('no')), /cannot reject a registration that was accepted/);
      connection.end();
      connection.end();
      await stream.status;
    });

    const garbage: [string, () => EventHandlerClientToRuntimeMessage, RegExp][] = [
      [
        'a pong first',
        () => new EventHandlerClientToRuntimeMessage().setPong(new Pong()),
        /^registrationRequest: .*held pong$/,
      ],
      ['a response first', () => handleResult(undefined), /^registrationRequest: .*held handleResult$/],
      [
        'a successful response first (recognised from its bytes)',
        () => handleResult(new Uuid().setValue(crypto.getRandomValues(new Uint8Array(16)))),
        /^registrationRequest: .*held handleResult$/,
      ],
      ['an empty envelope', () => new EventHandlerClientToRuntimeMessage(), /^registrationRequest: .*held nothing$/],
      [
        'no call context',
        () => registrationMessage({ withoutCallContext: true }),
        /^registrationRequest.callContext: is missing$/,
      ],
      [
        'no ping interval',
        () => registrationMessage({ pingIntervalMs: undefined }),
        /^registrationRequest.callContext.pingInterval: is missing/,
      ],
      [
        'a zero ping interval',
        () => registrationMessage({ pingIntervalMs: 0 }),
        /^registrationRequest.callContext.pingInterval: must be positive, was 0 ms$/,
      ],
      [
        'a negative ping interval',
        () => {
          const message = registrationMessage();
          message.getRegistrationrequest()?.getCallcontext()?.setPinginterval(new Duration().setNanos(-5_000_000));
          return message;
        },
        /^registrationRequest.callContext.pingInterval: must be positive, was -5 ms$/,
      ],
      [
        'no execution context',
        () => registrationMessage({ executionContext: undefined }),
        /^registrationRequest.callContext.executionContext: is missing$/,
      ],
      [
        'a tenant id of 3 bytes',
        () => {
          const bad = executionContext();
          bad.setTenantid(new Uuid().setValue(new Uint8Array([1, 2, 3])));
          return registrationMessage({ executionContext: bad });
        },
        /^registrationRequest.callContext.executionContext.tenantId: must be 16 bytes, was 3$/,
      ],
      [
        'a microservice id missing',
        () => {
          const bad = executionContext();
          bad.clearMicroserviceid();
          return registrationMessage({ executionContext: bad });
        },
        /^registrationRequest.callContext.executionContext.microserviceId: is missing$/,
      ],
      [
        'no head id',
        () => registrationMessage({ headId: undefined }),
        /^registrationRequest.callContext.headId: is missing$/,
      ],
    ];
    for (const [what, message, reason] of garbage) {
      it(`answers ${what} with an InvalidArgument failure naming it, and ends the call`, async () => {
        const stream = client.open();
        stream.send(message());
        const failure = await stream.registrationResult();
        assert.equal(idOf(failure?.id), failureIds.invalidArgument);
        assert.match(failure?.reason ?? '', reason);
        const ended = await stream.status;
        assert.equal(ended.code, status.OK);
        assert.equal(await server.connections.next(), undefined, 'no connection reaches the service');
        assert.equal(stream.pings.size, 0, 'no pings for a refused registration');
        assert.equal(stream.received.length, 1, 'exactly one message: the failed registration response');
      });
    }

    it('just ends a stream that the client closes before sending anything', async () => {
      const stream = client.open();
      stream.stream.end();
      const ended = await stream.status;
      assert.equal(ended.code, status.OK);
      assert.equal(stream.received.length, 0);
      assert.equal(await server.connections.next(), undefined);
    });

    it('releases a stream that the client cancels before sending anything', async () => {
      const closedBefore = server.observed.closed;
      const stream = client.open();
      await delay(50);
      stream.stream.cancel();
      assert.equal(await server.connections.next(), undefined);
      assert.equal(server.observed.ends.at(-1)?.kind, 'client-closed');
      assert.ok(server.observed.closed > closedBefore);
    });
  });

  describe('calls', () => {
    it('matches many concurrent calls by call id, whatever order the client answers in', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const count = 20;
      const calls = Array.from({ length: count }, (_, i) =>
        connection.call(handleEventRequest(`event ${i}`), context(i % 2 === 0 ? developmentTenant : otherTenant)),
      );
      const requests = [];
      for (let i = 0; i < count; i++) requests.push(await stream.requests.next());
      const callIds = new Set<string>();
      for (const [i, request] of requests.entries()) {
        assert.equal(contentOf(request), `event ${i}`, 'requests arrive in the order they were made');
        const callContext = request.getCallcontext();
        assert.equal(callContext?.getCallid()?.getValue_asU8().length, 16);
        callIds.add(idOf(callContext?.getCallid()) as string);
        const tenant = idOf(callContext?.getExecutioncontext()?.getTenantid());
        assert.equal(tenant, i % 2 === 0 ? developmentTenant : otherTenant, 'the execution context given to call()');
      }
      assert.equal(callIds.size, count, 'every call has its own id');

      // Noise the dispatcher must ignore: an unknown call id, no call context, a call id of the wrong length.
      stream.send(handleResult(new Uuid().setValue(crypto.getRandomValues(new Uint8Array(16)))));
      stream.send(handleResult(undefined));
      stream.send(handleResult(new Uuid().setValue(new Uint8Array(5))));
      const order = requests.map((_, i) => i).sort(() => Math.random() - 0.5);
      for (const i of order) stream.answer(requests[i] as (typeof requests)[number], `answer to event ${i}`);

      const responses = await Promise.all(calls);
      for (const [i, response] of responses.entries()) {
        assert.equal(response.getFailure()?.getReason(), `answer to event ${i}`);
      }
      connection.end();
      await stream.status;
    });

    it('settles calls answered with a bare success, and ignores one with an id this connection never gave', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const other = await connectAndAccept(server, client);
      const calls = [0, 1, 2].map((i) => connection.call(handleEventRequest(`event ${i}`), context()));
      const elsewhere = other.connection.call(handleEventRequest('on the other connection'), context());
      const requests = [];
      for (let i = 0; i < calls.length; i++) requests.push(await stream.requests.next());
      const foreign = await other.stream.requests.next();
      // The other connection's call id, and a random one, on this connection: neither settles anything here.
      stream.send(handleResult(foreign.getCallcontext()?.getCallid()));
      stream.send(handleResult(new Uuid().setValue(crypto.getRandomValues(new Uint8Array(16)))));
      for (const i of [2, 0, 1])
        stream.send(handleResult((requests[i] as (typeof requests)[number]).getCallcontext()?.getCallid()));
      for (const response of await Promise.all(calls)) assert.equal(response.getFailure(), undefined, 'no failure');
      let settled = false;
      void elsewhere.then(
        () => {
          settled = true;
        },
        () => {},
      );
      await delay(50);
      assert.equal(settled, false, "an answer on another connection does not settle this connection's call");
      other.stream.send(handleResult(foreign.getCallcontext()?.getCallid()));
      assert.equal((await elsewhere).getFailure(), undefined);
      connection.end();
      other.connection.end();
      await stream.status;
      await other.stream.status;
    });

    it('gives up on one call when its signal is aborted; the others and the connection carry on', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const controller = new AbortController();
      const abandoned = connection.call(handleEventRequest('abandoned'), context(), { signal: controller.signal });
      const kept = connection.call(handleEventRequest('kept'), context(), { signal: new AbortController().signal });
      const first = await stream.requests.next();
      const second = await stream.requests.next();
      controller.abort(new Error('the stream processor moved on'));
      await assert.rejects(abandoned, /the stream processor moved on/);
      stream.answer(first, 'too late');
      stream.answer(second, 'in time');
      assert.equal((await kept).getFailure()?.getReason(), 'in time');
      assert.equal(connection.signal.aborted, false);
      await assert.rejects(
        connection.call(handleEventRequest('already aborted'), context(), { signal: controller.signal }),
        /the stream processor moved on/,
      );
      connection.end();
      await stream.status;
    });

    it('rejects pending calls when the client disconnects mid-call', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const pending = [1, 2, 3].map((i) => connection.call(handleEventRequest(`event ${i}`), context()));
      await stream.requests.next();
      stream.stream.cancel();
      await Promise.all(pending.map((call) => rejectsWithEnd(call, 'client-closed')));
      assert.equal(connection.signal.aborted, true);
      assert.deepEqual(await connection.closed, { kind: 'client-closed' });
      await rejectsWithEnd(connection.call(handleEventRequest('after'), context()), 'client-closed');
    });

    it('rejects pending calls and ends the call when the client closes its side', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const pending = connection.call(handleEventRequest('event'), context());
      await stream.requests.next();
      stream.stream.end();
      await rejectsWithEnd(pending, 'client-closed');
      assert.equal((await stream.status).code, status.OK);
    });

    it('rejects pending calls when the stream fails underneath', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const pending = connection.call(handleEventRequest('event'), context());
      await stream.requests.next();
      const serverCall = server.calls.at(-1);
      // What grpc-js does when a write or the transport fails: an 'error' event on the call.
      serverCall?.emit('error', Object.assign(new Error('transport failed'), { code: status.INTERNAL }));
      const error = await rejectsWithEnd(pending, 'stream-error');
      assert.match(error.message, /the stream failed \(transport failed\)/);
      assert.equal((await stream.status).code, status.INTERNAL);
    });

    it('rejects pending calls when the Runtime ends the connection', async () => {
      const { stream, connection } = await connectAndAccept(server, client);
      const pending = connection.call(handleEventRequest('event'), context());
      await stream.requests.next();
      connection.end();
      await rejectsWithEnd(pending, 'runtime-ended');
      assert.equal((await stream.status).code, status.OK);
    });

    it('respects back-pressure: a client that stops reading gets every request, in order, once it reads again', async () => {
      const { stream, connection } = await connectAndAccept(server, client, 200);
      const serverCall = server.calls.at(-1);
      assert.ok(serverCall !== undefined);
      stream.stream.pause();
      // The client keeps proving it is alive while it does not read (its pongs are unsolicited here).
      const alive = setInterval(() => stream.send(new EventHandlerClientToRuntimeMessage().setPong(new Pong())), 50);
      const count = 120;
      const calls = Array.from({ length: count }, (_, i) =>
        connection.call(handleEventRequest(`event ${i}`, 32 * 1024), context()),
      );
      await delay(1000); // 5 ping intervals while the transport is full
      assert.equal(serverCall.writableNeedDrain, true, 'grpc-js reported a full buffer');
      const receivedWhilePaused = stream.received.length;
      stream.stream.resume();
      const requests = [];
      for (let i = 0; i < count; i++) {
        const request = await stream.requests.next(5000, `request ${i}`);
        requests.push(request);
        stream.answer(request, contentOf(request));
      }
      clearInterval(alive);
      assert.deepEqual(
        requests.map(contentOf),
        Array.from({ length: count }, (_, i) => `event ${i}`),
      );
      const responses = await Promise.all(calls);
      assert.deepEqual(
        responses.map((r) => r.getFailure()?.getReason()),
        Array.from({ length: count }, (_, i) => `event ${i}`),
      );
      // Pings skipped while requests were queued: none interleaved in the backlog.
      const firstRequest = stream.received.findIndex((r) => r.message.hasHandlerequest());
      const lastRequest = stream.received.findLastIndex((r) => r.message.hasHandlerequest());
      const pingsInBacklog = stream.received.slice(firstRequest, lastRequest).filter((r) => r.message.hasPing());
      assert.ok(pingsInBacklog.length <= 1, `${pingsInBacklog.length} pings interleaved with the backlog`);
      assert.ok(receivedWhilePaused < count);
      assert.equal(connection.signal.aborted, false);
      connection.end();
      await stream.status;
    });
  });
});

describe('acceptReverseCall with a first-message timeout and a shutdown signal', () => {
  let server: RigServer;
  let client: Client;
  const shutdown = new AbortController();

  before(async () => {
    server = await startRigServer({ firstMessageTimeoutMs: 300, signal: shutdown.signal });
    client = new RigClient(server.port);
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  it('rejects a client that sends nothing within the timeout', async () => {
    const stream = client.open();
    const failure = await stream.registrationResult(2000);
    assert.equal(idOf(failure?.id), failureIds.invalidArgument);
    assert.equal(failure?.reason, 'registrationRequest: was not received within 300 ms of opening the stream');
    const ended = await stream.status;
    assert.equal(ended.code, status.OK);
    assert.ok(ended.at - stream.openedAt >= 250, `ended after ${ended.at - stream.openedAt} ms`);
    assert.equal(await server.connections.next(), undefined, 'no connection reaches the service');
  });

  it('ends every call, registered or not, when the Runtime shuts down', async () => {
    const { stream: accepted, connection } = await connectAndAccept(server, client);
    const pending = connection.call(handleEventRequest('event'), context());
    await accepted.requests.next();
    const registering = client.open();
    registering.register();
    const unanswered = await server.connections.next();
    assert.ok(unanswered !== undefined);
    const silent = client.open();
    await delay(50);

    shutdown.abort();
    await rejectsWithEnd(pending, 'shutting-down');
    assert.deepEqual(await unanswered.closed, { kind: 'shutting-down' });
    for (const stream of [accepted, registering, silent]) {
      const ended = await stream.status;
      assert.equal(ended.code, status.UNAVAILABLE);
      assert.match(ended.details, /shutting down/);
    }
    assert.equal(await server.connections.next(), undefined, 'the silent stream never became a connection');

    const late = client.open();
    late.register();
    assert.equal((await late.status).code, status.UNAVAILABLE, 'calls after shutdown end at once');
  });
});
