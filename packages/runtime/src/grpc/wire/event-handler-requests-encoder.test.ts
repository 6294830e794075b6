import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  AggregateRootId,
  AggregateRootVersion,
  ArtifactId,
  ConsentId,
  CorrelationId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
  MicroserviceId,
  PartitionId,
  ScopeId,
  TenantId,
} from '@dolittle-ts/fundamentals';
import { guidToBytes } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';
import fc from 'fast-check';
import { committedEventToPb } from '../committed-events.js';
import {
  EventHandlerRuntimeToClientMessage,
  HandleEventRequest,
  ReverseCallRequestContext,
  StreamEvent,
  Uuid,
} from '../contracts.js';
import { executionContextToPb, guidToUuid } from '../convert.js';
import { retryStateToPb } from '../processor-failures.js';
import { encodeHandleEventRequestMessage, type HandleEventRequestFields } from './event-handler-requests-encoder.js';
import { encodeRequestContext } from './reverse-call-context-encoder.js';

const guid = fc.uuid();
const text = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 3000 }));
const count = fc.oneof(fc.constant(0), fc.nat(1000), fc.maxSafeNat());
const date = fc.date({ min: new Date(0), max: new Date(4_102_444_800_000), noInvalidDate: true });

const executionContext: fc.Arbitrary<ExecutionContext> = fc.record({
  microserviceId: guid.map((g) => g as MicroserviceId),
  tenantId: guid.map((g) => g as TenantId),
  version: fc.record({
    major: fc.nat(1000),
    minor: fc.nat(1000),
    patch: fc.nat(1000),
    build: fc.nat(100_000),
    preRelease: text,
  }),
  correlationId: guid.map((g) => g as CorrelationId),
  claims: fc.array(fc.record({ key: text, value: text, valueType: text }), { maxLength: 3 }),
  environment: text,
});

const committedEvent: fc.Arbitrary<CommittedEvent> = fc.record({
  sequenceNumber: count.map((n) => n as EventLogSequenceNumber),
  occurred: date,
  eventSourceId: guid.map((g) => g as EventSourceId),
  executionContext,
  type: fc.record({ id: guid.map((g) => g as ArtifactId), generation: fc.oneof(fc.constant(0), fc.nat(100)) }),
  public: fc.boolean(),
  content: text,
  aggregate: fc.option(
    fc.record({ rootId: guid.map((g) => g as AggregateRootId), version: count.map((n) => n as AggregateRootVersion) }),
    { nil: undefined },
  ),
  external: fc.option(
    fc.record({
      sequenceNumber: count.map((n) => n as EventLogSequenceNumber),
      received: date,
      consentId: guid.map((g) => g as ConsentId),
    }),
    { nil: undefined },
  ),
});

const request: fc.Arbitrary<HandleEventRequestFields> = fc.record({
  event: committedEvent,
  partition: fc.oneof(fc.constant('00000000-0000-0000-0000-000000000000'), guid).map((g) => g as PartitionId),
  scope: fc.oneof(fc.constant('00000000-0000-0000-0000-000000000000'), guid).map((g) => g as ScopeId),
  partitioned: fc.boolean(),
  retry: fc.option(fc.record({ reason: text, retryCount: fc.oneof(fc.constant(0), fc.nat(2 ** 32 - 1)) }), {
    nil: undefined,
  }),
});

/** The same message built with the contract classes, as the Runtime did before it encoded requests itself. */
function builtWithContractClasses(
  callId: Uint8Array,
  context: ExecutionContext,
  fields: HandleEventRequestFields,
): EventHandlerRuntimeToClientMessage {
  const streamEvent = new StreamEvent();
  streamEvent.setEvent(committedEventToPb(fields.event));
  streamEvent.setPartitionid(guidToUuid(fields.partition));
  streamEvent.setScopeid(guidToUuid(fields.scope));
  streamEvent.setPartitioned(fields.partitioned);
  const handleRequest = new HandleEventRequest();
  handleRequest.setEvent(streamEvent);
  const retry = retryStateToPb(fields.retry);
  if (retry !== undefined) handleRequest.setRetryprocessingstate(retry);
  const callContext = new ReverseCallRequestContext();
  callContext.setCallid(new Uuid().setValue(callId));
  callContext.setExecutioncontext(executionContextToPb(context));
  handleRequest.setCallcontext(callContext);
  return new EventHandlerRuntimeToClientMessage().setHandlerequest(handleRequest);
}

test('HandleEventRequest bytes decode with the contract classes to the message they build, for random events', () => {
  fc.assert(
    fc.property(guid, executionContext, request, (callId, context, fields) => {
      const callIdBytes = guidToBytes(callId as never);
      const encoded = encodeHandleEventRequestMessage(encodeRequestContext(callIdBytes, context), fields);
      const expected = builtWithContractClasses(callIdBytes, context, fields);
      const decoded = EventHandlerRuntimeToClientMessage.deserializeBinary(new Uint8Array(encoded));
      assert.deepEqual(decoded.toObject(), expected.toObject());
      assert.deepEqual(Buffer.from(encoded), Buffer.from(expected.serializeBinary()));
    }),
    { numRuns: 500 },
  );
});

test('the request context carries the call id and the execution context, both always present', () => {
  const context: ExecutionContext = {
    microserviceId: '00000000-0000-0000-0000-000000000000' as MicroserviceId,
    tenantId: '00000000-0000-0000-0000-000000000000' as TenantId,
    version: { major: 0, minor: 0, patch: 0, build: 0, preRelease: '' },
    correlationId: '00000000-0000-0000-0000-000000000000' as CorrelationId,
    claims: [],
    environment: '',
  };
  const callId = guidToBytes('8a1f6e2c-0b4d-4c3e-9f00-112233445566' as never);
  const decoded = ReverseCallRequestContext.deserializeBinary(encodeRequestContext(callId, context));
  assert.deepEqual(decoded.getCallid()?.getValue_asU8(), callId);
  assert.ok(decoded.hasExecutioncontext(), 'an all-default execution context is still sent');
  assert.equal(decoded.getExecutioncontext()?.getTenantid()?.getValue_asU8().length, 16);
});
