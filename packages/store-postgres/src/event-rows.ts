import type {
  AggregateRootId,
  AggregateRootVersion,
  ArtifactId,
  ConsentId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';

/**
 * An `events` row as node-postgres returns it in array mode, in `eventColumns`' order: bigint as string, uuid as
 * lowercase string, times as milliseconds since the epoch.
 */
export type EventRow = readonly [
  sequenceNumber: string,
  eventSourceId: string,
  typeId: string,
  typeGeneration: string,
  isPublic: boolean,
  content: string,
  occurred: number,
  executionContext: string,
  aggregateRootId: string | null,
  aggregateVersion: string | null,
  externalSequenceNumber: string | null,
  externalReceived: number | null,
  externalConsentId: string | null,
];

/** A row that starts with an `EventRow`'s columns (a join may select more after them). */
export type StartingWithEvent = readonly [...EventRow, ...unknown[]];

/** Where an `EventRow`'s execution context is, and how many columns it has (a join's own columns come after). */
export const executionContextColumn = 7;
export const eventColumnCount = 13;

/**
 * Parses execution contexts, each distinct text once: the events of one commit share their context, and a stream
 * mixes the events of a few commits.
 */
export function executionContextParser(): (text: string) => ExecutionContext {
  let lastText: string | undefined;
  let lastContext: ExecutionContext | undefined;
  const parsed = new Map<string, ExecutionContext>();
  return (text) => {
    if (text === lastText) return lastContext as ExecutionContext;
    let context = parsed.get(text);
    if (context === undefined) {
      context = JSON.parse(text) as ExecutionContext;
      parsed.set(text, context);
    }
    lastText = text;
    lastContext = context;
    return context;
  };
}

export function toCommittedEvents(rows: readonly StartingWithEvent[]): CommittedEvent[] {
  const contextOf = executionContextParser();
  return rows.map((row) => toCommittedEvent(row, contextOf(row[executionContextColumn])));
}

export function toCommittedEvent(row: StartingWithEvent, executionContext: ExecutionContext): CommittedEvent {
  // By index, in `EventRow`'s order (destructuring would go through the array iterator).
  const aggregateRootId = row[8];
  const externalSequenceNumber = row[10];
  return {
    sequenceNumber: Number(row[0]) as EventLogSequenceNumber,
    occurred: new Date(row[6]),
    eventSourceId: row[1] as EventSourceId,
    executionContext,
    type: { id: row[2] as ArtifactId, generation: Number(row[3]) },
    public: row[4],
    content: row[5],
    aggregate:
      aggregateRootId === null
        ? undefined
        : { rootId: aggregateRootId as AggregateRootId, version: Number(row[9]) as AggregateRootVersion },
    external:
      externalSequenceNumber === null
        ? undefined
        : {
            sequenceNumber: Number(externalSequenceNumber) as EventLogSequenceNumber,
            received: new Date(row[11] as number),
            consentId: row[12] as ConsentId,
          },
  };
}
