import assert from 'node:assert/strict';
import {
  type AggregateRootId,
  type AggregateRootVersion,
  type Artifact,
  asAggregateRootId,
  asArtifactId,
  asCorrelationId,
  asEventSourceId,
  asScopeId,
  asTenantId,
  createGuid,
  defaultScope,
  developmentMicroservice,
  developmentTenant,
  type EventLogSequenceNumber,
  type EventSourceId,
  type ExecutionContext,
  type ScopeId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type {
  Commit,
  CommitOutcome,
  CommittedEvent,
  EventStore,
  UncommittedAggregateEvent,
  UncommittedEvent,
} from '../index.js';

/*
 * Builders for commits and execution contexts, shared by the conformance suite and the Runtime's own tests.
 * Every id is fresh unless given, so tests never collide with each other's data.
 */

export const newTenantId = (): TenantId => asTenantId(createGuid());
export const newScopeId = (): ScopeId => asScopeId(createGuid());
export const newEventSourceId = (): EventSourceId => asEventSourceId(createGuid());
export const newAggregateRootId = (): AggregateRootId => asAggregateRootId(createGuid());
export const sequenceNumber = (n: number): EventLogSequenceNumber => n as EventLogSequenceNumber;
export const newArtifact = (generation = 1): Artifact => ({ id: asArtifactId(createGuid()), generation });

/** An aggregate root instance: the pair an aggregate's version belongs to. */
export interface AggregateIdentity {
  readonly aggregateRootId: AggregateRootId;
  readonly eventSourceId: EventSourceId;
}

export const newAggregate = (): AggregateIdentity => ({
  aggregateRootId: newAggregateRootId(),
  eventSourceId: newEventSourceId(),
});

/** A complete execution context with a fresh correlation id; every field can be overridden. */
export function buildExecutionContext(overrides: Partial<ExecutionContext> = {}): ExecutionContext {
  return {
    microserviceId: developmentMicroservice,
    tenantId: developmentTenant,
    version: { major: 1, minor: 2, patch: 3, build: 4, preRelease: 'alpha.5' },
    correlationId: asCorrelationId(createGuid()),
    claims: [{ key: 'sub', value: 'someone', valueType: 'string' }],
    environment: 'Development',
    ...overrides,
  };
}

export function buildEvent(overrides: Partial<UncommittedEvent> = {}): UncommittedEvent {
  return { eventSourceId: newEventSourceId(), type: newArtifact(), public: false, content: '{}', ...overrides };
}

export function buildAggregateEvent(overrides: Partial<UncommittedAggregateEvent> = {}): UncommittedAggregateEvent {
  return { type: newArtifact(), public: false, content: '{}', ...overrides };
}

/** A commit of plain events: the events given, or that many events with content `{"n":i}`. */
export function eventsCommit(
  events: readonly UncommittedEvent[] | number,
  executionContext: ExecutionContext = buildExecutionContext(),
): Commit {
  return {
    kind: 'events',
    executionContext,
    events:
      typeof events === 'number'
        ? Array.from({ length: events }, (_, n) => buildEvent({ content: `{"n":${n}}` }))
        : events,
  };
}

export interface AggregateCommitOptions extends AggregateIdentity {
  readonly expectedVersion: number;
  /** The events given, or that many events with content `{"n":i}`. */
  readonly events: readonly UncommittedAggregateEvent[] | number;
  readonly executionContext?: ExecutionContext;
}

export function aggregateCommit(options: AggregateCommitOptions): Commit {
  const { events } = options;
  return {
    kind: 'aggregate',
    executionContext: options.executionContext ?? buildExecutionContext(),
    aggregateRootId: options.aggregateRootId,
    eventSourceId: options.eventSourceId,
    expectedVersion: options.expectedVersion as AggregateRootVersion,
    events:
      typeof events === 'number'
        ? Array.from({ length: events }, (_, n) => buildAggregateEvent({ content: `{"n":${n}}` }))
        : events,
  };
}

/**
 * The events a successful commit must come back as, derived from the port's contract alone: consecutive
 * sequence numbers from `firstSequenceNumber`, the batch's `occurred`, the aggregate version `expected + i`.
 */
export function expectedCommittedEvents(commit: Commit, firstSequenceNumber: number, occurred: Date): CommittedEvent[] {
  return commit.events.map((event, i) => ({
    sequenceNumber: sequenceNumber(firstSequenceNumber + i),
    occurred: new Date(occurred.getTime()),
    eventSourceId: commit.kind === 'aggregate' ? commit.eventSourceId : (event as UncommittedEvent).eventSourceId,
    executionContext: commit.executionContext,
    type: { id: event.type.id, generation: event.type.generation },
    public: event.public,
    content: event.content,
    aggregate:
      commit.kind === 'aggregate'
        ? { rootId: commit.aggregateRootId, version: (commit.expectedVersion + i) as AggregateRootVersion }
        : undefined,
    external: undefined,
  }));
}

/** The committed events of a successful outcome; fails the test with the failure otherwise. */
export function committedEvents(outcome: CommitOutcome | undefined): readonly CommittedEvent[] {
  assert.ok(outcome !== undefined, 'expected a commit outcome, got none');
  assert.ok(
    outcome.ok,
    `expected the commit to succeed, it failed with ${JSON.stringify(outcome.ok ? {} : outcome.failure)}`,
  );
  return outcome.events;
}

/** The failure of a failed outcome; fails the test if the commit succeeded. */
export function commitFailure(outcome: CommitOutcome | undefined): Extract<CommitOutcome, { ok: false }>['failure'] {
  assert.ok(outcome !== undefined, 'expected a commit outcome, got none');
  assert.ok(!outcome.ok, `expected the commit to fail, it wrote ${outcome.ok ? outcome.events.length : 0} events`);
  return outcome.failure;
}

/** Reads a scope's whole event log, page by page; fails the test if a page is empty before the end. */
export async function readAll(
  events: EventStore,
  scope: ScopeId = defaultScope,
  pageSize = 100,
): Promise<CommittedEvent[]> {
  const end = await events.nextSequenceNumber(scope);
  const all: CommittedEvent[] = [];
  while (all.length < end) {
    const page = await events.read(scope, { from: sequenceNumber(all.length), limit: pageSize });
    assert.ok(page.length > 0, `read from ${all.length} returned nothing, but the log holds ${end} events`);
    assert.ok(page.length <= pageSize, `read returned ${page.length} events, more than the limit ${pageSize}`);
    all.push(...page);
  }
  return all;
}

/** `count` numbers from `from`: the sequence numbers a dense log must show. */
export const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
