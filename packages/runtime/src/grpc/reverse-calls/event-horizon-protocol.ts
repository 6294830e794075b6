import {
  type ConsumerRequest,
  type ConsumerResponse,
  type ConsumerSubscriptionRequest,
  type EventHorizonConsumerToProducerMessage,
  EventHorizonProducerToConsumerMessage,
  Ping,
  SubscriptionResponse,
} from '../contracts.js';
import type { ReverseCallProtocol } from './reverse-call-protocol.js';

/** `dolittle.runtime.eventhorizon.Consumer/Subscribe`, served by a producer Runtime on its public port. */
export interface EventHorizonReverseCall {
  readonly clientMessage: EventHorizonConsumerToProducerMessage;
  readonly serverMessage: EventHorizonProducerToConsumerMessage;
  readonly arguments: ConsumerSubscriptionRequest;
  readonly connectResponse: SubscriptionResponse;
  readonly request: ConsumerRequest;
  readonly response: ConsumerResponse;
}

const arms: Record<number, string> = { 1: 'subscriptionRequest', 2: 'response', 3: 'pong' };

export const eventHorizonProtocol: ReverseCallProtocol<EventHorizonReverseCall> = {
  method: 'Consumer.Subscribe',
  argumentsField: 'subscriptionRequest',
  armOf: (message) => arms[message.getMessageCase()] ?? 'nothing',
  argumentsOf: (message) => message.getSubscriptionrequest(),
  argumentsContextOf: (args) => args.getCallcontext(),
  responseOf: (message) => message.getResponse(),
  responseContextOf: (response) => response.getCallcontext(),
  isPong: (message) => message.hasPong(),
  connectResponse: (response) => new EventHorizonProducerToConsumerMessage().setSubscriptionresponse(response),
  failedConnectResponse: (failure) =>
    new EventHorizonProducerToConsumerMessage().setSubscriptionresponse(new SubscriptionResponse().setFailure(failure)),
  request: (request, context) =>
    new EventHorizonProducerToConsumerMessage().setRequest(request.setCallcontext(context)),
  ping: () => new EventHorizonProducerToConsumerMessage().setPing(new Ping()),
};
