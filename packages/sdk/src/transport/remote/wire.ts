/*
 * Protobuf ↔ SDK types, in one place: ids (16 bytes in .NET Guid order), artifacts, execution contexts, committed
 * events, failures, durations. Malformed messages from the Runtime become Internal errors naming the field.
 */
import {
  type Artifact as DomainArtifact,
  type ExecutionContext as DomainExecutionContext,
  type EventLogSequenceNumber,
  type EventSourceId,
  type Guid,
  guidFromBytes,
  guidToBytes,
} from '@dolittle-ts/fundamentals';
import { DolittleSdkError } from '../../errors.js';
import type {
  CallContext,
  HeadIdentity,
  ProcessingFailure,
  ReadModelState,
  RetryState,
  StoredEvent,
} from '../transport.js';
import {
  Artifact,
  CallRequestContext,
  Claim,
  type CommittedAggregateEvents,
  type CommittedEvent,
  Duration,
  ExecutionContext,
  type Failure,
  ProcessorFailure,
  type ProjectionCurrentState,
  ProjectionCurrentStateType,
  type RetryProcessingState,
  Uuid,
  Version,
} from './contracts.js';

function malformed(field: string, problem: string): DolittleSdkError {
  return new DolittleSdkError('Internal', `the Runtime sent a malformed message: ${field} ${problem}`);
}

export function uuidOf(guid: string): Uuid {
  return new Uuid().setValue(guidToBytes(guid as Guid));
}

export function guidOf(uuid: Uuid | undefined, field: string): Guid {
  if (uuid === undefined) throw malformed(field, 'is missing');
  const guid = guidFromBytes(uuid.getValue_asU8());
  if (guid === undefined) throw malformed(field, 'is not 16 bytes');
  return guid;
}

export function artifactToPb(artifact: DomainArtifact): Artifact {
  return new Artifact().setId(uuidOf(artifact.id)).setGeneration(artifact.generation);
}

export function artifactOf(artifact: Artifact | undefined, field: string): DomainArtifact {
  if (artifact === undefined) throw malformed(field, 'is missing');
  return {
    id: guidOf(artifact.getId(), `${field}.id`) as string as DomainArtifact['id'],
    generation: artifact.getGeneration(),
  };
}

export function executionContextToPb(context: DomainExecutionContext): ExecutionContext {
  return new ExecutionContext()
    .setMicroserviceid(uuidOf(context.microserviceId))
    .setTenantid(uuidOf(context.tenantId))
    .setVersion(
      new Version()
        .setMajor(context.version.major)
        .setMinor(context.version.minor)
        .setPatch(context.version.patch)
        .setBuild(context.version.build)
        .setPrereleasestring(context.version.preRelease),
    )
    .setCorrelationid(uuidOf(context.correlationId))
    .setClaimsList(context.claims.map((c) => new Claim().setKey(c.key).setValue(c.value).setValuetype(c.valueType)))
    .setEnvironment(context.environment);
}

export function executionContextOf(context: ExecutionContext | undefined, field: string): DomainExecutionContext {
  if (context === undefined) throw malformed(field, 'is missing');
  const version = context.getVersion();
  return {
    microserviceId: guidOf(
      context.getMicroserviceid(),
      `${field}.microserviceId`,
    ) as string as DomainExecutionContext['microserviceId'],
    tenantId: guidOf(context.getTenantid(), `${field}.tenantId`) as string as DomainExecutionContext['tenantId'],
    version: {
      major: version?.getMajor() ?? 0,
      minor: version?.getMinor() ?? 0,
      patch: version?.getPatch() ?? 0,
      build: version?.getBuild() ?? 0,
      preRelease: version?.getPrereleasestring() ?? '',
    },
    correlationId: guidOf(
      context.getCorrelationid(),
      `${field}.correlationId`,
    ) as string as DomainExecutionContext['correlationId'],
    claims: context.getClaimsList().map((c) => ({ key: c.getKey(), value: c.getValue(), valueType: c.getValuetype() })),
    environment: context.getEnvironment(),
  };
}

