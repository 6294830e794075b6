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
  TenantId,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent as DomainCommittedEvent } from '@dolittle-ts/store';
import { committedEventToPb, executionContextToPbCached } from '../committed-events.js';
import {
  CommitAggregateEventsResponse,
  CommitEventsResponse,
  CommittedAggregateEvent,
  CommittedAggregateEvents,
} from '../contracts.js';
import { artifactToPb, guidToUuid, timestampToPb } from '../convert.js';
import { encodeAggregateEventsResponse, encodeCommitEventsResponse } from './committed-events-encoder.js';

const context: ExecutionContext = {
  microserviceId: 'f39b1f61-d360-4675-b859-53c05c87c0e6' as MicroserviceId,
  tenantId: '445f8ea8-1a6f-40d7-b2fc-796dba92dc44' as TenantId,
  version: { major: 1, minor: 2, patch: 3, build: 4, preRelease: 'beta' },
  correlationId: '868ff40f-a133-4d0f-bfdd-18d726181e01' as CorrelationId,
  claims: [{ key: 'role', value: 'chef ✓', valueType: 'string' }],
  environment: 'Development',
};

function event(n: number, overrides: Partial<DomainCommittedEvent> = {}): DomainCommittedEvent {
  return {
    sequenceNumber: n as EventLogSequenceNumber,
    occurred: new Date(1_700_000_000_123 + n),
    eventSourceId: crypto.randomUUID() as EventSourceId,
    executionContext: context,
    type: { id: '1844473f-d714-4327-8b7f-5b3c2bdfc26a' as ArtifactId, generation: n % 3 },
    public: n % 2 === 0,
    content: JSON.stringify({ n, text: 'å 😀 "quoted"', big: 'x'.repeat((n % 1000) * 50) }),
    aggregate: {
      rootId: 'b1d2c3e4-0000-4000-8000-00000000aaaa' as AggregateRootId,
      version: n as AggregateRootVersion,
    },
    external: undefined,
    ...overrides,
  };
}

test('CommitEventsResponse bytes equal the generated serializer, external events included', () => {
  const events = [
    event(0),
    event(1),
    event(200),
    event(3, {
      external: {
        sequenceNumber: 77 as EventLogSequenceNumber,
        received: new Date(1_700_000_999_999),
        consentId: crypto.randomUUID() as ConsentId,
      },
    }),
    event(2 ** 40, { content: '' }),
  ];
  const expected = new CommitEventsResponse();
  expected.setEventsList(events.map((e) => committedEventToPb(e)));
  assert.deepEqual(Buffer.from(encodeCommitEventsResponse(events)), Buffer.from(expected.serializeBinary()));
  assert.deepEqual(
    Buffer.from(encodeCommitEventsResponse([])),
    Buffer.from(new CommitEventsResponse().serializeBinary()),
  );
});

test('aggregate responses bytes equal the generated serializer, with the last event version', () => {
  const root = 'b1d2c3e4-0000-4000-8000-00000000aaaa' as AggregateRootId;
  const source = crypto.randomUUID() as EventSourceId;
  for (const events of [[event(5), event(6), event(7)], []]) {
    const aggregate = new CommittedAggregateEvents();
    aggregate.setAggregaterootid(guidToUuid(root));
    aggregate.setEventsourceid(guidToUuid(source));
    aggregate.setAggregaterootversion(events[events.length - 1]?.aggregate?.version ?? 0);
    aggregate.setEventsList(
      events.map((e) => {
        const item = new CommittedAggregateEvent();
        item.setEventlogsequencenumber(e.sequenceNumber);
        item.setOccurred(timestampToPb(e.occurred));
        item.setExecutioncontext(executionContextToPbCached(e.executionContext));
        item.setType(artifactToPb(e.type));
        item.setPublic(e.public);
        item.setContent(e.content);
        return item;
      }),
    );
    const expected = new CommitAggregateEventsResponse();
    expected.setEvents(aggregate);
    assert.deepEqual(
      Buffer.from(encodeAggregateEventsResponse(root, source, events)),
      Buffer.from(expected.serializeBinary()),
    );
  }
});
