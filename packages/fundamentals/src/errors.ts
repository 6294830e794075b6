/**
 * One base error with a closed set of codes. Subclasses carry the data a caller needs; the gRPC edge maps
 * codes to Dolittle `Failure` ids and gRPC status codes in exactly one table (runtime/src/grpc/failures.ts).
 */
export type ErrorCode =
  | 'InvalidArgument'
  | 'UnknownTenant'
  | 'NoEventsToCommit'
  | 'AggregateRootConcurrencyConflict'
  | 'StoreUnavailable'
  | 'StoreLocked'
  | 'StoreConsistency'
  | 'UnsafeDurability'
  | 'InvalidConfiguration'
  | 'RegistrationFailed'
  | 'MissingConsent'
  | 'MissingMicroserviceConfiguration'
  | 'SubscriptionFailed'
  | 'ShuttingDown'
  | 'NoEmbeddingRegisteredForTenant'
  | 'FailedToUpdateEmbedding'
  | 'FailedToDeleteEmbedding'
  | 'Internal';

export class DolittleError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** A request carried something malformed: a missing field, an id of the wrong length, content that is not JSON. */
export class InvalidArgument extends DolittleError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super('InvalidArgument', `${field}: ${problem}`);
    this.field = field;
  }
}

export class UnknownTenant extends DolittleError {
  readonly tenantId: string;
  constructor(tenantId: string, configured: readonly string[]) {
    super(
      'UnknownTenant',
      `tenant ${tenantId} is not configured (tenants.json lists ${configured.length === 0 ? 'none' : configured.join(', ')})`,
    );
    this.tenantId = tenantId;
  }
}

export class NoEventsToCommit extends DolittleError {
  constructor() {
    super('NoEventsToCommit', 'there are no events to commit: a commit needs at least one event');
  }
}

export class AggregateRootConcurrencyConflict extends DolittleError {
  readonly eventSourceId: string;
  readonly aggregateRootId: string;
  readonly expected: number;
  readonly actual: number;
  constructor(data: { eventSourceId: string; aggregateRootId: string; expected: number; actual: number }) {
    super(
      'AggregateRootConcurrencyConflict',
      `Tried to commit events to event source ${data.eventSourceId} on aggregate root ${data.aggregateRootId} with expected aggregate root version ${data.expected}, but current aggregate root version was ${data.actual}. The expected aggregate root version needs to be the same as the current aggregate root version`,
    );
    this.eventSourceId = data.eventSourceId;
    this.aggregateRootId = data.aggregateRootId;
    this.expected = data.expected;
    this.actual = data.actual;
  }
}

/** The store could not be reached or failed mid-operation; nothing was acknowledged. Retrying may succeed. */
export class StoreUnavailable extends DolittleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('StoreUnavailable', message, options);
  }
}

/** Another process holds the writer lock on this tenant's store. */
export class StoreLocked extends DolittleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('StoreLocked', message, options);
  }
}

/** What the store holds contradicts what this Runtime knows (e.g. another writer appended). Writing stops. */
export class StoreConsistency extends DolittleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('StoreConsistency', message, options);
  }
}

export class UnsafeDurability extends DolittleError {
  constructor(message: string) {
    super('UnsafeDurability', message);
  }
}

export class InvalidConfiguration extends DolittleError {
  readonly file: string;
  readonly key: string;
  constructor(file: string, key: string, problem: string) {
    super('InvalidConfiguration', `${file}${key === '' ? '' : ` (${key})`}: ${problem}`);
    this.file = file;
    this.key = key;
  }
}

export type ProcessorKind = 'event-handler' | 'filter' | 'projection' | 'embedding';

/** A head's processor could not be registered: already registered, or its definition changed incompatibly. */
export class RegistrationFailed extends DolittleError {
  readonly processorKind: ProcessorKind;
  readonly processorId: string;
  constructor(processorKind: ProcessorKind, processorId: string, reason: string) {
    super('RegistrationFailed', `Failed to register ${processorKind.replace('-', ' ')} ${processorId}: ${reason}`);
    this.processorKind = processorKind;
    this.processorId = processorId;
  }
}

/** A producer has no (or more than one) consent for what a consumer asked to subscribe to. */
export class MissingConsent extends DolittleError {
  constructor(message: string) {
    super('MissingConsent', message);
  }
}

/** A head subscribed to a producer microservice that microservices.json does not list. */
export class MissingMicroserviceConfiguration extends DolittleError {
  constructor(microserviceId: string, configured: readonly string[]) {
    super(
      'MissingMicroserviceConfiguration',
      `microservice ${microserviceId} is not configured in microservices.json (it lists ${configured.length === 0 ? 'none' : configured.join(', ')}); add its host and public port to subscribe to it`,
    );
  }
}

/** An event-horizon subscription could not be established (producer unreachable, or it refused). */
export class SubscriptionFailed extends DolittleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SubscriptionFailed', message, options);
  }
}

export class ShuttingDown extends DolittleError {
  constructor() {
    super('ShuttingDown', 'the Runtime is shutting down and accepts no new work');
  }
}

/** An embedding's Update, Delete or read found no head that registered that embedding for the tenant. */
export class NoEmbeddingRegisteredForTenant extends DolittleError {
  readonly embeddingId: string;
  readonly tenantId: string;
  constructor(data: { embeddingId: string; tenantId: string }) {
    super(
      'NoEmbeddingRegisteredForTenant',
      `No embedding with id ${data.embeddingId} registered for tenant ${data.tenantId}: connect a head that registers it first`,
    );
    this.embeddingId = data.embeddingId;
    this.tenantId = data.tenantId;
  }
}

/** Why an embedding could not reach the asked-for state; nothing was committed or stored. */
export interface EmbeddingFailureData {
  readonly embeddingId: string;
  readonly tenantId: string;
  readonly key: string;
  readonly reason: string;
}

export class FailedToUpdateEmbedding extends DolittleError {
  readonly embeddingId: string;
  readonly tenantId: string;
  readonly key: string;
  constructor(data: EmbeddingFailureData, options?: { cause?: unknown }) {
    super(
      'FailedToUpdateEmbedding',
      `Failed to update embedding ${data.embeddingId} for tenant ${data.tenantId} with key ${JSON.stringify(data.key)}. ${data.reason}`,
      options,
    );
    this.embeddingId = data.embeddingId;
    this.tenantId = data.tenantId;
    this.key = data.key;
  }
}

export class FailedToDeleteEmbedding extends DolittleError {
  readonly embeddingId: string;
  readonly tenantId: string;
  readonly key: string;
  constructor(data: EmbeddingFailureData, options?: { cause?: unknown }) {
    super(
      'FailedToDeleteEmbedding',
      `Failed to delete embedding ${data.embeddingId} for tenant ${data.tenantId} with key ${JSON.stringify(data.key)}. ${data.reason}`,
      options,
    );
    this.embeddingId = data.embeddingId;
    this.tenantId = data.tenantId;
    this.key = data.key;
  }
}