/** The execution context a head sends: its identity, the caller's tenant and correlation. */
export function headExecutionContext(identity: HeadIdentity, call: CallContext): DomainExecutionContext {
  return {
    microserviceId: identity.microserviceId,
    tenantId: call.tenant,
    version: identity.version,
    correlationId: call.correlationId,
    claims: [],
    environment: identity.environment,
  };
}

export function callRequestContext(identity: HeadIdentity, call: CallContext, headId: Guid): CallRequestContext {
  return new CallRequestContext()
    .setExecutioncontext(executionContextToPb(headExecutionContext(identity, call)))
    .setHeadid(uuidOf(headId));
}

export function durationOfMs(ms: number): Duration {
  const whole = Math.max(0, Math.round(ms));
  return new Duration().setSeconds(Math.floor(whole / 1000)).setNanos((whole % 1000) * 1_000_000);
}

function dateOf(timestamp: { getSeconds(): number; getNanos(): number } | undefined): Date {
  return timestamp === undefined
    ? new Date(0)
    : new Date(timestamp.getSeconds() * 1000 + Math.floor(timestamp.getNanos() / 1e6));
}

export function storedEventOf(event: CommittedEvent | undefined, field: string): StoredEvent {
  if (event === undefined) throw malformed(field, 'is missing');
  return {
    sequenceNumber: event.getEventlogsequencenumber() as EventLogSequenceNumber,
    occurred: dateOf(event.getOccurred()),
    eventSourceId: guidOf(event.getEventsourceid(), `${field}.eventSourceId`) as string as EventSourceId,
    executionContext: executionContextOf(event.getExecutioncontext(), `${field}.executionContext`),
    type: artifactOf(event.getType(), `${field}.type`),
    public: event.getPublic(),
    content: event.getContent(),
    external: event.getExternal()
      ? {
          sequenceNumber: event.getExternaleventlogsequencenumber() as EventLogSequenceNumber,
          received: dateOf(event.getExternaleventreceived()),
        }
      : undefined,
  };
}

export function storedAggregateEventsOf(events: CommittedAggregateEvents | undefined, field: string): StoredEvent[] {
  if (events === undefined) return [];
  const eventSourceId = guidOf(events.getEventsourceid(), `${field}.eventSourceId`) as string as EventSourceId;
  return events.getEventsList().map((event, i) => ({
    sequenceNumber: event.getEventlogsequencenumber() as EventLogSequenceNumber,
    occurred: dateOf(event.getOccurred()),
    eventSourceId,
    executionContext: executionContextOf(event.getExecutioncontext(), `${field}.events[${i}].executionContext`),
    type: artifactOf(event.getType(), `${field}.events[${i}].type`),
    public: event.getPublic(),
    content: event.getContent(),
    external: undefined,
  }));
}

/** A Failure, if one was answered: `{ id, reason }`. */
export function failureOf(failure: Failure | undefined): { id: string; reason: string } | undefined {
  if (failure === undefined) return undefined;
  const id = failure.getId();
  return { id: id === undefined ? '' : (guidFromBytes(id.getValue_asU8()) ?? ''), reason: failure.getReason() };
}

export function retryStateOf(state: RetryProcessingState | undefined): RetryState | undefined {
  return state === undefined ? undefined : { reason: state.getFailurereason(), retryCount: state.getRetrycount() };
}

export function processorFailureToPb(failure: ProcessingFailure): ProcessorFailure {
  return new ProcessorFailure()
    .setReason(failure.reason)
    .setRetry(failure.retry)
    .setRetrytimeout(durationOfMs(failure.retryAfterMs));
}

export function readModelOf(state: ProjectionCurrentState | undefined, field: string): ReadModelState {
  if (state === undefined) throw malformed(field, 'is missing');
  return {
    key: state.getKey(),
    state: state.getState(),
    type: state.getType() === ProjectionCurrentStateType.PERSISTED ? 'persisted' : 'initial',
  };
}
