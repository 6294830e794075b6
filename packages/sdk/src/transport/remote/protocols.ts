/*
 * The reverse calls of event handlers, filters (private, partitioned, public), projections and embeddings,
 * described for reverse-call-client.ts: the registration message, how server messages read, and how a request is
 * answered.
 */
import { type EventSourceId, type PartitionId, type ScopeId, unspecifiedPartition } from '@dolittle-ts/fundamentals';
import type {
  EmbeddingEvent,
  EmbeddingEventsOutcome,
  EmbeddingProcessor,
  EmbeddingProjectOutcome,
  EventHandlerProcessor,
  FilterProcessor,
  ProcessingFailure,
  ProjectionProcessor,
  RequestContext,
  RetryState,
} from '../transport.js';
import {
  EmbeddingClientToRuntimeMessage,
  EmbeddingCompareResponse,
  EmbeddingDeleteResponse,
  EmbeddingRegistrationRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  type EmbeddingRuntimeToClientMessage,
  EventHandlerClientToRuntimeMessage,
  EventHandlerRegistrationRequest,
  EventHandlerResponse,
  type EventHandlerRuntimeToClientMessage,
  EventPropertyKeySelector,
  EventSourceIdKeySelector,
  Failure,
  FilterClientToRuntimeMessage,
  type FilterEventRequest,
  FilterRegistrationRequest,
  FilterResponse,
  type FilterRuntimeToClientMessage,
  type HandleEventRequest,
  PartitionedFilterClientToRuntimeMessage,
  PartitionedFilterRegistrationRequest,
  PartitionedFilterResponse,
  PartitionIdKeySelector,
  Pong,
  ProjectionClientToRuntimeMessage,
  ProjectionDeleteResponse,
  ProjectionEventSelector,
  ProjectionRegistrationRequest,
  ProjectionReplaceResponse,
  type ProjectionRequest,
  ProjectionResponse,
  type ProjectionRuntimeToClientMessage,
  PublicFilterClientToRuntimeMessage,
  PublicFilterRegistrationRequest,
  ReverseCallResponseContext,
  services,
  UncommittedEvent,
  type Uuid,
} from './contracts.js';
import type { BidiMethod, ReverseCallClientProtocol, ServerMessageKind } from './reverse-call-client.js';
import {
  artifactOf,
  artifactToPb,
  failureOf,
  guidOf,
  processorFailureToPb,
  readModelOf,
  retryStateOf,
  storedEventOf,
  uuidOf,
} from './wire.js';

function bidi<C, S>(definition: unknown): BidiMethod<C, S> {
  return definition as BidiMethod<C, S>;
}

/** A request the SDK could not even read is answered as a failure the Runtime retries. */
function unreadable(error: unknown): ProcessingFailure {
  return {
    kind: 'failed',
    reason: `the head could not read the request: ${error instanceof Error ? error.message : String(error)}`,
    retry: true,
    retryAfterMs: 5000,
  };
}

function requestContext(
  base: { tenant: RequestContext['tenant']; signal: AbortSignal },
  retry: RetryState | undefined,
): RequestContext {
  return { tenant: base.tenant, signal: base.signal, retry };
}

export function eventHandlerProtocol(
  processor: EventHandlerProcessor,
): ReverseCallClientProtocol<
  EventHandlerClientToRuntimeMessage,
  EventHandlerRuntimeToClientMessage,
  HandleEventRequest
