/*
 * A bare event-handler head speaking the EventHandlers reverse-call protocol by hand over a real socket: what the
 * official SDK does, minus the SDK. For the Runtime's own tests and for benchmarks.
 */
import {
  developmentMicroservice,
  type Guid,
  guidFromBytes,
  systemCorrelationId,
  systemTenant,
} from '@dolittle-ts/fundamentals';
import { type ClientDuplexStream, credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import {
  Duration,
  EventHandlerClientToRuntimeMessage,
  EventHandlerRegistrationRequest,
  EventHandlerResponse,
  type EventHandlerRuntimeToClientMessage,
  ExecutionContext,
  eventHandlersService,
  Pong,
  ProcessorFailure,
  ReverseCallArgumentsContext,
  ReverseCallResponseContext,
  Version,
} from '../grpc/contracts.js';
import { artifactToPb, guidToUuid } from '../grpc/convert.js';

export interface HandledEvent {
  readonly tenant: Guid;
  readonly sequenceNumber: number;
  readonly eventSourceId: Guid;
  readonly partition: Guid;
  readonly typeId: Guid;
  readonly content: string;
  /** Set on retries: RetryProcessingState.retryCount. */
  readonly retryCount: number | undefined;
}

/** Undefined for success; otherwise the failure the head reports. */
export type HandleOutcome =
  | undefined
  | { readonly reason: string; readonly retry?: boolean; readonly retryAfterMs?: number };

export interface EventHandlerHeadOptions {
  readonly port: number;
  readonly eventHandlerId: string;
  readonly types: readonly string[];
  readonly partitioned: boolean;
  readonly scope?: string;
  readonly pingIntervalMs?: number;
  readonly handle: (event: HandledEvent) => HandleOutcome | Promise<HandleOutcome>;
}

export interface EventHandlerHead {
  /** Resolves with the registration failure reason, or undefined once accepted. */
  readonly registered: Promise<string | undefined>;
  close(): void;
}

export function connectEventHandlerHead(options: EventHandlerHeadOptions): EventHandlerHead {
  const Client = makeGenericClientConstructor(eventHandlersService as never, 'EventHandlers');
  const client = new Client(`127.0.0.1:${options.port}`, credentials.createInsecure()) as unknown as {
    connect(): ClientDuplexStream<EventHandlerClientToRuntimeMessage, EventHandlerRuntimeToClientMessage>;
    close(): void;
  };
  const stream = client.connect();
  let settle: (failure: string | undefined) => void = () => {};
  const registered = new Promise<string | undefined>((resolve) => {
    settle = resolve;
  });

  const context = new ExecutionContext();
  context.setMicroserviceid(guidToUuid(developmentMicroservice));
  context.setTenantid(guidToUuid(systemTenant));
  context.setVersion(new Version());
  context.setCorrelationid(guidToUuid(systemCorrelationId));
  context.setEnvironment('Development');
  const args = new ReverseCallArgumentsContext();
  args.setExecutioncontext(context);
  args.setHeadid(guidToUuid(crypto.randomUUID()));
  const interval = options.pingIntervalMs ?? 1000;
  const duration = new Duration();
  duration.setSeconds(Math.floor(interval / 1000));
  duration.setNanos((interval % 1000) * 1e6);
  args.setPinginterval(duration);
  const registration = new EventHandlerRegistrationRequest();
  registration.setCallcontext(args);
  registration.setEventhandlerid(guidToUuid(options.eventHandlerId));
  registration.setScopeid(guidToUuid(options.scope ?? '00000000-0000-0000-0000-000000000000'));
  registration.setPartitioned(options.partitioned);
  registration.setTypesList(options.types.map((id) => artifactToPb({ id: id as never, generation: 1 })));
  stream.write(new EventHandlerClientToRuntimeMessage().setRegistrationrequest(registration));

  const guid = (uuid: { getValue_asU8(): Uint8Array } | undefined) =>
    guidFromBytes(uuid?.getValue_asU8() ?? new Uint8Array()) as Guid;

  stream.on('data', (message: EventHandlerRuntimeToClientMessage) => {
    if (message.hasPing()) {
      stream.write(new EventHandlerClientToRuntimeMessage().setPong(new Pong()));
      return;
    }
    if (message.hasRegistrationresponse()) {
      settle(message.getRegistrationresponse()?.getFailure()?.getReason());
      return;
    }
    const request = message.getHandlerequest();
    if (request === undefined) return;
    const streamEvent = request.getEvent();
    const event = streamEvent?.getEvent();
    const handled: HandledEvent = {
      tenant: guid(request.getCallcontext()?.getExecutioncontext()?.getTenantid()),
      sequenceNumber: event?.getEventlogsequencenumber() ?? -1,
      eventSourceId: guid(event?.getEventsourceid()),
      partition: guid(streamEvent?.getPartitionid()),
      typeId: guid(event?.getType()?.getId()),
      content: event?.getContent() ?? '',
      retryCount: request.getRetryprocessingstate()?.getRetrycount(),
    };
    const callId = request.getCallcontext()?.getCallid();
    Promise.resolve()
      .then(() => options.handle(handled))
      .catch((error: unknown) => ({ reason: String(error) }) as HandleOutcome)
      .then((outcome) => {
        const response = new EventHandlerResponse();
        const responseContext = new ReverseCallResponseContext();
        if (callId !== undefined) responseContext.setCallid(callId);
        response.setCallcontext(responseContext);
        if (outcome !== undefined) {
          const failure = new ProcessorFailure();
          failure.setReason(outcome.reason);
          failure.setRetry(outcome.retry ?? true);
          const timeout = new Duration();
          const ms = outcome.retryAfterMs ?? 0;
          timeout.setSeconds(Math.floor(ms / 1000));
          timeout.setNanos((ms % 1000) * 1e6);
          failure.setRetrytimeout(timeout);
          response.setFailure(failure);
        }
        if (!stream.destroyed) stream.write(new EventHandlerClientToRuntimeMessage().setHandleresult(response));
      })
      .catch(() => {});
  });
  stream.on('error', () => settle('the stream failed'));
  stream.on('end', () => settle('the stream ended'));
  return {
    registered,
    close() {
      stream.cancel();
      client.close();
    },
  };
}
