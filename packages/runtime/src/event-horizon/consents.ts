import {
  type MicroserviceId,
  MissingConsent,
  type PartitionId,
  type StreamId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { Consent } from '../config/runtime-config.js';

export interface SubscriptionRequest {
  readonly consumerMicroservice: MicroserviceId;
  readonly consumerTenant: TenantId;
  readonly producerTenant: TenantId;
  readonly stream: StreamId;
  readonly partition: PartitionId;
}

/** The one consent that allows the request (event-horizon-consents.json), or MissingConsent saying what is missing. */
export type { Consent };

export function findConsent(
  consents: ReadonlyMap<TenantId, readonly Consent[]>,
  request: SubscriptionRequest,
): Consent {
  const matching = (consents.get(request.producerTenant) ?? []).filter(
    (c) =>
      c.consumerMicroservice === request.consumerMicroservice &&
      c.consumerTenant === request.consumerTenant &&
      c.stream === request.stream &&
      c.partition === request.partition,
  );
  const [consent] = matching;
  if (consent === undefined || matching.length > 1) {
    throw new MissingConsent(
      `${matching.length > 1 ? 'more than one consent' : 'no consent'} in event-horizon-consents.json under producer tenant ${request.producerTenant} for consumer microservice ${request.consumerMicroservice}, tenant ${request.consumerTenant}, public stream ${request.stream}, partition ${request.partition}`,
    );
  }
  return consent;
}