> {
  return {
    processorKind: 'event-handler',
    processorId: processor.id,
    method: bidi(services.eventHandlers.connect),
    registration: (context) =>
      new EventHandlerClientToRuntimeMessage().setRegistrationrequest(
        new EventHandlerRegistrationRequest()
          .setCallcontext(context)
          .setEventhandlerid(uuidOf(processor.id))
          .setScopeid(uuidOf(processor.scope))
          .setPartitioned(processor.partitioned)
          .setTypesList(processor.types.map(artifactToPb)),
      ),
    read: (message): ServerMessageKind<HandleEventRequest> => {
      if (message.hasPing()) return { kind: 'ping' };
      if (message.hasRegistrationresponse()) {
        return { kind: 'connect-response', failure: failureOf(message.getRegistrationresponse()?.getFailure()) };
      }
      const request = message.getHandlerequest();
      return request === undefined
        ? { kind: 'other' }
        : { kind: 'request', request, callContext: request.getCallcontext() };
    },
    pong: () => new EventHandlerClientToRuntimeMessage().setPong(new Pong()),
    async respond(request, callId: Uuid, base) {
      const response = new EventHandlerResponse().setCallcontext(new ReverseCallResponseContext().setCallid(callId));
      let outcome: Awaited<ReturnType<EventHandlerProcessor['handle']>>;
      try {
        const streamEvent = request.getEvent();
        const event = storedEventOf(streamEvent?.getEvent(), 'event.event');
        const stream = {
          partition: guidOf(streamEvent?.getPartitionid(), 'event.partitionId') as string as PartitionId,
          scope: guidOf(streamEvent?.getScopeid(), 'event.scopeId') as string as ScopeId,
        };
        outcome = await processor.handle(
          event,
          stream,
          requestContext(base, retryStateOf(request.getRetryprocessingstate())),
        );
      } catch (error) {
        outcome = unreadable(error);
      }
      if (outcome.kind === 'failed') response.setFailure(processorFailureToPb(outcome));
      return new EventHandlerClientToRuntimeMessage().setHandleresult(response);
    },
  };
}

type AnyFilterClientMessage =
  | InstanceType<typeof FilterClientToRuntimeMessage>
  | InstanceType<typeof PartitionedFilterClientToRuntimeMessage>
  | InstanceType<typeof PublicFilterClientToRuntimeMessage>;

export function filterProtocol(
  processor: FilterProcessor,
): ReverseCallClientProtocol<AnyFilterClientMessage, FilterRuntimeToClientMessage, FilterEventRequest> {
  const kind = processor.filterKind;
  const read = (message: FilterRuntimeToClientMessage): ServerMessageKind<FilterEventRequest> => {
    if (message.hasPing()) return { kind: 'ping' };
    if (message.hasRegistrationresponse()) {
      return { kind: 'connect-response', failure: failureOf(message.getRegistrationresponse()?.getFailure()) };
    }
    const request = message.getFilterrequest();
    return request === undefined
      ? { kind: 'other' }
      : { kind: 'request', request, callContext: request.getCallcontext() };
  };
  const filter = async (
    request: FilterEventRequest,
    base: { tenant: RequestContext['tenant']; signal: AbortSignal },
  ) => {
    try {
      const event = storedEventOf(request.getEvent(), 'event');
      return await processor.filter(event, requestContext(base, retryStateOf(request.getRetryprocessingstate())));
    } catch (error) {
      return unreadable(error);
    }
  };
  if (kind === 'unpartitioned') {
    return {
      processorKind: 'filter',
      processorId: processor.id,
      method: bidi(services.filters.connect),
      registration: (context) =>
        new FilterClientToRuntimeMessage().setRegistrationrequest(
          new FilterRegistrationRequest()
            .setCallcontext(context)
            .setFilterid(uuidOf(processor.id))
            .setScopeid(uuidOf(processor.scope)),
        ),
      read,
      pong: () => new FilterClientToRuntimeMessage().setPong(new Pong()),
      async respond(request, callId, base) {
        const outcome = await filter(request, base);
        const response = new FilterResponse().setCallcontext(new ReverseCallResponseContext().setCallid(callId));
        if (outcome.kind === 'failed') response.setFailure(processorFailureToPb(outcome));
        else response.setIsincluded(outcome.kind === 'included');
        return new FilterClientToRuntimeMessage().setFilterresult(response);
      },
    };
  }
  const partitioned = async (
    request: FilterEventRequest,
    callId: Uuid,
    base: { tenant: RequestContext['tenant']; signal: AbortSignal },
  ) => {
    const outcome = await filter(request, base);
    const response = new PartitionedFilterResponse().setCallcontext(new ReverseCallResponseContext().setCallid(callId));
    if (outcome.kind === 'failed') response.setFailure(processorFailureToPb(outcome));
    else if (outcome.kind === 'included') response.setIsincluded(true).setPartitionid(uuidOf(outcome.partition));
    else response.setIsincluded(false).setPartitionid(uuidOf(unspecifiedPartition));
    return response;
  };
  if (kind === 'partitioned') {
    return {
      processorKind: 'filter',
      processorId: processor.id,
      method: bidi(services.filters.connectPartitioned),
      registration: (context) =>
        new PartitionedFilterClientToRuntimeMessage().setRegistrationrequest(
          new PartitionedFilterRegistrationRequest()
            .setCallcontext(context)
            .setFilterid(uuidOf(processor.id))
            .setScopeid(uuidOf(processor.scope)),
        ),
      read,
      pong: () => new PartitionedFilterClientToRuntimeMessage().setPong(new Pong()),
      respond: async (request, callId, base) =>
        new PartitionedFilterClientToRuntimeMessage().setFilterresult(await partitioned(request, callId, base)),
    };
  }
  return {
    processorKind: 'filter',
    processorId: processor.id,
    method: bidi(services.filters.connectPublic),
    registration: (context) =>
      new PublicFilterClientToRuntimeMessage().setRegistrationrequest(
        new PublicFilterRegistrationRequest().setCallcontext(context).setFilterid(uuidOf(processor.id)),
      ),
    read,
    pong: () => new PublicFilterClientToRuntimeMessage().setPong(new Pong()),
    respond: async (request, callId, base) =>
      new PublicFilterClientToRuntimeMessage().setFilterresult(await partitioned(request, callId, base)),
  };
}

