import {
  EventHandlerClientToRuntimeMessage,
  type EventHandlerRegistrationRequest,
  EventHandlerRegistrationResponse,
  type EventHandlerResponse,
  EventHandlerRuntimeToClientMessage,
  type HandleEventRequest,
  Ping,
} from '../contracts.js';
import type { ReverseCallProtocol } from './reverse-call-protocol.js';

/** `dolittle.runtime.events.processing.EventHandlers/Connect`. */
export interface EventHandlersReverseCall {
  readonly clientMessage: EventHandlerClientToRuntimeMessage;
  readonly serverMessage: EventHandlerRuntimeToClientMessage;
  readonly arguments: EventHandlerRegistrationRequest;
  readonly connectResponse: EventHandlerRegistrationResponse;
  readonly request: HandleEventRequest;
  readonly response: EventHandlerResponse;
}

const ClientCase = EventHandlerClientToRuntimeMessage.MessageCase;
const clientArms: Record<number, string> = {
  [ClientCase.REGISTRATIONREQUEST]: 'registrationRequest',
  [ClientCase.HANDLERESULT]: 'handleResult',
  [ClientCase.PONG]: 'pong',
};

export const eventHandlersProtocol: ReverseCallProtocol<EventHandlersReverseCall> = {
  method: 'EventHandlers.Connect',
  argumentsField: 'registrationRequest',
  armOf: (message) => clientArms[message.getMessageCase()] ?? 'nothing',
  argumentsOf: (message) => message.getRegistrationrequest(),
  argumentsContextOf: (args) => args.getCallcontext(),
  responseOf: (message) => message.getHandleresult(),
  responseContextOf: (response) => response.getCallcontext(),
  isPong: (message) => message.hasPong(),
  connectResponse: (response) => new EventHandlerRuntimeToClientMessage().setRegistrationresponse(response),
  failedConnectResponse: (failure) =>
    new EventHandlerRuntimeToClientMessage().setRegistrationresponse(
      new EventHandlerRegistrationResponse().setFailure(failure),
    ),
  request: (request, context) =>
    new EventHandlerRuntimeToClientMessage().setHandlerequest(request.setCallcontext(context)),
  ping: () => new EventHandlerRuntimeToClientMessage().setPing(new Ping()),
};

/** `EventHandlerClientToRuntimeMessage.handleResult`, for `acceptingSucceededResponses`. */
export const eventHandlersResponseArm = { field: 2, name: 'handleResult' } as const;
