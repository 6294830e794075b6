import type { AggregateRootId, AggregateRootVersion, ConsentId, EventSourceId } from '@dolittle-ts/fundamentals';
import type { Commit, CommitOutcome, CommittedEvent, ReceivedEvent } from '@dolittle-ts/store';
import { expectedCommittedEvents, expectedExternalEvents } from '@dolittle-ts/store/conformance';

/*
 * What an event store must hold, derived from the EventStore port's contract alone: one list of events per scope's
 * event log and a version per aggregate root instance (plus each scope's one subscription position, for the
 * event-horizon writes that fill scoped logs). The model never looks at the store; the commands compare the two.
 */

export interface EventStoreModel {
  /** Each scope's event log by scope index (0 is the default scope), in sequence-number order. */
  readonly logs: CommittedEvent[][];
  /** The version of each aggregate root instance that has events, by `aggregateKey`. */
  readonly versions: Map<string, number>;
  /** The next producer stream position of the one subscription into each scope, by scope index. */
  readonly positions: number[];
}

export function emptyModel(scopes: number): EventStoreModel {
  return {
    logs: Array.from({ length: scopes }, () => []),
    versions: new Map(),
    positions: Array.from({ length: scopes }, () => 0),
  };
}

export const aggregateKey = (rootId: AggregateRootId, eventSourceId: EventSourceId): string =>
  `${rootId}/${eventSourceId}`;

export function versionIn(model: EventStoreModel, rootId: AggregateRootId, eventSourceId: EventSourceId): number {
  return model.versions.get(aggregateKey(rootId, eventSourceId)) ?? 0;
}

export function logOf(model: EventStoreModel, scope: number): CommittedEvent[] {
  const log = model.logs[scope];
  if (log === undefined) throw new Error(`the model has no scope ${scope}`);
  return log;
}

/**
 * Applies a batch to the model (commits always go to the default scope) and returns the outcome each commit must
 * get: in array order, an empty commit is `NoEventsToCommit`, an aggregate commit whose expected version is not the
 * current one is a conflict naming both, anything else is written with the next sequence numbers.
 */
export function commitToModel(model: EventStoreModel, batch: readonly Commit[], occurred: Date): CommitOutcome[] {
  const log = logOf(model, 0);
  return batch.map((commit): CommitOutcome => {
    if (commit.events.length === 0) return { ok: false, failure: { kind: 'NoEventsToCommit' } };
    if (commit.kind === 'aggregate') {
      const actual = versionIn(model, commit.aggregateRootId, commit.eventSourceId);
      if (commit.expectedVersion !== actual) {
        return {
          ok: false,
          failure: {
            kind: 'AggregateRootConcurrencyConflict',
            expected: commit.expectedVersion,
            actual: actual as AggregateRootVersion,
          },
        };
      }
      model.versions.set(aggregateKey(commit.aggregateRootId, commit.eventSourceId), actual + commit.events.length);
    }
    const events = expectedCommittedEvents(commit, log.length, occurred);
    log.push(...events);
    return { ok: true, events };
  });
}

/** The events a receive at the subscription's stored position writes into the scope's log (and moves it past). */
export function receiveToModel(
  model: EventStoreModel,
  scope: number,
  events: readonly ReceivedEvent[],
  options: { readonly consentId: ConsentId; readonly received: Date },
): CommittedEvent[] {
  const log = logOf(model, scope);
  const written = expectedExternalEvents(events, log.length, options);
  log.push(...written);
  const last = events.at(-1);
  if (last !== undefined) model.positions[scope] = last.streamPosition + 1;
  return written;
}

/** Every event of the aggregate root instance in version order: what `fetchForAggregate` must return. */
export function aggregateEventsIn(
  model: EventStoreModel,
  rootId: AggregateRootId,
  eventSourceId: EventSourceId,
): CommittedEvent[] {
  return logOf(model, 0).filter((event) => event.aggregate?.rootId === rootId && event.eventSourceId === eventSourceId);
}