export function projectionProtocol(
  processor: ProjectionProcessor,
): ReverseCallClientProtocol<
  InstanceType<typeof ProjectionClientToRuntimeMessage>,
  ProjectionRuntimeToClientMessage,
  ProjectionRequest
> {
  return {
    processorKind: 'projection',
    processorId: processor.id,
    method: bidi(services.projections.connect),
    registration: (context) =>
      new ProjectionClientToRuntimeMessage().setRegistrationrequest(
        new ProjectionRegistrationRequest()
          .setCallcontext(context)
          .setProjectionid(uuidOf(processor.id))
          .setScopeid(uuidOf(processor.scope))
          .setInitialstate(processor.initialState)
          .setEventsList(
            processor.selectors.map((selector) => {
              const pb = new ProjectionEventSelector().setEventtype(artifactToPb(selector.type));
              switch (selector.key.kind) {
                case 'event-source':
                  return pb.setEventsourcekeyselector(new EventSourceIdKeySelector());
                case 'partition':
                  return pb.setPartitionkeyselector(new PartitionIdKeySelector());
                default:
                  return pb.setEventpropertykeyselector(
                    new EventPropertyKeySelector().setPropertyname(selector.key.property),
                  );
              }
            }),
          ),
      ),
    read: (message): ServerMessageKind<ProjectionRequest> => {
      if (message.hasPing()) return { kind: 'ping' };
      if (message.hasRegistrationresponse()) {
        return { kind: 'connect-response', failure: failureOf(message.getRegistrationresponse()?.getFailure()) };
      }
      const request = message.getHandlerequest();
      return request === undefined
        ? { kind: 'other' }
        : { kind: 'request', request, callContext: request.getCallcontext() };
    },
    pong: () => new ProjectionClientToRuntimeMessage().setPong(new Pong()),
    async respond(request, callId, base) {
      const response = new ProjectionResponse().setCallcontext(new ReverseCallResponseContext().setCallid(callId));
      let outcome: Awaited<ReturnType<ProjectionProcessor['project']>>;
      try {
        const current = readModelOf(request.getCurrentstate(), 'currentState');
        const event = storedEventOf(request.getEvent()?.getEvent(), 'event.event');
        outcome = await processor.project(
          current,
          event,
          requestContext(base, retryStateOf(request.getRetryprocessingstate())),
        );
      } catch (error) {
        outcome = unreadable(error);
      }
      switch (outcome.kind) {
        case 'replace':
          response.setReplace(new ProjectionReplaceResponse().setState(outcome.state));
          break;
        case 'delete':
          response.setDelete(new ProjectionDeleteResponse());
          break;
        case 'failed':
          response.setFailure(processorFailureToPb(outcome));
          break;
      }
      return new ProjectionClientToRuntimeMessage().setHandleresult(response);
    },
  };
}

