import type {
  AggregateRootId,
  AggregateRootVersion,
  ConsentId,
  EventLogSequenceNumber,
  EventSourceId,
  ExecutionContext,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent } from '@dolittle-ts/store';

/** An `events` row as the event log and the streams read it. */
export interface EventRow {
  readonly sequence_number: number;
  readonly occurred: number;
  readonly event_source_id: string;
  readonly type_id: string;
  readonly type_generation: number;
  readonly public: number;
  readonly content: string;
  readonly execution_context: string;
  readonly aggregate_root_id: string | null;
  readonly aggregate_version: number | null;
  readonly external_sequence_number: number | null;
  readonly external_received: number | null;
  readonly external_consent_id: string | null;
}

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
] as const satisfies readonly (keyof EventRow)[];

/** The columns of an `EventRow`, for a SELECT over `events`; in a join, qualified with the events table's alias. */
export function eventColumns(alias?: string): string {
  return eventColumnNames.map((column) => (alias === undefined ? column : `${alias}.${column}`)).join(', ');
}

/** Rows to events. Events of one commit share their execution context text: each distinct text is parsed once. */
export function rowsToEvents(rows: readonly EventRow[]): CommittedEvent[] {
  const contexts = new Map<string, ExecutionContext>();
  return rows.map((row) => toCommittedEvent(row, contextOf(row, contexts)));
}

export function contextOf(row: EventRow, contexts: Map<string, ExecutionContext>): ExecutionContext {
  let executionContext = contexts.get(row.execution_context);
  if (executionContext === undefined) {
    executionContext = JSON.parse(row.execution_context) as ExecutionContext;
    contexts.set(row.execution_context, executionContext);
  }
  return executionContext;
}

export function toCommittedEvent(row: EventRow, executionContext: ExecutionContext): CommittedEvent {
  return {
    sequenceNumber: row.sequence_number as EventLogSequenceNumber,
    occurred: new Date(row.occurred),
    eventSourceId: row.event_source_id as EventSourceId,
    executionContext,
    type: { id: row.type_id as CommittedEvent['type']['id'], generation: row.type_generation },
    public: row.public !== 0,
    content: row.content,
    aggregate:
      row.aggregate_root_id === null
        ? undefined
        : {
            rootId: row.aggregate_root_id as AggregateRootId,
            version: row.aggregate_version as AggregateRootVersion,
          },
    external:
      row.external_sequence_number === null
        ? undefined
        : {
            sequenceNumber: row.external_sequence_number as EventLogSequenceNumber,
            received: new Date(row.external_received ?? 0),
            consentId: row.external_consent_id as ConsentId,
          },
  };
}
