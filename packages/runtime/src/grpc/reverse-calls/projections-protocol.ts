import {
  Ping,
  type ProjectionClientToRuntimeMessage,
  type ProjectionRegistrationRequest,
  ProjectionRegistrationResponse,
  type ProjectionRequest,
  ProjectionResponse,
  ProjectionRuntimeToClientMessage,
} from '../contracts.js';
import type { ProjectionAnswer } from '../wire/projection-response-decoder.js';
import type { ReverseCallProtocol } from './reverse-call-protocol.js';

/** `dolittle.runtime.events.processing.Projections/Connect`. */
export interface ProjectionsReverseCall {
  readonly clientMessage: ProjectionClientToRuntimeMessage;
  readonly serverMessage: ProjectionRuntimeToClientMessage;
  readonly arguments: ProjectionRegistrationRequest;
  readonly connectResponse: ProjectionRegistrationResponse;
  readonly request: ProjectionRequest;
  /** A `ProjectionAnswer` when the service definition read a replace or delete from its bytes. */
  readonly response: ProjectionResponse | ProjectionAnswer;
}

const arms: Record<number, string> = { 1: 'registrationRequest', 2: 'handleResult', 3: 'pong' };

export const projectionsProtocol: ReverseCallProtocol<ProjectionsReverseCall> = {
  method: 'Projections.Connect',
  argumentsField: 'registrationRequest',
  armOf: (message) => arms[message.getMessageCase()] ?? 'nothing',
  argumentsOf: (message) => message.getRegistrationrequest(),
  argumentsContextOf: (args) => args.getCallcontext(),
  responseOf: (message) => message.getHandleresult(),
  responseContextOf: (response) => (response instanceof ProjectionResponse ? response.getCallcontext() : undefined),
  isPong: (message) => message.hasPong(),
  connectResponse: (response) => new ProjectionRuntimeToClientMessage().setRegistrationresponse(response),
  failedConnectResponse: (failure) =>
    new ProjectionRuntimeToClientMessage().setRegistrationresponse(
      new ProjectionRegistrationResponse().setFailure(failure),
    ),
  request: (request, context) =>
    new ProjectionRuntimeToClientMessage().setHandlerequest(request.setCallcontext(context)),
  ping: () => new ProjectionRuntimeToClientMessage().setPing(new Ping()),
};
