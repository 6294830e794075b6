import {
  EmbeddingClientToRuntimeMessage,
  type EmbeddingRegistrationRequest,
  EmbeddingRegistrationResponse,
  type EmbeddingRequest,
  type EmbeddingResponse,
  EmbeddingRuntimeToClientMessage,
  Ping,
} from '../contracts.js';
import type { ReverseCallProtocol } from './reverse-call-protocol.js';

/** `dolittle.runtime.embeddings.Embeddings/Connect`. */
export interface EmbeddingsReverseCall {
  readonly clientMessage: EmbeddingClientToRuntimeMessage;
  readonly serverMessage: EmbeddingRuntimeToClientMessage;
  readonly arguments: EmbeddingRegistrationRequest;
  readonly connectResponse: EmbeddingRegistrationResponse;
  readonly request: EmbeddingRequest;
  readonly response: EmbeddingResponse;
}

const ClientCase = EmbeddingClientToRuntimeMessage.MessageCase;
const clientArms: Record<number, string> = {
  [ClientCase.REGISTRATIONREQUEST]: 'registrationRequest',
  [ClientCase.HANDLERESULT]: 'handleResult',
  [ClientCase.PONG]: 'pong',
};

export const embeddingsProtocol: ReverseCallProtocol<EmbeddingsReverseCall> = {
  method: 'Embeddings.Connect',
  argumentsField: 'registrationRequest',
  armOf: (message) => clientArms[message.getMessageCase()] ?? 'nothing',
  argumentsOf: (message) => message.getRegistrationrequest(),
  argumentsContextOf: (args) => args.getCallcontext(),
  responseOf: (message) => message.getHandleresult(),
  responseContextOf: (response) => response.getCallcontext(),
  isPong: (message) => message.hasPong(),
  connectResponse: (response) => new EmbeddingRuntimeToClientMessage().setRegistrationresponse(response),
  failedConnectResponse: (failure) =>
    new EmbeddingRuntimeToClientMessage().setRegistrationresponse(
      new EmbeddingRegistrationResponse().setFailure(failure),
    ),
  request: (request, context) =>
    new EmbeddingRuntimeToClientMessage().setHandlerequest(request.setCallcontext(context)),
  ping: () => new EmbeddingRuntimeToClientMessage().setPing(new Ping()),
};
