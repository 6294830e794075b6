import {
  type AggregateRootVersion,
  type EventLogSequenceNumber,
  type EventSourceId,
  InvalidArgument,
  type ScopeId,
} from '@dolittle-ts/fundamentals';
import type { Commit, CommitOutcome, CommittedEvent } from '@dolittle-ts/store';
import { isStorableText } from './storable-text.js';

/** Key of an aggregate root instance in maps: `${aggregateRootId}/${eventSourceId}`. */
export function aggregateKey(aggregateRootId: string, eventSourceId: string): string {
  return `${aggregateRootId}/${eventSourceId}`;
}

/** The aggregate root instances whose versions the batch must check, each once. */
export function aggregatesOf(batch: readonly Commit[]): {
  readonly rootIds: string[];
  readonly eventSourceIds: string[];
} {
  const seen = new Set<string>();
  const rootIds: string[] = [];
  const eventSourceIds: string[] = [];
  for (const commit of batch) {
    if (commit.kind !== 'aggregate' || commit.events.length === 0) continue;
    const key = aggregateKey(commit.aggregateRootId, commit.eventSourceId);
    if (seen.has(key)) continue;
    seen.add(key);
    rootIds.push(commit.aggregateRootId);
    eventSourceIds.push(commit.eventSourceId);
  }
  return { rootIds, eventSourceIds };
}

/** The rows one batch appends, column by column, as the insert statement binds them. */
export interface EventColumns {
  readonly eventSourceIds: string[];
  readonly typeIds: string[];
  readonly typeGenerations: number[];
  readonly publics: boolean[];
  readonly contents: string[];
  /** 1-based index into `executionContexts` per row: one context per commit, not per event. */
  readonly contextIndexes: number[];
  readonly executionContexts: string[];
  readonly aggregateRootIds: (string | null)[];
  readonly aggregateVersions: (number | null)[];
}

export interface BatchPlan {
  readonly outcomes: CommitOutcome[];
  /** Sequence number of the first appended row; the rows are numbered densely from it. */
  readonly firstSequenceNumber: number;
  readonly columns: EventColumns;
  /** How many rows the batch appends. */
  readonly count: number;
  /** New versions of the aggregate root instances the batch wrote to, each once. */
  readonly aggregates: {
    readonly rootIds: string[];
    readonly eventSourceIds: string[];
    readonly versions: number[];
  };
}

/**
 * Decides each commit of a batch, in array order, against the aggregate versions the store holds: a commit
 * without events gets `NoEventsToCommit`, one whose expected version is not the aggregate's current version a
 * conflict (and writes nothing); the others get dense sequence numbers from `nextSequenceNumber` on. Pure.
 */
export function planBatch(
  batch: readonly Commit[],
  context: {
    readonly scope: ScopeId;
    readonly nextSequenceNumber: number;
    /** Current versions by `aggregateKey`; absent means 0 (no events yet). */
    readonly versions: ReadonlyMap<string, number>;
    readonly occurred: Date;
  },
): BatchPlan {
  const versions = new Map(context.versions);
  const written = new Map<string, { rootId: string; eventSourceId: string }>();
  const columns: EventColumns = {
    eventSourceIds: [],
    typeIds: [],
    typeGenerations: [],
    publics: [],
    contents: [],
    contextIndexes: [],
    executionContexts: [],
    aggregateRootIds: [],
    aggregateVersions: [],
  };
  const outcomes: CommitOutcome[] = [];
  let next = context.nextSequenceNumber;

  for (const [commitIndex, commit] of batch.entries()) {
    if (commit.events.length === 0) {
      outcomes.push({ ok: false, failure: { kind: 'NoEventsToCommit' } });
      continue;
    }
    let version = 0;
    if (commit.kind === 'aggregate') {
      const key = aggregateKey(commit.aggregateRootId, commit.eventSourceId);
      version = versions.get(key) ?? 0;
      if (commit.expectedVersion !== version) {
        outcomes.push({
          ok: false,
          failure: {
            kind: 'AggregateRootConcurrencyConflict',
            expected: commit.expectedVersion,
            actual: version as AggregateRootVersion,
          },
        });
        continue;
      }
      versions.set(key, version + commit.events.length);
      written.set(key, { rootId: commit.aggregateRootId, eventSourceId: commit.eventSourceId });
    }

    columns.executionContexts.push(JSON.stringify(commit.executionContext));
    const contextIndex = columns.executionContexts.length;
    const committed: CommittedEvent[] = [];
    for (let eventIndex = 0; eventIndex < commit.events.length; eventIndex++) {
      const event = commit.events[eventIndex]!;
      checkStorable(event.content, commitIndex, eventIndex);
      const eventSourceId: EventSourceId =
        commit.kind === 'aggregate' ? commit.eventSourceId : commit.events[eventIndex]!.eventSourceId;
      const aggregate =
        commit.kind === 'aggregate'
          ? { rootId: commit.aggregateRootId, version: (version + eventIndex) as AggregateRootVersion }
          : undefined;
      columns.eventSourceIds.push(eventSourceId);
      columns.typeIds.push(event.type.id);
      columns.typeGenerations.push(event.type.generation);
      columns.publics.push(event.public);
      columns.contents.push(event.content);
      columns.contextIndexes.push(contextIndex);
      columns.aggregateRootIds.push(aggregate === undefined ? null : aggregate.rootId);
      columns.aggregateVersions.push(aggregate === undefined ? null : aggregate.version);
      committed.push({
        sequenceNumber: next as EventLogSequenceNumber,
        occurred: context.occurred,
        eventSourceId,
        executionContext: commit.executionContext,
        type: event.type,
        public: event.public,
        content: event.content,
        aggregate,
        external: undefined,
      });
      next++;
    }
    outcomes.push({ ok: true, events: committed });
  }

  const aggregates = { rootIds: [] as string[], eventSourceIds: [] as string[], versions: [] as number[] };
  for (const [key, { rootId, eventSourceId }] of written) {
    aggregates.rootIds.push(rootId);
    aggregates.eventSourceIds.push(eventSourceId);
    aggregates.versions.push(versions.get(key) as number);
  }
  return {
    outcomes,
    firstSequenceNumber: context.nextSequenceNumber,
    columns,
    count: next - context.nextSequenceNumber,
    aggregates,
  };
}

function checkStorable(content: string, commitIndex: number, eventIndex: number): void {
  if (!isStorableText(content)) {
    throw new InvalidArgument(
      `batch[${commitIndex}].events[${eventIndex}].content`,
      'holds a NUL character or an unpaired surrogate, which PostgreSQL text cannot store: send valid JSON',
    );
  }
}
