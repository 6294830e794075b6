import {
  type ConsentId,
  type EventLogSequenceNumber,
  type EventSourceId,
  type MicroserviceId,
  MissingConsent,
  notSetVersion,
  type StreamPosition,
  SubscriptionFailed,
  systemCorrelationId,
} from '@dolittle-ts/fundamentals';
import type { ReceivedEvent } from '@dolittle-ts/store';
import { type ClientDuplexStream, credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import type { ConnectToProducer, ProducerConnection } from '../event-horizon/subscriptions.js';
import {
  ConsumerResponse,
  ConsumerSubscriptionRequest,
  Duration,
  EventHorizonConsumerToProducerMessage,
  type EventHorizonEvent,
  type EventHorizonProducerToConsumerMessage,
  eventHorizonConsumerService,
  Failure,
  Pong,
  ReverseCallArgumentsContext,
  ReverseCallResponseContext,
} from './contracts.js';
import { artifactFromPb, executionContextFromPb, executionContextToPb, guidToUuid, uuidToGuid } from './convert.js';

const missingConsentId = 'be1ba4e6-81e3-49c4-bec2-6c7e262bfb77';
const pingIntervalMs = 10_000;

/**
 * The consumer's end of `Consumer/Subscribe`: here the Runtime is the gRPC client of another Runtime, and the
 * reverse-call roles are mirrored (the producer sends requests; we answer). Pings are answered with pongs; a
 * stream silent for 3 × the ping interval is dropped (the subscription then reconnects).
 */
export function createProducerConnector(options: {
  microserviceId: MicroserviceId;
  environment: string;
}): ConnectToProducer {
  const Client = makeGenericClientConstructor(eventHorizonConsumerService as never, 'Consumer');
  return ({ address, consumerTenant, key, from, receive, signal }) =>
    new Promise<ProducerConnection>((resolve, reject) => {
      const channelCredentials =
        address.tls === undefined
          ? credentials.createInsecure()
          : credentials.createSsl(
              address.tls.ca === undefined ? null : Buffer.from(address.tls.ca),
              address.tls.clientCertificate === undefined ? null : Buffer.from(address.tls.clientCertificate.key),
              address.tls.clientCertificate === undefined ? null : Buffer.from(address.tls.clientCertificate.cert),
            );
      const channelOptions: Record<string, string | number> = { 'grpc.keepalive_time_ms': 30_000 };
      if (address.tls?.serverName !== undefined)
        channelOptions['grpc.ssl_target_name_override'] = address.tls.serverName;
      const client = new Client(`${address.host}:${address.port}`, channelCredentials, channelOptions) as unknown as {
        subscribe(): ClientDuplexStream<EventHorizonConsumerToProducerMessage, EventHorizonProducerToConsumerMessage>;
        close(): void;
      };
      const stream = client.subscribe();
      let connected = false;
      let consentId: ConsentId | undefined;
      let finish: (why: string) => void = () => {};
      const closed = new Promise<string>((done) => {
        finish = done;
      });
      let ended = false;
      const end = (why: string) => {
        if (ended) return;
        ended = true;
        clearTimeout(keepAlive);
        signal.removeEventListener('abort', onAbort);
        stream.cancel();
        client.close();
        if (connected) finish(why);
        else
          reject(new SubscriptionFailed(`could not subscribe at the producer ${address.host}:${address.port}: ${why}`));
      };
      const onAbort = () => end('the subscription was stopped');
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) queueMicrotask(onAbort);
      let keepAlive = setTimeout(() => end('the producer went silent'), 3 * pingIntervalMs);
      const alive = () => {
        clearTimeout(keepAlive);
        keepAlive = setTimeout(() => end('the producer went silent'), 3 * pingIntervalMs);
      };

      const args = new ReverseCallArgumentsContext();
      args.setExecutioncontext(
        executionContextToPb({
          microserviceId: options.microserviceId,
          tenantId: consumerTenant,
          version: notSetVersion,
          correlationId: systemCorrelationId,
          claims: [],
          environment: options.environment,
        }),
      );
      args.setHeadid(guidToUuid(crypto.randomUUID()));
      args.setPinginterval(new Duration().setSeconds(pingIntervalMs / 1000));
      const request = new ConsumerSubscriptionRequest();
      request.setCallcontext(args);
      request.setTenantid(guidToUuid(key.producerTenant));
      request.setStreamid(guidToUuid(key.stream));
      request.setPartitionid(guidToUuid(key.partition));
      request.setStreamposition(from);
      stream.write(new EventHorizonConsumerToProducerMessage().setSubscriptionrequest(request));

      stream.on('data', (message: EventHorizonProducerToConsumerMessage) => {
        alive();
        if (message.hasPing()) {
          stream.write(new EventHorizonConsumerToProducerMessage().setPong(new Pong()));
          return;
        }
        const response = message.getSubscriptionresponse();
        if (response !== undefined) {
          const failure = response.getFailure();
          if (failure !== undefined) {
            const id = failure.getId();
            const reason = failure.getReason();
            ended = true;
            clearTimeout(keepAlive);
            signal.removeEventListener('abort', onAbort);
            stream.cancel();
            client.close();
            const failureId = id === undefined ? undefined : uuidToGuid(id, 'failure.id');
            reject(
              failureId === missingConsentId
                ? new MissingConsent(`the producer refused: ${reason}`)
                : new SubscriptionFailed(`the producer refused: ${reason}`),
            );
            return;
          }
          connected = true;
          consentId = uuidToGuid(response.getConsentid(), 'consentId') as string as ConsentId;
          resolve({ consentId, closed });
          return;
        }
        const call = message.getRequest();
        if (call === undefined) return;
        const callId = call.getCallcontext()?.getCallid();
        const answer = (failureReason?: string) => {
          const reply = new ConsumerResponse();
          const context = new ReverseCallResponseContext();
          if (callId !== undefined) context.setCallid(callId);
          reply.setCallcontext(context);
          if (failureReason !== undefined) reply.setFailure(new Failure().setReason(failureReason));
          if (!ended) stream.write(new EventHorizonConsumerToProducerMessage().setResponse(reply));
        };
        let event: ReceivedEvent;
        try {
          event = receivedEventOf(call.getEvent());
        } catch (error) {
          answer(`malformed event: ${(error as Error).message}`);
          return;
        }
        if (consentId === undefined) {
          answer('the producer sent an event before accepting the subscription');
          return;
        }
        receive(event, consentId).then(
          () => answer(),
          (error: unknown) => answer(`the consumer could not store the event: ${(error as Error).message}`),
        );
      });
      stream.on('error', (error: Error) => end(error.message));
      stream.on('end', () => end('the producer ended the stream'));
    });
}

function receivedEventOf(horizonEvent: EventHorizonEvent | undefined): ReceivedEvent {
  if (horizonEvent === undefined) throw new Error('the request has no event');
  const event = horizonEvent.getEvent();
  if (event === undefined) throw new Error('the event horizon event has no committed event');
  const occurred = event.getOccurred();
  return {
    streamPosition: horizonEvent.getStreamsequencenumber() as StreamPosition,
    producerSequenceNumber: event.getEventlogsequencenumber() as EventLogSequenceNumber,
    occurred: occurred === undefined ? new Date(0) : occurred.toDate(),
    eventSourceId: uuidToGuid(event.getEventsourceid(), 'event.eventSourceId') as string as EventSourceId,
    executionContext: executionContextFromPb(event.getExecutioncontext(), 'event.executionContext'),
    type: artifactFromPb(event.getType(), 'event.type'),
    content: event.getContent(),
  };
}
