import {
  type ConsentId,
  InvalidArgument,
  type MicroserviceId,
  type PartitionId,
  type ScopeId,
  type StreamId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Subscriptions } from '../event-horizon/subscriptions.js';
import { type Subscription, SubscriptionResponse } from './contracts.js';
import { executionContextFromPb, guidToUuid, uuidToGuid } from './convert.js';
import { failureOf } from './failures.js';

/**
 * `dolittle.runtime.eventhorizon.Subscriptions/Subscribe`: a head asks its own Runtime to subscribe one of its tenants
 * to a producer's public stream partition. Answers with the consent id, or the failure of the first attempt (the
 * subscription keeps retrying in the background either way, as Dolittle does).
 */
export function createSubscriptionsService(deps: {
  subscriptions: Subscriptions;
  logger: Logger;
}): UntypedServiceImplementation {
  return {
    subscribe(
      call: ServerUnaryCall<Subscription, SubscriptionResponse>,
      callback: sendUnaryData<SubscriptionResponse>,
    ) {
      const response = new SubscriptionResponse();
      const answer = (consentId: ConsentId | undefined, error: unknown) => {
        if (error !== undefined) {
          deps.logger.warn({ reason: (error as Error).message }, 'event horizon subscription request failed');
          response.setFailure(failureOf(error));
        }
        if (consentId !== undefined) response.setConsentid(guidToUuid(consentId));
        callback(null, response);
      };
      try {
        const request = call.request;
        const callContext = request.getCallcontext();
        if (callContext === undefined) throw new InvalidArgument('callContext', 'is missing');
        const context = executionContextFromPb(callContext.getExecutioncontext(), 'callContext.executionContext');
        const key = {
          producerMicroservice: uuidToGuid(request.getMicroserviceid(), 'microserviceId') as string as MicroserviceId,
          producerTenant: uuidToGuid(request.getTenantid(), 'tenantId') as string as TenantId,
          stream: uuidToGuid(request.getStreamid(), 'streamId') as string as StreamId,
          partition: uuidToGuid(request.getPartitionid(), 'partitionId') as string as PartitionId,
          scope: uuidToGuid(request.getScopeid(), 'scopeId') as string as ScopeId,
        };
        deps.subscriptions.subscribe(context.tenantId, key).then(
          (outcome) => (outcome.ok ? answer(outcome.consentId, undefined) : answer(undefined, outcome.error)),
          (error: unknown) => answer(undefined, error),
        );
      } catch (error) {
        answer(undefined, error);
      }
    },
  };
}
