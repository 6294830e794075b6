/*
 * One error class for everything the SDK can fail with, and a closed set of codes. Subclasses carry the data a
 * caller needs. `failureId` is the Dolittle Failure id when the Runtime answered with one. The one table mapping
 * Failure ids (remote) and Runtime error codes (embedded) to SDK codes is `errorFromFailure` / `errorFromRuntime`.
 */

export type DolittleSdkErrorCode =
  /** The aggregate root instance moved on since it was loaded; load again (or pass `retry`). */
  | 'AggregateRootConcurrencyConflict'
  | 'NoEventsToCommit'
  /** Event content did not pass the event type's schema (on commit or on receipt). */
  | 'InvalidEventContent'
  /** An event type was used that the definition (handler, projection, aggregate) does not know. */
  | 'UnknownEventType'
  | 'InvalidArgument'
  | 'UnknownTenant'
  /** The Runtime refused a processor (already registered by another head, or its definition changed). */
  | 'RegistrationFailed'
  | 'MissingConsent'
  | 'MissingMicroserviceConfiguration'
  | 'SubscriptionFailed'
  /** No connected head registered the embedding for the tenant (or, for reads, it was never registered). */
  | 'NoEmbeddingRegisteredForTenant'
  /** The embedding could not reach the desired state (head failure, loop, conflicts); nothing was committed. */
  | 'FailedToUpdateEmbedding'
  /** The embedding could not delete the read model (head failure, loop, conflicts); nothing was committed. */
  | 'FailedToDeleteEmbedding'
  /** The Runtime's store could not be reached; retrying may succeed. */
  | 'StoreUnavailable'
  /** The Runtime could not be reached (not running, restarting, network). */
  | 'Unavailable'
  /** The caller's AbortSignal aborted the call. */
  | 'Aborted'
  /** The client was closed. */
  | 'ClientClosed'
  /** The Runtime answered with a Failure this SDK has no more specific code for (see `failureId`). */
  | 'RuntimeFailure'
  | 'Internal';

export interface DolittleSdkErrorOptions {
  readonly cause?: unknown;
  readonly failureId?: string | undefined;
}

export class DolittleSdkError extends Error {
  readonly code: DolittleSdkErrorCode;
  /** The Dolittle `Failure` id the Runtime answered with, when it did. */
  readonly failureId: string | undefined;

  constructor(code: DolittleSdkErrorCode, message: string, options: DolittleSdkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.failureId = options.failureId;
    this.name = new.target.name;
  }
}

export class AggregateRootConcurrencyConflict extends DolittleSdkError {
  readonly aggregateRootId: string;
  readonly eventSourceId: string;
  readonly expected: number;
  /** The version the Runtime has, when it said so. */
  readonly actual: number | undefined;

  constructor(
    data: { aggregateRootId: string; eventSourceId: string; expected: number; actual: number | undefined },
    options: DolittleSdkErrorOptions = {},
  ) {
    super(
      'AggregateRootConcurrencyConflict',
      `aggregate root ${data.aggregateRootId} with event source ${data.eventSourceId} was expected at version ${data.expected}` +
        `${data.actual === undefined ? '' : ` but is at version ${data.actual}`}: load it again and re-run the action (or pass { retry })`,
      { failureId: conflictFailureId, ...options },
    );
    this.aggregateRootId = data.aggregateRootId;
    this.eventSourceId = data.eventSourceId;
    this.expected = data.expected;
    this.actual = data.actual;
  }
}

export interface SchemaIssue {
  readonly message: string;
  readonly path?: readonly PropertyKey[] | undefined;
}

export class InvalidEventContent extends DolittleSdkError {
  readonly eventType: string;
  readonly issues: readonly SchemaIssue[];
  constructor(data: { eventType: string; when: 'commit' | 'receipt'; issues: readonly SchemaIssue[] }) {
    const described = data.issues
      .slice(0, 5)
      .map((issue) => `${issue.path?.length ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`)
      .join('; ');
    super(
      'InvalidEventContent',
      `content of event type ${data.eventType} is not valid on ${data.when}: ${described}${data.issues.length > 5 ? ` (and ${data.issues.length - 5} more)` : ''}`,
    );
    this.eventType = data.eventType;
    this.issues = data.issues;
  }
}

export type ProcessorKind = 'event-handler' | 'filter' | 'projection' | 'embedding';

export class RegistrationFailed extends DolittleSdkError {
  readonly processorKind: ProcessorKind;
  readonly processorId: string;
  constructor(
    data: { processorKind: ProcessorKind; processorId: string; reason: string },
    options: DolittleSdkErrorOptions = {},
  ) {
    super(
      'RegistrationFailed',
      `the Runtime refused ${data.processorKind} ${data.processorId}: ${data.reason}`,
      options,
    );
    this.processorKind = data.processorKind;
    this.processorId = data.processorId;
  }
}

