import type {
  ConsentId,
  ExecutionContext as DomainExecutionContext,
  MicroserviceId,
  PartitionId,
  StreamId,
  StreamPosition,
  TenantId,
} from '@dolittle-ts/fundamentals';
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { type Consent, findConsent } from '../event-horizon/consents.js';
import { streamPublicPartition } from '../event-horizon/producer.js';
import type { ActiveProcessors } from '../processing/active-processors.js';
import type { Tenants } from '../tenancy/tenants.js';
import { committedEventToPb } from './committed-events.js';
import { ConsumerRequest, EventHorizonEvent, SubscriptionResponse } from './contracts.js';
import { guidToUuid, uuidToGuid } from './convert.js';
import { acceptReverseCall, type EventHorizonReverseCall, eventHorizonProtocol } from './reverse-calls/index.js';

export interface ProducerServiceDependencies {
  readonly tenants: Tenants;
  readonly consents: ReadonlyMap<TenantId, readonly Consent[]>;
  readonly active: ActiveProcessors;
  readonly logger: Logger;
  readonly shutdown: AbortSignal;
}

/**
 * `dolittle.runtime.eventhorizon.Consumer/Subscribe` on the public port: another Runtime subscribes one of its tenants
 * to a partition of one of our public streams. We check the consent, answer with its id, then stream the partition.
 */
export function createEventHorizonProducerService(deps: ProducerServiceDependencies): UntypedServiceImplementation {
  return {
    subscribe(
      call: ServerDuplexStream<EventHorizonReverseCall['clientMessage'], EventHorizonReverseCall['serverMessage']>,
    ) {
      deps.active
        .track(serveSubscription(call, deps))
        .catch((error: unknown) => deps.logger.error({ err: error }, 'event horizon subscription failed'));
    },
  };
}

async function serveSubscription(
  call: ServerDuplexStream<EventHorizonReverseCall['clientMessage'], EventHorizonReverseCall['serverMessage']>,
  deps: ProducerServiceDependencies,
): Promise<void> {
  const connection = await acceptReverseCall(call, eventHorizonProtocol, {
    logger: deps.logger,
    signal: deps.shutdown,
  });
  if (connection === undefined) return;
  const args = connection.arguments;
  let request: {
    consumerMicroservice: MicroserviceId;
    consumerTenant: TenantId;
    producerTenant: TenantId;
    stream: StreamId;
    partition: PartitionId;
    from: StreamPosition;
  };
  let consent: Consent;
  let tenant: ReturnType<Tenants['get']>;
  try {
    request = {
      consumerMicroservice: connection.executionContext.microserviceId,
      consumerTenant: connection.executionContext.tenantId,
      producerTenant: uuidToGuid(args.getTenantid(), 'tenantId') as string as TenantId,
      stream: uuidToGuid(args.getStreamid(), 'streamId') as string as StreamId,
      partition: uuidToGuid(args.getPartitionid(), 'partitionId') as string as PartitionId,
      from: args.getStreamposition() as StreamPosition,
    };
    tenant = deps.tenants.get(request.producerTenant);
    consent = findConsent(deps.consents, request);
  } catch (error) {
    deps.logger.warn({ reason: (error as Error).message }, 'event horizon subscription refused');
    connection.reject(error);
    return;
  }
  const log = deps.logger.child({
    consumer: request.consumerMicroservice,
    consumerTenant: request.consumerTenant,
    stream: request.stream,
    partition: request.partition,
    consent: consent.consentId,
  });
  connection.accept(new SubscriptionResponse().setConsentid(guidToUuid(consent.consentId as ConsentId)));
  log.info({ from: request.from }, 'event horizon subscription accepted');

  // Forwarded events carry the producer tenant's context without its claims.
  const context: DomainExecutionContext = {
    ...connection.executionContext,
    tenantId: request.producerTenant,
    claims: [],
  };
  try {
    await streamPublicPartition({
      store: tenant.store,
      watcher: tenant.watcher,
      stream: request.stream,
      partition: request.partition,
      from: request.from,
      signal: connection.signal,
      send: async ({ position, event }) => {
        const forwarded = new EventHorizonEvent();
        forwarded.setStreamsequencenumber(position);
        forwarded.setEvent(
          committedEventToPb({ ...event, executionContext: { ...event.executionContext, claims: [] } }),
        );
        const response = await connection.call(new ConsumerRequest().setEvent(forwarded), context);
        const failure = response.getFailure();
        if (failure !== undefined) throw new Error(`the consumer refused event ${position}: ${failure.getReason()}`);
      },
    });
  } catch (error) {
    if (!connection.signal.aborted) {
      log.warn({ reason: (error as Error).message }, 'event horizon subscription ended');
      connection.end();
    }
  }
  const end = await connection.closed;
  log.info({ end: end.kind }, 'event horizon subscription closed');
}