/**
 * `Embeddings.Connect`: the Runtime asks for compare (desired state → events), delete (→ events) and projection
 * (event → next state or delete) answers. A failure of the head is answered in the response's `failure` arm, as the
 * official SDK does; the Runtime then fails the update or delete (nothing is committed).
 */
export function embeddingProtocol(
  processor: EmbeddingProcessor,
): ReverseCallClientProtocol<EmbeddingClientToRuntimeMessage, EmbeddingRuntimeToClientMessage, EmbeddingRequest> {
  const eventsToPb = (events: readonly EmbeddingEvent[]) =>
    events.map((event) =>
      new UncommittedEvent().setArtifact(artifactToPb(event.type)).setPublic(event.public).setContent(event.content),
    );
  return {
    processorKind: 'embedding',
    processorId: processor.id,
    method: bidi(services.embeddings.connect),
    registration: (context) =>
      new EmbeddingClientToRuntimeMessage().setRegistrationrequest(
        new EmbeddingRegistrationRequest()
          .setCallcontext(context)
          .setEmbeddingid(uuidOf(processor.id))
          .setEventsList(processor.types.map(artifactToPb))
          .setInitialstate(processor.initialState),
      ),
    read: (message): ServerMessageKind<EmbeddingRequest> => {
      if (message.hasPing()) return { kind: 'ping' };
      if (message.hasRegistrationresponse()) {
        return { kind: 'connect-response', failure: failureOf(message.getRegistrationresponse()?.getFailure()) };
      }
      const request = message.getHandlerequest();
      return request === undefined
        ? { kind: 'other' }
        : { kind: 'request', request, callContext: request.getCallcontext() };
    },
    pong: () => new EmbeddingClientToRuntimeMessage().setPong(new Pong()),
    async respond(request, callId, base) {
      const response = new EmbeddingResponse().setCallcontext(new ReverseCallResponseContext().setCallid(callId));
      const context = requestContext(base, undefined);
      let outcome: EmbeddingEventsOutcome | EmbeddingProjectOutcome;
      let answer: 'compare' | 'delete' | 'projection' = 'projection';
      try {
        switch (request.getRequestCase()) {
          case EmbeddingRequest.RequestCase.COMPARE: {
            answer = 'compare';
            const compare = request.getCompare();
            const current = readModelOf(compare?.getProjectionstate(), 'compare.projectionState');
            outcome = await processor.compare(current, compare?.getEntitystate() ?? '', context);
            break;
          }
          case EmbeddingRequest.RequestCase.DELETE: {
            answer = 'delete';
            const current = readModelOf(request.getDelete()?.getProjectionstate(), 'delete.projectionState');
            outcome = await processor.delete(current, context);
            break;
          }
          case EmbeddingRequest.RequestCase.PROJECTION: {
            const projection = request.getProjection();
            const current = readModelOf(projection?.getCurrentstate(), 'projection.currentState');
            const event = projection?.getEvent();
            if (event === undefined) throw new Error('projection.event is missing');
            outcome = await processor.project(
              current,
              {
                type: artifactOf(event.getArtifact(), 'projection.event.artifact'),
                public: event.getPublic(),
                content: event.getContent(),
                eventSourceId: guidOf(
                  event.getEventsourceid(),
                  'projection.event.eventSourceId',
                ) as string as EventSourceId,
              },
              context,
            );
            break;
          }
          default:
            throw new Error('the request is neither compare, delete nor projection');
        }
      } catch (error) {
        outcome = { kind: 'failed', reason: unreadable(error).reason };
      }
      switch (outcome.kind) {
        case 'failed':
          response.setFailure(new Failure().setReason(outcome.reason));
          break;
        case 'events':
          if (answer === 'compare')
            response.setCompare(new EmbeddingCompareResponse().setEventsList(eventsToPb(outcome.events)));
          else response.setDelete(new EmbeddingDeleteResponse().setEventsList(eventsToPb(outcome.events)));
          break;
        case 'replace':
          response.setProjectionreplace(new ProjectionReplaceResponse().setState(outcome.state));
          break;
        case 'delete':
          response.setProjectiondelete(new ProjectionDeleteResponse());
          break;
      }
      return new EmbeddingClientToRuntimeMessage().setHandleresult(response);
    },
  };
}
