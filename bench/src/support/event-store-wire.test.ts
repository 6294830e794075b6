import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import failurePb from '@dolittle/contracts/Protobuf/Failure_pb.js';
import uuidPb from '@dolittle/contracts/Protobuf/Uuid_pb.js';
import committedPb from '@dolittle/runtime.contracts/Events/Committed_pb.js';
import eventStorePb from '@dolittle/runtime.contracts/Events/EventStore_pb.js';
import { type Guid, guidFromBytes, guidToBytes } from '@dolittle-ts/fundamentals';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import {
  checkAggregateEventsResponse,
  checkCommitEventsResponse,
  commitEventsTemplate,
  RuntimeFailure,
  verifyCommitEventsResponse,
} from './event-store-wire.js';

const { CommitEventsRequest, CommitEventsResponse, FetchForAggregateResponse } = eventStorePb;
const { CommittedEvent, CommittedAggregateEvents } = committedPb;

/** What the Runtime would answer to `request`: every event committed, from sequence number `first`. */
function answer(requestBytes: Buffer, first: number): Buffer {
  const request = CommitEventsRequest.deserializeBinary(requestBytes);
  const response = new CommitEventsResponse();
  response.setEventsList(
    request.getEventsList().map((event, i) => {
      const committed = new CommittedEvent();
      committed.setEventlogsequencenumber(first + i);
      committed.setOccurred(new timestampPb.Timestamp());
      committed.setEventsourceid(event.getEventsourceid());
      committed.setExecutioncontext(request.getCallcontext()?.getExecutioncontext());
      committed.setType(event.getArtifact());
      committed.setContent(event.getContent());
      return committed;
    }),
  );
  return Buffer.from(response.serializeBinary());
}

describe('request templates', () => {
  it('stamps a different correlation id and event sources into each copy, leaving the rest as built', () => {
    const template = commitEventsTemplate(3);
    const a = CommitEventsRequest.deserializeBinary(template.stamp(1));
    const b = CommitEventsRequest.deserializeBinary(template.stamp(2));
    const ids = (r: InstanceType<typeof CommitEventsRequest>) => [
      guidFromBytes(r.getCallcontext()?.getExecutioncontext()?.getCorrelationid()?.getValue_asU8() ?? new Uint8Array()),
      ...r.getEventsList().map((e) => guidFromBytes(e.getEventsourceid()?.getValue_asU8() ?? new Uint8Array())),
    ];
    assert.equal(new Set([...ids(a), ...ids(b)]).size, 8);
    assert.deepEqual(
      a.getEventsList().map((e) => e.getContent()),
      b.getEventsList().map((e) => e.getContent()),
    );
    assert.equal(a.getEventsList().length, 3);
  });
});

describe('response checks', () => {
  it('counts committed events without decoding, and verifies a sample in full', () => {
    const request = commitEventsTemplate(100).stamp(7);
    const response = answer(request, 1_000_000);
    assert.equal(checkCommitEventsResponse(response, 100), 100);
    assert.equal(verifyCommitEventsResponse(request, response), 1_000_000);
    assert.throws(() => checkCommitEventsResponse(response, 99), /expected 99 committed events/);
  });

  it('turns a failure into a RuntimeFailure with its id and reason', () => {
    const failure = new failurePb.Failure();
    const id = new uuidPb.Uuid();
    const failureId = 'f25cccfb-3ae1-4969-bee6-906370ffbc2d';
    id.setValue(guidToBytes(failureId as Guid));
    failure.setId(id);
    failure.setReason('conflict');
    const response = new CommitEventsResponse();
    response.setFailure(failure);
    assert.throws(
      () => checkCommitEventsResponse(Buffer.from(response.serializeBinary()), 1),
      (error: unknown) =>
        error instanceof RuntimeFailure && error.failureId === failureId && error.reason === 'conflict',
    );
  });

  it('reads the event count and aggregateRootVersion of aggregate events', () => {
    const events = new CommittedAggregateEvents();
    const eventSource = new uuidPb.Uuid();
    eventSource.setValue(guidToBytes(randomUUID() as Guid));
    events.setEventsourceid(eventSource);
    events.setAggregaterootversion(2 ** 40 + 5);
    events.setEventsList(
      Array.from({ length: 300 }, (_, i) => {
        const event = new CommittedAggregateEvents.CommittedAggregateEvent();
        event.setEventlogsequencenumber(i);
        event.setContent(JSON.stringify({ i }));
        return event;
      }),
    );
    const response = new FetchForAggregateResponse();
    response.setEvents(events);
    assert.deepEqual(checkAggregateEventsResponse(Buffer.from(response.serializeBinary())), {
      events: 300,
      aggregateRootVersion: 2 ** 40 + 5,
    });
  });
});
