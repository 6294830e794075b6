import type { AggregateRootId, EventLogSequenceNumber, EventSourceId } from '@dolittle-ts/fundamentals';
import {
  artifact,
  CommitAggregateEventsRequest,
  type CommitAggregateEventsResponse,
  CommitEventsRequest,
  type CommitEventsResponse,
  callContext,
  type EventStoreClient,
  guidToUuid,
  UncommittedAggregateEvents,
  uncommittedEvent,
} from '@dolittle-ts/runtime/testing';

export interface Workload {
  readonly client: EventStoreClient;
  stopped: boolean;
}

const eventType = '5dc02f84-c6fc-4e1b-997c-ec33d0048a3b';
const eventSource = '8a7c0b12-3d4e-4f50-8a6b-7c8d9e0f1a2b';

/** Commits the events; resolves with their sequence numbers once acknowledged, rejects on any failure. */
export async function commitEvents(workload: Workload, contents: readonly string[]): Promise<EventLogSequenceNumber[]> {
  const request = new CommitEventsRequest();
  request.setCallcontext(callContext());
  request.setEventsList(contents.map((content) => uncommittedEvent(eventSource, eventType, content)));
  const response = await workload.client.call<CommitEventsResponse>('commit', request);
  const failure = response.getFailure();
  if (failure !== undefined) throw new Error(failure.getReason());
  return response.getEventsList().map((e) => e.getEventlogsequencenumber() as EventLogSequenceNumber);
}

export async function aggregateCommit(
  workload: Workload,
  root: AggregateRootId,
  es: EventSourceId,
  expected: number,
  contents: readonly string[],
): Promise<EventLogSequenceNumber[]> {
  const request = new CommitAggregateEventsRequest();
  request.setCallcontext(callContext());
  const events = new UncommittedAggregateEvents();
  events.setAggregaterootid(guidToUuid(root));
  events.setEventsourceid(guidToUuid(es));
  events.setExpectedaggregaterootversion(expected);
  events.setEventsList(
    contents.map((content) => {
      const event = new UncommittedAggregateEvents.UncommittedAggregateEvent();
      event.setArtifact(artifact(eventType));
      event.setContent(content);
      return event;
    }),
  );
  request.setEvents(events);
  const response = await workload.client.call<CommitAggregateEventsResponse>('commitForAggregate', request);
  const failure = response.getFailure();
  if (failure !== undefined) throw new Error(failure.getReason());
  return (response.getEvents()?.getEventsList() ?? []).map(
    (e) => e.getEventlogsequencenumber() as EventLogSequenceNumber,
  );
}