export class InvalidArgument extends DolittleSdkError {
  readonly field: string;
  constructor(field: string, problem: string, options: DolittleSdkErrorOptions = {}) {
    super('InvalidArgument', `${field}: ${problem}`, options);
    this.field = field;
  }
}

export const noEmbeddingRegisteredFailureId = 'd76e5522-9bbd-4bb1-87df-b167e42acf02';
export const failedToUpdateEmbeddingFailureId = '4f765146-c635-497a-a14b-b7f80d5cf875';
export const failedToDeleteEmbeddingFailureId = 'dcfba172-9348-4b2c-b518-17603798c0ec';

/** Update, Delete or GetOne of an embedding no head registered for the tenant. */
export class NoEmbeddingRegisteredForTenant extends DolittleSdkError {
  readonly embeddingId: string;
  readonly tenantId: string;
  constructor(data: { embeddingId: string; tenantId: string; reason?: string }, options: DolittleSdkErrorOptions = {}) {
    super(
      'NoEmbeddingRegisteredForTenant',
      `no embedding ${data.embeddingId} is registered for tenant ${data.tenantId}${data.reason === undefined ? '' : `: ${data.reason}`}`,
      { failureId: noEmbeddingRegisteredFailureId, ...options },
    );
    this.embeddingId = data.embeddingId;
    this.tenantId = data.tenantId;
  }
}

export interface EmbeddingFailureData {
  readonly embeddingId: string;
  readonly tenantId: string;
  readonly key: string;
  /** The Runtime's reason: the head's failure, a loop, or conflicting commits. */
  readonly reason: string;
}

/** An embedding's update did not reach the desired state; nothing was committed or stored. */
export class FailedToUpdateEmbedding extends DolittleSdkError {
  readonly embeddingId: string;
  readonly tenantId: string;
  readonly key: string;
  readonly reason: string;
  /** The events the head resolved to lead back to a state seen before (Dolittle's EmbeddingLoopDetected). */
  readonly loopDetected: boolean;
  constructor(data: EmbeddingFailureData, options: DolittleSdkErrorOptions = {}) {
    super(
      'FailedToUpdateEmbedding',
      `embedding ${data.embeddingId} could not update key ${JSON.stringify(data.key)} (tenant ${data.tenantId}): ${data.reason}`,
      { failureId: failedToUpdateEmbeddingFailureId, ...options },
    );
    this.embeddingId = data.embeddingId;
    this.tenantId = data.tenantId;
    this.key = data.key;
    this.reason = data.reason;
    this.loopDetected = /EmbeddingLoopDetected/.test(data.reason);
  }
}

/** An embedding's delete did not delete the read model; nothing was committed or stored. */
export class FailedToDeleteEmbedding extends DolittleSdkError {
  readonly embeddingId: string;
  readonly tenantId: string;
  readonly key: string;
  readonly reason: string;
  readonly loopDetected: boolean;
  constructor(data: EmbeddingFailureData, options: DolittleSdkErrorOptions = {}) {
    super(
      'FailedToDeleteEmbedding',
      `embedding ${data.embeddingId} could not delete key ${JSON.stringify(data.key)} (tenant ${data.tenantId}): ${data.reason}`,
      { failureId: failedToDeleteEmbeddingFailureId, ...options },
    );
    this.embeddingId = data.embeddingId;
    this.tenantId = data.tenantId;
    this.key = data.key;
    this.reason = data.reason;
    this.loopDetected = /EmbeddingLoopDetected/.test(data.reason);
  }
}

/**
 * An embedding call's failure (a Dolittle Failure id over gRPC, a Runtime error code embedded) as its typed error;
 * undefined when it is not one of the embedding failures.
 */
export function embeddingError(
  code: string,
  data: { embeddingId: string; tenantId: string; key: string | undefined; reason: string },
  options: DolittleSdkErrorOptions = {},
): DolittleSdkError | undefined {
  switch (code) {
    case noEmbeddingRegisteredFailureId:
    case 'NoEmbeddingRegisteredForTenant':
      return new NoEmbeddingRegisteredForTenant(
        { embeddingId: data.embeddingId, tenantId: data.tenantId, reason: data.reason },
        options,
      );
    case failedToUpdateEmbeddingFailureId:
    case 'FailedToUpdateEmbedding':
      return new FailedToUpdateEmbedding({ ...data, key: data.key ?? '' }, options);
    case failedToDeleteEmbeddingFailureId:
    case 'FailedToDeleteEmbedding':
      return new FailedToDeleteEmbedding({ ...data, key: data.key ?? '' }, options);
    default:
      return undefined;
  }
}

