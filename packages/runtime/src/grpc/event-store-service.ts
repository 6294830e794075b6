import {
  AggregateRootConcurrencyConflict,
  type AggregateRootId,
  type AggregateRootVersion,
  type ExecutionContext as DomainExecutionContext,
  type EventSourceId,
  InvalidArgument,
  NoEventsToCommit,
} from '@dolittle-ts/fundamentals';
import type { CommitOutcome, CommittedEvent as DomainCommittedEvent } from '@dolittle-ts/store';
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Tenant, Tenants } from '../tenancy/tenants.js';
import {
  type CallRequestContext,
  type CommitAggregateEventsRequest,
  CommitAggregateEventsResponse,
  type CommitEventsRequest,
  CommitEventsResponse,
  eventStoreService,
  type FetchForAggregateRequest,
  FetchForAggregateResponse,
} from './contracts.js';
import { artifactFromPb, executionContextFromPb, uuidToGuid, validateJsonContent } from './convert.js';
import { failureOf, mappingOf } from './failures.js';
import { acceptingEncodedResponses } from './grpc-server.js';
import { DecodedCommit, decodeCommitRequest } from './wire/commit-request-decoder.js';
import { encodeAggregateEventsResponse, encodeCommitEventsResponse } from './wire/committed-events-encoder.js';

export interface EventStoreServiceDependencies {
  readonly tenants: Tenants;
  readonly logger: Logger;
}

/**
 * The EventStore's service definition: responses may be given as encoded bytes, and Commit requests in the usual
 * layout are read from their bytes (`decodeCommitRequest`), the others with the contract classes.
 */
export const eventStoreServiceDefinition = acceptingEncodedResponses({
  ...eventStoreService,
  commit: {
    ...eventStoreService.commit,
    requestDeserialize: (bytes: Buffer) =>
      decodeCommitRequest(bytes) ?? eventStoreService.commit.requestDeserialize(bytes),
  },
});

/** `dolittle.runtime.events.EventStore`: commits go through the tenant's group committer; fetches read the store. */
export function createEventStoreService(deps: EventStoreServiceDependencies): UntypedServiceImplementation {
  const { tenants, logger } = deps;

  /** Answers every failure inside the response, where the official SDK reads it; never throws into gRPC. */
  function fail<R extends { setFailure(f: ReturnType<typeof failureOf>): unknown }>(
    method: string,
    response: R,
    error: unknown,
    callback: sendUnaryData<R>,
  ): void {
    const mapping = mappingOf(error);
    if (mapping.failureId === '05cc1d10-4efc-457b-84a6-a1be0a5f36ba')
      logger.error({ err: error, method }, 'unexpected failure');
    else logger.debug({ method, reason: mapping.reason }, 'request failed');
    response.setFailure(failureOf(error));
    callback(null, response);
  }

  return {
    commit(
      call: ServerUnaryCall<CommitEventsRequest | DecodedCommit, CommitEventsResponse>,
      callback: sendUnaryData<CommitEventsResponse>,
    ) {
      let context: DomainExecutionContext;
      let events: Readonly<ReturnType<typeof readUncommittedEvents>>;
      let tenant: Tenant;
      const request = call.request;
      try {
        if (request instanceof DecodedCommit) {
          context = request.executionContext;
          tenant = tenants.get(context.tenantId);
          events = request.events;
          for (const [i, event] of events.entries()) validateJsonContent(event.content, `events[${i}].content`);
        } else {
          context = readExecutionContext(request.getCallcontext());
          tenant = tenants.get(context.tenantId);
          events = readUncommittedEvents(request);
        }
      } catch (error) {
        fail('Commit', new CommitEventsResponse(), error, callback);
        return;
      }
      tenant.committer
        .commit({ kind: 'events', executionContext: context, events })
        .then((outcome) => {
          const committed = expectCommitted(outcome, undefined);
          callback(null, encodeCommitEventsResponse(committed) as unknown as CommitEventsResponse);
        })
        .catch((error: unknown) => fail('Commit', new CommitEventsResponse(), error, callback));
    },

    commitForAggregate(
      call: ServerUnaryCall<CommitAggregateEventsRequest, CommitAggregateEventsResponse>,
      callback: sendUnaryData<CommitAggregateEventsResponse>,
    ) {
      const response = new CommitAggregateEventsResponse();
      let context: DomainExecutionContext;
      let request: ReturnType<typeof readAggregateCommit>;
      let tenant: Tenant;
      try {
        context = readExecutionContext(call.request.getCallcontext());
        tenant = tenants.get(context.tenantId);
        request = readAggregateCommit(call.request);
      } catch (error) {
        fail('CommitForAggregate', response, error, callback);
        return;
      }
      tenant.committer
        .commit({ kind: 'aggregate', executionContext: context, ...request })
        .then((outcome) => {
          const committed = expectCommitted(outcome, request);
          callback(
            null,
            encodeAggregateEventsResponse(
              request.aggregateRootId,
              request.eventSourceId,
              committed,
            ) as unknown as CommitAggregateEventsResponse,
          );
        })
        .catch((error: unknown) => fail('CommitForAggregate', response, error, callback));
    },

    fetchForAggregate(
      call: ServerUnaryCall<FetchForAggregateRequest, FetchForAggregateResponse>,
      callback: sendUnaryData<FetchForAggregateResponse>,
    ) {
      const response = new FetchForAggregateResponse();
      let context: DomainExecutionContext;
      let aggregateRootId: AggregateRootId;
      let eventSourceId: EventSourceId;
      try {
        context = readExecutionContext(call.request.getCallcontext());
        const aggregate = call.request.getAggregate();
        if (aggregate === undefined) throw new InvalidArgument('aggregate', 'is missing');
        aggregateRootId = uuidToGuid(
          aggregate.getAggregaterootid(),
          'aggregate.aggregateRootId',
        ) as string as AggregateRootId;
        eventSourceId = uuidToGuid(aggregate.getEventsourceid(), 'aggregate.eventSourceId') as string as EventSourceId;
      } catch (error) {
        fail('FetchForAggregate', response, error, callback);
        return;
      }
      Promise.resolve()
        .then(() => tenants.get(context.tenantId).store.events.fetchForAggregate(aggregateRootId, eventSourceId))
        .then((fetched) => {
          callback(
            null,
            encodeAggregateEventsResponse(
              aggregateRootId,
              eventSourceId,
              fetched.events,
            ) as unknown as FetchForAggregateResponse,
          );
        })
        .catch((error: unknown) => fail('FetchForAggregate', response, error, callback));
    },
  };
}

