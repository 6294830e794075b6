/*
 * Minimal projection and embedding heads speaking the reverse-call protocol over a GrpcConnection: they register,
 * answer pings, and answer the Runtime's requests with a caller-supplied function. What the official SDK does,
 * without the SDK, so a test controls every string that reaches the Runtime.
 */
import { defaultScope, type Guid, systemCorrelationId, systemTenant } from '@dolittle-ts/fundamentals';
import {
  artifact,
  Duration,
  EmbeddingClientToRuntimeMessage,
  EmbeddingCompareResponse,
  EmbeddingRegistrationRequest,
  EmbeddingResponse,
  EmbeddingRuntimeToClientMessage,
  EventPropertyKeySelector,
  ExecutionContext,
  guidToUuid,
  Pong,
  ProjectionClientToRuntimeMessage,
  ProjectionEventSelector,
  ProjectionRegistrationRequest,
  ProjectionReplaceResponse,
  ProjectionResponse,
  ProjectionRuntimeToClientMessage,
  ReverseCallArgumentsContext,
  ReverseCallResponseContext,
  UncommittedEvent,
  Version,
} from '@dolittle-ts/runtime/testing';
import type { GrpcCall, GrpcConnection } from './grpc-wire.js';

export interface Head {
  /** Resolves with the registration failure's reason, or undefined once accepted. */
  readonly registered: Promise<string | undefined>;
  close(): void;
}

function argumentsContext(): InstanceType<typeof ReverseCallArgumentsContext> {
  const context = new ExecutionContext();
  context.setMicroserviceid(guidToUuid('f39b1f61-d360-4675-b859-53c05c87c0e6'));
  context.setTenantid(guidToUuid(systemTenant));
  context.setVersion(new Version());
  context.setCorrelationid(guidToUuid(systemCorrelationId));
  context.setEnvironment('Development');
  const args = new ReverseCallArgumentsContext();
  args.setExecutioncontext(context);
  args.setHeadid(guidToUuid(crypto.randomUUID()));
  args.setPinginterval(new Duration().setSeconds(1));
  return args;
}

function registration(call: GrpcCall, readResponse: (bytes: Buffer) => { failure?: string } | undefined): Head {
  let settle: (failure: string | undefined) => void = () => {};
  const registered = new Promise<string | undefined>((resolve) => {
    settle = resolve;
  });
  call.onMessage((bytes) => {
    const response = readResponse(bytes);
    if (response !== undefined) settle(response.failure);
  });
  void call.answer.then((answer) => settle(`the call ended: ${answer.status} ${answer.message}`));
  return { registered, close: () => call.cancel() };
}

/** A projection keyed by the event property `propertyName`; `project` gives the new state for each event. */
export function connectProjectionHead(
  connection: GrpcConnection,
  options: {
    readonly projectionId: Guid;
    readonly eventType: Guid;
    readonly propertyName: string;
    readonly initialState: string;
    readonly project: (event: { tenant: string; content: string; key: string }) => string;
  },
): Head {
  const call = connection.open('/dolittle.runtime.events.processing.Projections/Connect', { timeoutMs: 600_000 });
  const request = new ProjectionRegistrationRequest();
  request.setCallcontext(argumentsContext());
  request.setScopeid(guidToUuid(defaultScope));
  request.setProjectionid(guidToUuid(options.projectionId));
  const selector = new ProjectionEventSelector();
  selector.setEventtype(artifact(options.eventType));
  selector.setEventpropertykeyselector(new EventPropertyKeySelector().setPropertyname(options.propertyName));
  request.setEventsList([selector]);
  request.setInitialstate(options.initialState);
  call.send(new ProjectionClientToRuntimeMessage().setRegistrationrequest(request).serializeBinary());
  const send = (message: InstanceType<typeof ProjectionClientToRuntimeMessage>) => call.send(message.serializeBinary());
  return registration(call, (bytes) => {
    const message = ProjectionRuntimeToClientMessage.deserializeBinary(bytes);
    if (message.hasPing()) {
      send(new ProjectionClientToRuntimeMessage().setPong(new Pong()));
      return undefined;
    }
    if (message.hasRegistrationresponse()) {
      const reason = message.getRegistrationresponse()?.getFailure()?.getReason();
      return reason === undefined ? {} : { failure: reason };
    }
    const handle = message.getHandlerequest();
    if (handle !== undefined) {
      const response = new ProjectionResponse();
      response.setCallcontext(new ReverseCallResponseContext().setCallid(handle.getCallcontext()?.getCallid()));
      const tenantBytes = handle.getCallcontext()?.getExecutioncontext()?.getTenantid()?.getValue_asU8();
      const state = options.project({
        tenant: Buffer.from(tenantBytes ?? []).toString('hex'),
        content: handle.getEvent()?.getEvent()?.getContent() ?? '',
        key: handle.getCurrentstate()?.getKey() ?? '',
      });
      response.setReplace(new ProjectionReplaceResponse().setState(state));
      send(new ProjectionClientToRuntimeMessage().setHandleresult(response));
    }
    return undefined;
  });
}