/** The error a call rejects with when its signal aborted (the signal's reason is kept as `cause`). */
export function abortedError(signal: AbortSignal, what: string): DolittleSdkError {
  return new DolittleSdkError('Aborted', `${what} was aborted`, { cause: signal.reason });
}

export const conflictFailureId = 'f25cccfb-3ae1-4969-bee6-906370ffbc2d';

/**
 * The one table: Dolittle Failure ids (as the Runtime answers them over gRPC) to SDK codes. Ids Dolittle 6 defines
 * are Dolittle's; the InvalidArgument and UnknownTenant ids are this project's Runtime's own.
 */
const failureCodes: ReadonlyMap<string, DolittleSdkErrorCode> = new Map([
  [conflictFailureId, 'AggregateRootConcurrencyConflict'],
  ['ef3f1a42-9bc3-4d98-aa2a-942db7c56ac1', 'NoEventsToCommit'],
  ['b6fcb5dd-a32b-435b-8bf4-ed96e846d460', 'StoreUnavailable'],
  ['0d18fb1e-c812-4150-a110-9fe9bf3dd7b7', 'InvalidArgument'],
  ['51413826-03a5-4870-845c-d9c69ad06e49', 'UnknownTenant'],
  ['be1ba4e6-81e3-49c4-bec2-6c7e262bfb77', 'MissingConsent'],
  ['9b74482a-8eaa-47ab-ac1c-53d704e4e77d', 'MissingMicroserviceConfiguration'],
  ['2e6b926a-a213-4175-a597-df64aee4a497', 'SubscriptionFailed'],
  [noEmbeddingRegisteredFailureId, 'NoEmbeddingRegisteredForTenant'],
  [failedToUpdateEmbeddingFailureId, 'FailedToUpdateEmbedding'],
  [failedToDeleteEmbeddingFailureId, 'FailedToDeleteEmbedding'],
  ['dbfdfa15-e727-49f6-bed8-7a787954a4c6', 'RegistrationFailed'],
  ['f0480899-8aed-4191-b339-5121f4d9f2e2', 'RegistrationFailed'],
] as const);

/** Runtime (embedded) error codes to SDK codes; the Runtime's own errors carry a `code`. */
const runtimeCodes: Readonly<Record<string, DolittleSdkErrorCode>> = {
  AggregateRootConcurrencyConflict: 'AggregateRootConcurrencyConflict',
  NoEventsToCommit: 'NoEventsToCommit',
  InvalidArgument: 'InvalidArgument',
  UnknownTenant: 'UnknownTenant',
  StoreUnavailable: 'StoreUnavailable',
  StoreLocked: 'StoreUnavailable',
  ShuttingDown: 'Unavailable',
  RegistrationFailed: 'RegistrationFailed',
  MissingConsent: 'MissingConsent',
  MissingMicroserviceConfiguration: 'MissingMicroserviceConfiguration',
  SubscriptionFailed: 'SubscriptionFailed',
  NoEmbeddingRegisteredForTenant: 'NoEmbeddingRegisteredForTenant',
  FailedToUpdateEmbedding: 'FailedToUpdateEmbedding',
  FailedToDeleteEmbedding: 'FailedToDeleteEmbedding',
};

export function codeOfFailure(failureId: string): DolittleSdkErrorCode {
  return failureCodes.get(failureId) ?? 'RuntimeFailure';
}

/** A Failure the Runtime answered with (remote), as an SDK error. */
export function errorFromFailure(failure: { id: string; reason: string }, what: string): DolittleSdkError {
  return new DolittleSdkError(codeOfFailure(failure.id), `${what} failed: ${failure.reason}`, {
    failureId: failure.id,
  });
}

/** An error thrown by the in-process Runtime (embedded), as an SDK error (SDK errors pass through). */
export function errorFromRuntime(error: unknown, what: string): DolittleSdkError {
  if (error instanceof DolittleSdkError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'RegistrationFailed') {
    const { processorKind, processorId } = error as { processorKind?: string; processorId?: string };
    return new RegistrationFailed(
      {
        processorKind: (processorKind ?? 'event-handler') as ProcessorKind,
        processorId: processorId ?? '',
        reason: message,
      },
      { cause: error },
    );
  }
  const sdkCode = typeof code === 'string' ? (runtimeCodes[code] ?? 'RuntimeFailure') : 'Internal';
  return new DolittleSdkError(sdkCode, `${what} failed: ${message}`, { cause: error });
}
