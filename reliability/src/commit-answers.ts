/*
 * Commits and fetches over the Runtime's EventStore service that report what the client was told as a value (an
 * acknowledgement with sequence numbers, a Dolittle failure, or a gRPC error), so a check can count and judge
 * every answer instead of stopping at the first failure.
 */
import {
  Aggregate,
  artifact,
  CommitAggregateEventsRequest,
  type CommitAggregateEventsResponse,
  CommitEventsRequest,
  type CommitEventsResponse,
  callContext,
  type EventStoreClient,
  type Failure,
  FetchForAggregateRequest,
  type FetchForAggregateResponse,
  guidToUuid,
  UncommittedAggregateEvents,
  uncommittedEvent,
  uuidToGuid,
} from '@dolittle-ts/runtime/testing';

/** Dolittle's failure ids, as the Runtime answers them inside responses. */
export const failureIds = {
  storeUnavailable: 'b6fcb5dd-a32b-435b-8bf4-ed96e846d460',
  aggregateRootConcurrencyConflict: 'f25cccfb-3ae1-4969-bee6-906370ffbc2d',
  noEventsToCommit: 'ef3f1a42-9bc3-4d98-aa2a-942db7c56ac1',
} as const;

export type CommitAnswer =
  | { readonly kind: 'acknowledged'; readonly sequenceNumbers: readonly number[] }
  | { readonly kind: 'failed'; readonly failureId: string; readonly reason: string }
  /** The call itself failed (no Runtime listening, the connection cut): the client learns nothing. */
  | { readonly kind: 'no answer'; readonly error: string };

export interface UncommittedEventSpec {
  readonly eventSource: string;
  readonly type: string;
  readonly content: string;
}

export async function commitEvents(
  client: EventStoreClient,
  events: readonly UncommittedEventSpec[],
): Promise<CommitAnswer> {
  const request = new CommitEventsRequest();
  request.setCallcontext(callContext());
  request.setEventsList(events.map((e) => uncommittedEvent(e.eventSource, e.type, e.content)));
  return answerOf(
    () => client.call<CommitEventsResponse>('commit', request),
    (response) => response.getEventsList().map((e) => e.getEventlogsequencenumber()),
  );
}

export interface AggregateCommitSpec {
  readonly aggregateRoot: string;
  readonly eventSource: string;
  readonly expectedVersion: number;
  readonly type: string;
  readonly contents: readonly string[];
}

export async function commitAggregateEvents(
  client: EventStoreClient,
  spec: AggregateCommitSpec,
): Promise<CommitAnswer> {
  const request = new CommitAggregateEventsRequest();
  request.setCallcontext(callContext());
  const events = new UncommittedAggregateEvents();
  events.setAggregaterootid(guidToUuid(spec.aggregateRoot));
  events.setEventsourceid(guidToUuid(spec.eventSource));
  events.setExpectedaggregaterootversion(spec.expectedVersion);
  events.setEventsList(
    spec.contents.map((content) => {
      const event = new UncommittedAggregateEvents.UncommittedAggregateEvent();
      event.setArtifact(artifact(spec.type));
      event.setContent(content);
      return event;
    }),
  );
  request.setEvents(events);
  return answerOf(
    () => client.call<CommitAggregateEventsResponse>('commitForAggregate', request),
    (response) => (response.getEvents()?.getEventsList() ?? []).map((e) => e.getEventlogsequencenumber()),
  );
}

export interface FetchedAggregate {
  readonly events: readonly { readonly sequenceNumber: number; readonly content: string }[];
}

/** The aggregate root instance's events as the Runtime serves them; throws on any failure. */
export async function fetchAggregate(
  client: EventStoreClient,
  aggregateRoot: string,
  eventSource: string,
): Promise<FetchedAggregate> {
  const request = new FetchForAggregateRequest();
  request.setCallcontext(callContext());
  const aggregate = new Aggregate();
  aggregate.setAggregaterootid(guidToUuid(aggregateRoot));
  aggregate.setEventsourceid(guidToUuid(eventSource));
  request.setAggregate(aggregate);
  const response = await client.call<FetchForAggregateResponse>('fetchForAggregate', request);
  const failure = response.getFailure();
  if (failure !== undefined) throw new Error(`fetching aggregate ${eventSource} failed: ${failure.getReason()}`);
  return {
    events: (response.getEvents()?.getEventsList() ?? []).map((e) => ({
      sequenceNumber: e.getEventlogsequencenumber(),
      content: e.getContent(),
    })),
  };
}

async function answerOf<R extends { getFailure(): Failure | undefined }>(
  call: () => Promise<R>,
  sequenceNumbersOf: (response: R) => number[],
): Promise<CommitAnswer> {
  let response: R;
  try {
    response = await call();
  } catch (error) {
    return { kind: 'no answer', error: error instanceof Error ? error.message : String(error) };
  }
  const failure = response.getFailure();
  if (failure !== undefined) {
    return { kind: 'failed', failureId: uuidToGuid(failure.getId(), 'failure.id'), reason: failure.getReason() };
  }
  return { kind: 'acknowledged', sequenceNumbers: sequenceNumbersOf(response) };
}