function readExecutionContext(callContext: CallRequestContext | undefined): DomainExecutionContext {
  if (callContext === undefined) throw new InvalidArgument('callContext', 'is missing');
  return executionContextFromPb(callContext.getExecutioncontext(), 'callContext.executionContext');
}

function readUncommittedEvents(request: CommitEventsRequest) {
  return request.getEventsList().map((event, i) => ({
    eventSourceId: uuidToGuid(event.getEventsourceid(), `events[${i}].eventSourceId`) as string as EventSourceId,
    type: artifactFromPb(event.getArtifact(), `events[${i}].artifact`),
    public: event.getPublic(),
    content: validateJsonContent(event.getContent(), `events[${i}].content`),
  }));
}

function readAggregateCommit(request: CommitAggregateEventsRequest) {
  const aggregate = request.getEvents();
  if (aggregate === undefined) throw new InvalidArgument('events', 'is missing');
  const expected = aggregate.getExpectedaggregaterootversion();
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidArgument('events.expectedAggregateRootVersion', `must be a non-negative integer, was ${expected}`);
  }
  return {
    aggregateRootId: uuidToGuid(aggregate.getAggregaterootid(), 'events.aggregateRootId') as string as AggregateRootId,
    eventSourceId: uuidToGuid(aggregate.getEventsourceid(), 'events.eventSourceId') as string as EventSourceId,
    expectedVersion: expected as AggregateRootVersion,
    events: aggregate.getEventsList().map((event, i) => ({
      type: artifactFromPb(event.getArtifact(), `events.events[${i}].artifact`),
      public: event.getPublic(),
      content: validateJsonContent(event.getContent(), `events.events[${i}].content`),
    })),
  };
}

function expectCommitted(
  outcome: CommitOutcome,
  aggregate: { aggregateRootId: AggregateRootId; eventSourceId: EventSourceId } | undefined,
): readonly DomainCommittedEvent[] {
  if (outcome.ok) return outcome.events;
  if (outcome.failure.kind === 'NoEventsToCommit') throw new NoEventsToCommit();
  throw new AggregateRootConcurrencyConflict({
    eventSourceId: aggregate?.eventSourceId ?? '',
    aggregateRootId: aggregate?.aggregateRootId ?? '',
    expected: outcome.failure.expected,
    actual: outcome.failure.actual,
  });
}
