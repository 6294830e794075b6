/*
 * The one table that maps domain errors to Dolittle `Failure` ids (answered inside the response, where the SDK
 * reads them) and gRPC status codes (for calls that cannot carry a Failure). Ids that Dolittle 6 defines are
 * Dolittle's; the others are this project's own, documented in packages/runtime/README.md.
 */

import {
  DolittleError,
  type ErrorCode,
  type Guid,
  type ProcessorKind,
  RegistrationFailed,
} from '@dolittle-ts/fundamentals';
import { status } from '@grpc/grpc-js';
import { Failure } from './contracts.js';
import { guidToUuid } from './convert.js';

export interface FailureMapping {
  readonly failureId: Guid;
  readonly status: status;
}

const table: Record<ErrorCode, FailureMapping> = {
  AggregateRootConcurrencyConflict: {
    failureId: 'f25cccfb-3ae1-4969-bee6-906370ffbc2d' as Guid,
    status: status.ABORTED,
  },
  NoEventsToCommit: { failureId: 'ef3f1a42-9bc3-4d98-aa2a-942db7c56ac1' as Guid, status: status.INVALID_ARGUMENT },
  StoreUnavailable: { failureId: 'b6fcb5dd-a32b-435b-8bf4-ed96e846d460' as Guid, status: status.UNAVAILABLE },
  StoreLocked: { failureId: 'b6fcb5dd-a32b-435b-8bf4-ed96e846d460' as Guid, status: status.UNAVAILABLE },
  ShuttingDown: { failureId: 'b6fcb5dd-a32b-435b-8bf4-ed96e846d460' as Guid, status: status.UNAVAILABLE },
  StoreConsistency: { failureId: '6f0e6cab-c7e5-402e-a502-e095f9545297' as Guid, status: status.DATA_LOSS },
  InvalidArgument: { failureId: '0d18fb1e-c812-4150-a110-9fe9bf3dd7b7' as Guid, status: status.INVALID_ARGUMENT },
  UnknownTenant: { failureId: '51413826-03a5-4870-845c-d9c69ad06e49' as Guid, status: status.NOT_FOUND },
  UnsafeDurability: { failureId: '05cc1d10-4efc-457b-84a6-a1be0a5f36ba' as Guid, status: status.FAILED_PRECONDITION },
  InvalidConfiguration: {
    failureId: '05cc1d10-4efc-457b-84a6-a1be0a5f36ba' as Guid,
    status: status.FAILED_PRECONDITION,
  },
  Internal: { failureId: '05cc1d10-4efc-457b-84a6-a1be0a5f36ba' as Guid, status: status.INTERNAL },
  MissingConsent: { failureId: 'be1ba4e6-81e3-49c4-bec2-6c7e262bfb77' as Guid, status: status.PERMISSION_DENIED },
  MissingMicroserviceConfiguration: {
    failureId: '9b74482a-8eaa-47ab-ac1c-53d704e4e77d' as Guid,
    status: status.FAILED_PRECONDITION,
  },
  // CouldNotConnectToProducerRuntime
  SubscriptionFailed: { failureId: '2e6b926a-a213-4175-a597-df64aee4a497' as Guid, status: status.UNAVAILABLE },
  // Dolittle 6 `Embeddings.Processing/EmbeddingFailures.cs`; a detected loop is answered with these two as well.
  NoEmbeddingRegisteredForTenant: {
    failureId: 'd76e5522-9bbd-4bb1-87df-b167e42acf02' as Guid,
    status: status.FAILED_PRECONDITION,
  },
  FailedToUpdateEmbedding: { failureId: '4f765146-c635-497a-a14b-b7f80d5cf875' as Guid, status: status.ABORTED },
  FailedToDeleteEmbedding: { failureId: 'dcfba172-9348-4b2c-b518-17603798c0ec' as Guid, status: status.ABORTED },
  // Refined per processor kind below.
  RegistrationFailed: { failureId: '05cc1d10-4efc-457b-84a6-a1be0a5f36ba' as Guid, status: status.FAILED_PRECONDITION },
};

/** Dolittle's per-service "failed to register" ids (FailedToRegisterEventHandler, FailedToRegisterFilter, ...). */
const registrationFailures: Record<ProcessorKind, Guid> = {
  'event-handler': 'dbfdfa15-e727-49f6-bed8-7a787954a4c6' as Guid,
  filter: 'f0480899-8aed-4191-b339-5121f4d9f2e2' as Guid,
  projection: 'eb82f4d3-06e5-45cc-ac97-7d77dd1e5d07' as Guid,
  embedding: '77cd99ec-9939-43ae-83dc-3c770ef65a4c' as Guid,
};

/** Dolittle's FailureId.Other: an error with no documented id. */
export const otherFailureId = '05cc1d10-4efc-457b-84a6-a1be0a5f36ba' as Guid;

export function mappingOf(error: unknown): FailureMapping & { reason: string } {
  if (error instanceof RegistrationFailed) {
    return {
      failureId: registrationFailures[error.processorKind],
      status: status.FAILED_PRECONDITION,
      reason: error.message,
    };
  }
  if (error instanceof DolittleError) return { ...table[error.code], reason: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { failureId: otherFailureId, status: status.INTERNAL, reason: `internal error: ${message}` };
}

export function failureOf(error: unknown): Failure {
  const mapping = mappingOf(error);
  const failure = new Failure();
  failure.setId(guidToUuid(mapping.failureId));
  failure.setReason(mapping.reason);
  return failure;
}
