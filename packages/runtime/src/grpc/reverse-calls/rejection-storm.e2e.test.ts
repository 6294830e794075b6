import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { developmentTenant, InvalidArgument, type TenantId } from '@dolittle-ts/fundamentals';
import { status } from '@grpc/grpc-js';
import { EventHandlerClientToRuntimeMessage, EventHandlerRegistrationResponse, Pong } from '../contracts.js';
import { abortSubscriberCount } from './abort-fan-out.js';
import {
  type Connection,
  delay,
  handleEventRequest,
  Inbox,
  listenerCounts,
  RigClient,
  type RigStream,
  startRigServer,
} from './event-handlers-test-rig.js';

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('a rejection storm (the official SDK re-registers a rejected handler faster and faster)', () => {
  it('rejects 500 quick registrations cheaply, leaves no timers or listeners behind, and serves the next client', async (t) => {
    const shutdown = new AbortController();
    let rejecting = true;
    const accepted = new Inbox<Connection>();
    const server = await startRigServer({
      signal: shutdown.signal,
      onConnection: (connection) => {
        if (rejecting) connection.reject(new InvalidArgument('eventHandlerId', 'is already registered'));
        else accepted.push(connection);
      },
    });
    const client = new RigClient(server.port);
    try {
      const settle = async (stream: RigStream) => {
        const failure = await stream.registrationResult();
        assert.ok(failure !== undefined, 'rejected');
        assert.equal((await stream.status).code, status.OK);
      };
      // Warm up the channel so its own timers are in the baseline.
      const warmUp = client.open();
      warmUp.register();
      await settle(warmUp);
      await server.allClosed(1);
      await delay(50);
      const timersBefore = timers();

      const total = 500;
      const wave = 50;
      const startedAt = performance.now();
      for (let sent = 0; sent < total; sent += wave) {
        const streams = Array.from({ length: wave }, (_, i) => {
          const stream = client.open();
          // Half register properly (pinged, then rejected by the service); half send garbage first.
          if (i % 2 === 0) stream.register({ pingIntervalMs: 1000 });
          else stream.send(new EventHandlerClientToRuntimeMessage().setPong(new Pong()));
          return stream;
        });
        await Promise.all(streams.map(settle));
      }
      const elapsedMs = performance.now() - startedAt;
      await server.allClosed(total + 1);
      t.diagnostic(`${total} connections rejected in ${elapsedMs.toFixed(0)} ms`);

      const kinds = new Map<string, number>();
      for (const end of server.observed.ends) kinds.set(end.kind, (kinds.get(end.kind) ?? 0) + 1);
      assert.deepEqual(Object.fromEntries(kinds), { rejected: total / 2 + 1, 'invalid-arguments': total / 2 });

      for (const [call, atEntry] of server.listenersAtEntry) {
        assert.deepEqual(listenerCounts(call), atEntry, 'the dispatcher removed every listener it added');
      }
      assert.equal(abortSubscriberCount(shutdown.signal), 0, 'no connection still waits on the shutdown signal');
      assert.ok(getEventListeners(shutdown.signal, 'abort').length <= 1, 'one listener on the shutdown signal at most');
      await delay(50);
      assert.ok(timers() <= timersBefore, `timers: ${timersBefore} before the storm, ${timers()} after`);

      // The next client is served normally.
      rejecting = false;
      const stream = client.open();
      stream.register({ pingIntervalMs: 200 });
      const connection = await accepted.next(5000, 'the next connection');
      connection.accept(new EventHandlerRegistrationResponse());
      assert.equal(await stream.registrationResult(), undefined);
      await stream.pings.next(1000, 'a ping');
      const call = connection.call(handleEventRequest('after the storm'), {
        ...connection.executionContext,
        tenantId: developmentTenant as TenantId,
      });
      stream.answer(await stream.requests.next(), 'handled');
      assert.equal((await call).getFailure()?.getReason(), 'handled');
      connection.end();
      assert.equal((await stream.status).code, status.OK);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