/**
 * An embedding whose read model is exactly the desired state: compare answers one event carrying the desired state
 * (none when equal), projecting an event replaces the state with the one it carries.
 */
export function connectEmbeddingHead(
  connection: GrpcConnection,
  options: { readonly embeddingId: Guid; readonly eventType: Guid; readonly initialState: string },
): Head {
  const call = connection.open('/dolittle.runtime.embeddings.Embeddings/Connect', { timeoutMs: 600_000 });
  const request = new EmbeddingRegistrationRequest();
  request.setCallcontext(argumentsContext());
  request.setEmbeddingid(guidToUuid(options.embeddingId));
  request.setEventsList([artifact(options.eventType)]);
  request.setInitialstate(options.initialState);
  call.send(new EmbeddingClientToRuntimeMessage().setRegistrationrequest(request).serializeBinary());
  const send = (message: InstanceType<typeof EmbeddingClientToRuntimeMessage>) => call.send(message.serializeBinary());
  return registration(call, (bytes) => {
    const message = EmbeddingRuntimeToClientMessage.deserializeBinary(bytes);
    if (message.hasPing()) {
      send(new EmbeddingClientToRuntimeMessage().setPong(new Pong()));
      return undefined;
    }
    if (message.hasRegistrationresponse()) {
      const reason = message.getRegistrationresponse()?.getFailure()?.getReason();
      return reason === undefined ? {} : { failure: reason };
    }
    const handle = message.getHandlerequest();
    if (handle === undefined) return undefined;
    const response = new EmbeddingResponse();
    response.setCallcontext(new ReverseCallResponseContext().setCallid(handle.getCallcontext()?.getCallid()));
    const compare = handle.getCompare();
    const project = handle.getProjection();
    if (compare !== undefined) {
      const desired = compare.getEntitystate();
      const events =
        compare.getProjectionstate()?.getState() === desired ? [] : [stateEvent(options.eventType, desired)];
      response.setCompare(new EmbeddingCompareResponse().setEventsList(events));
    } else if (project !== undefined) {
      const carried = JSON.parse(project.getEvent()?.getContent() ?? '{}') as { state: string };
      response.setProjectionreplace(new ProjectionReplaceResponse().setState(carried.state));
    } else {
      response.setCompare(new EmbeddingCompareResponse().setEventsList([]));
    }
    send(new EmbeddingClientToRuntimeMessage().setHandleresult(response));
    return undefined;
  });
}

function stateEvent(eventType: Guid, state: string): InstanceType<typeof UncommittedEvent> {
  const event = new UncommittedEvent();
  event.setArtifact(artifact(eventType));
  event.setContent(JSON.stringify({ state }));
  return event;
}
