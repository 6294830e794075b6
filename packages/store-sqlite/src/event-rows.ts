import type {
  AggregateRootId,
  AggregateRootVersion,
  ConsentId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';

/**
 * An `events` row as the event log and the streams read it: the columns of `eventColumns`, in that order, as an
 * array (statements read with `.raw()`: no object per row).
 */
export type EventRow = readonly [
  sequenceNumber: number,
  occurred: number,
  eventSourceId: string,
  typeId: string,
  typeGeneration: number,
  isPublic: number,
  content: string,
  executionContext: string,
  aggregateRootId: string | null,
  aggregateVersion: number | null,
  externalSequenceNumber: number | null,
  externalReceived: number | null,
  externalConsentId: string | null,
];

/** A row that starts with an `EventRow`'s columns (a join may select more after them). */
export type StartingWithEvent = readonly [...EventRow, ...unknown[]];

const eventColumnNames = [
  'sequence_number',
  'occurred',
  'event_source_id',
  'type_id',
  'type_generation',
  'public',
  'content',
  'execution_context',
  'aggregate_root_id',
  'aggregate_version',
  'external_sequence_number',
  'external_received',
  'external_consent_id',
] as const;

/** The columns of an `EventRow` in its order, for a SELECT over `events` read with `.raw()`; in a join, qualified with the events table's alias. */
export function eventColumns(alias?: string): string {
  return eventColumnNames.map((column) => (alias === undefined ? column : `${alias}.${column}`)).join(', ');
}

/** Rows to events. Events of one commit share their execution context text: each distinct text is parsed once. */
export function rowsToEvents(rows: readonly EventRow[]): CommittedEvent[] {
  const contexts = new Map<string, ExecutionContext>();
  return rows.map((row) => toCommittedEvent(row, contextOf(row, contexts)));
}

export function contextOf(row: StartingWithEvent, contexts: Map<string, ExecutionContext>): ExecutionContext {
  const text = row[7];
  let executionContext = contexts.get(text);
  if (executionContext === undefined) {
    executionContext = JSON.parse(text) as ExecutionContext;
    contexts.set(text, executionContext);
  }
  return executionContext;
}

export function toCommittedEvent(row: StartingWithEvent, executionContext: ExecutionContext): CommittedEvent {
  // By index, in `EventRow`'s order (destructuring would go through the array iterator).
  const aggregateRootId = row[8];
  const externalSequenceNumber = row[10];
  return {
    sequenceNumber: row[0] as EventLogSequenceNumber,
    occurred: new Date(row[1]),
    eventSourceId: row[2] as EventSourceId,
    executionContext,
    type: { id: row[3] as CommittedEvent['type']['id'], generation: row[4] },
    public: row[5] !== 0,
    content: row[6],
    aggregate:
      aggregateRootId === null
        ? undefined
        : { rootId: aggregateRootId as AggregateRootId, version: row[9] as AggregateRootVersion },
    external:
      externalSequenceNumber === null
        ? undefined
        : {
            sequenceNumber: externalSequenceNumber as EventLogSequenceNumber,
            received: new Date(row[11] ?? 0),
            consentId: row[12] as ConsentId,
          },
  };
}
