import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { developmentTenant, InvalidArgument } from '@dolittle-ts/fundamentals';
import { Duration, EventHandlerClientToRuntimeMessage, Pong, Uuid } from '../contracts.js';
import { eventHandlersProtocol } from './event-handlers-protocol.js';
import { executionContext, registrationMessage } from './event-handlers-test-rig.js';
import { pingIntervalLimits, readReverseCallArguments } from './reverse-call-arguments.js';

function read(message: EventHandlerClientToRuntimeMessage) {
  return readReverseCallArguments(eventHandlersProtocol, message);
}

function rejects(message: EventHandlerClientToRuntimeMessage, field: string, problem: RegExp) {
  assert.throws(
    () => read(message),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgument);
      assert.equal(error.field, field);
      assert.match(error.message, problem);
      return true;
    },
  );
}

describe('readReverseCallArguments', () => {
  it('reads the execution context, head id and ping interval of a registration', () => {
    const args = read(registrationMessage({ pingIntervalMs: 1500 }));
    assert.equal(args.executionContext.tenantId, developmentTenant);
    assert.equal(args.executionContext.environment, 'Test');
    assert.match(args.headId, /^[0-9a-f-]{36}$/);
    assert.equal(args.pingIntervalMs, 1500);
    assert.equal(args.requestedPingIntervalMs, 1500);
    assert.ok(args.arguments.hasEventhandlerid());
  });

  it('clamps absurd ping intervals into pingIntervalLimits', () => {
    assert.equal(read(registrationMessage({ pingIntervalMs: 1 })).pingIntervalMs, pingIntervalLimits.minMs);
    const huge = read(registrationMessage({ pingIntervalMs: 3_600_000 }));
    assert.equal(huge.pingIntervalMs, pingIntervalLimits.maxMs);
    assert.equal(huge.requestedPingIntervalMs, 3_600_000);
  });

  it('rejects another arm first, naming the arm it got', () => {
    rejects(
      new EventHandlerClientToRuntimeMessage().setPong(new Pong()),
      'registrationRequest',
      /first message held pong/,
    );
    rejects(new EventHandlerClientToRuntimeMessage(), 'registrationRequest', /first message held nothing/);
  });

  it('rejects a missing call context, ping interval, execution context or head id', () => {
    rejects(registrationMessage({ withoutCallContext: true }), 'registrationRequest.callContext', /is missing/);
    rejects(
      registrationMessage({ pingIntervalMs: undefined }),
      'registrationRequest.callContext.pingInterval',
      /is missing/,
    );
    rejects(
      registrationMessage({ executionContext: undefined }),
      'registrationRequest.callContext.executionContext',
      /is missing/,
    );
    rejects(registrationMessage({ headId: undefined }), 'registrationRequest.callContext.headId', /is missing/);
  });

  it('rejects a ping interval that is zero or negative', () => {
    rejects(registrationMessage({ pingIntervalMs: 0 }), 'registrationRequest.callContext.pingInterval', /positive/);
    const negative = registrationMessage();
    negative.getRegistrationrequest()?.getCallcontext()?.setPinginterval(new Duration().setSeconds(-1));
    rejects(negative, 'registrationRequest.callContext.pingInterval', /must be positive, was -1000 ms/);
  });

  it('rejects ids that are not 16 bytes, naming the field', () => {
    const context = executionContext();
    context.setTenantid(new Uuid().setValue(new Uint8Array([1, 2, 3])));
    rejects(
      registrationMessage({ executionContext: context }),
      'registrationRequest.callContext.executionContext.tenantId',
      /must be 16 bytes, was 3/,
    );
    rejects(
      registrationMessage({ headId: new Uuid().setValue(new Uint8Array(17)) }),
      'registrationRequest.callContext.headId',
      /must be 16 bytes, was 17/,
    );
  });
});
