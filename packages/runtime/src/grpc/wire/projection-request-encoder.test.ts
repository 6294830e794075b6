import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ArtifactId,
  ConsentId,
  CorrelationId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
  Guid,
  MicroserviceId,
  TenantId,
} from '@dolittle-ts/fundamentals';
import { unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';
import type { RetryState } from '../../processing/processing-result.js';
import type { ProjectionCurrentState as CurrentState } from '../../projections/projection-processor.js';
import { committedEventToPb } from '../committed-events.js';
import {
  ProjectionCurrentState,
  ProjectionCurrentStateType,
  ProjectionRequest,
  ProjectionRuntimeToClientMessage,
  RetryProcessingState,
  ReverseCallRequestContext,
  StreamEvent,
} from '../contracts.js';
import { executionContextToPb, guidToUuid } from '../convert.js';
import { projectionsServiceDefinition } from '../projections-service.js';
import { encodeProjectionRequestMessage, type ProjectionRequestFields } from './projection-request-encoder.js';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const guid = () =>
    Array.from({ length: 16 }, () => int(256).toString(16).padStart(2, '0'))
      .join('')
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5') as Guid;
  const pieces = [
    '',
    'a',
    'Bean Blaster Taco',
    'æøå',
    '日本語',
    '🎉',
    '"quoted"',
    '\\',
    '\n',
    ' ',
    '{}',
    'x'.repeat(300),
  ];
  const text = (parts = 4) => Array.from({ length: int(parts + 1) }, () => pick(pieces)).join('');
  return { next, int, pick, guid, text };
}

type Random = ReturnType<typeof random>;

function executionContext(r: Random): ExecutionContext {
  return {
    microserviceId: r.guid() as string as MicroserviceId,
    tenantId: r.guid() as string as TenantId,
    version: { major: r.int(3), minor: r.int(20), patch: r.int(200), build: r.int(2), preRelease: r.text(1) },
    correlationId: r.guid() as string as CorrelationId,
    claims: Array.from({ length: r.int(3) }, () => ({ key: r.text(1), value: r.text(2), valueType: r.text(1) })),
    environment: r.pick(['', 'Development', 'Production']),
  };
}

function committedEvent(r: Random): CommittedEvent {
  const occurred = new Date(r.pick([0, 1_000, 1_700_000_000_123, 1_700_000_000_000 + r.int(1e9)]));
  return {
    sequenceNumber: r.pick([0, 1, 127, 128, 2 ** 31, 2 ** 40 + 3, r.int(1e6)]) as EventLogSequenceNumber,
    occurred,
    eventSourceId: r.guid() as string as EventSourceId,
    executionContext: executionContext(r),
    type: { id: r.guid() as string as ArtifactId, generation: r.pick([0, 1, 2, 300]) },
    public: r.next() < 0.5,
    content: JSON.stringify({ key: r.text(), n: r.int(1e6) }),
    aggregate: undefined,
    external:
      r.next() < 0.2
        ? {
            sequenceNumber: r.int(1e6) as EventLogSequenceNumber,
            received: new Date(1_700_000_000_000 + r.int(1e9)),
            consentId: r.guid() as string as ConsentId,
          }
        : undefined,
  };
}

/** The same message built with the contract classes, as the Runtime used to. */
function withContractClasses(
  callContext: ReverseCallRequestContext,
  fields: ProjectionRequestFields,
): ProjectionRuntimeToClientMessage {
  const state = new ProjectionCurrentState();
  state.setType(
    fields.current.type === 'initial'
      ? ProjectionCurrentStateType.CREATED_FROM_INITIAL_STATE
      : ProjectionCurrentStateType.PERSISTED,
  );
  state.setKey(fields.current.key);
  state.setState(fields.current.state);
  const streamEvent = new StreamEvent();
  streamEvent.setEvent(committedEventToPb(fields.event));
  streamEvent.setPartitionid(guidToUuid(unspecifiedPartition));
  streamEvent.setScopeid(guidToUuid(fields.scope));
  streamEvent.setPartitioned(false);
  const request = new ProjectionRequest();
  request.setCallcontext(callContext);
  request.setCurrentstate(state);
  request.setEvent(streamEvent);
  if (fields.retry !== undefined) {
    const retry = new RetryProcessingState();
    retry.setFailurereason(fields.retry.reason);
    retry.setRetrycount(fields.retry.retryCount);
    request.setRetryprocessingstate(retry);
  }
  return new ProjectionRuntimeToClientMessage().setHandlerequest(request);
}

function requestOf(r: Random): { callContext: ReverseCallRequestContext; fields: ProjectionRequestFields } {
  const current: CurrentState = {
    type: r.next() < 0.5 ? 'initial' : 'persisted',
    key: r.text(),
    state: JSON.stringify({ count: r.int(1000), text: r.text() }),
  };
  const retry: RetryState | undefined =
    r.next() < 0.3 ? { reason: r.text(), retryCount: r.pick([0, 1, 5, 127, 128, 70_000]) } : undefined;
  const callContext = new ReverseCallRequestContext();
  callContext.setCallid(guidToUuid(r.guid()));
  callContext.setExecutioncontext(executionContextToPb(executionContext(r)));
  return {
    callContext,
    fields: {
      current,
      event: committedEvent(r),
      scope: r.pick(['00000000-0000-0000-0000-000000000000', r.guid()]),
      retry,
    },
  };
}

test('the encoded ProjectionRequest equals the one built with the contract classes, byte for byte', () => {
  for (let seed = 1; seed <= 500; seed++) {
    const { callContext, fields } = requestOf(random(seed));
    const encoded = encodeProjectionRequestMessage(callContext.serializeBinary(), fields);
    const expected = withContractClasses(callContext, fields);
    assert.deepEqual(Buffer.from(encoded), Buffer.from(expected.serializeBinary()), `seed ${seed}`);
    // And what a head reads from it is the same message.
    assert.deepEqual(
      ProjectionRuntimeToClientMessage.deserializeBinary(encoded).toObject(),
      expected.toObject(),
      `seed ${seed}`,
    );
  }
});

test('encoded request bytes go out through the Projections service definition as they are', () => {
  const { callContext, fields } = requestOf(random(4242));
  const bytes = encodeProjectionRequestMessage(callContext.serializeBinary(), fields);
  const serialize = projectionsServiceDefinition.connect.responseSerialize as (value: unknown) => Buffer;
  assert.deepEqual(serialize(bytes), Buffer.from(bytes));
  // Message objects still go through the generated serializer.
  const message = ProjectionRuntimeToClientMessage.deserializeBinary(bytes);
  assert.deepEqual(serialize(message), Buffer.from(message.serializeBinary()));
});
