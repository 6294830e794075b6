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

/** An `events` row as node-postgres returns it: bigint as string, uuid as lowercase string, timestamptz as Date. */
export interface EventRow {
  readonly sequence_number: string;
  readonly event_source_id: string;
  readonly type_id: string;
  readonly type_generation: string;
  readonly public: boolean;
  readonly content: string;
  readonly occurred: Date;
  readonly execution_context: string;
  readonly aggregate_root_id: string | null;
  readonly aggregate_version: string | null;
  readonly external_sequence_number: string | null;
  readonly external_received: Date | null;
  readonly external_consent_id: string | null;
}

/**
 * Maps rows to committed events. Consecutive events of one commit share their execution context text, so the
 * last parsed context is reused rather than parsed again per row.
 */
export function toCommittedEvents(rows: readonly EventRow[]): CommittedEvent[] {
  let lastText: string | undefined;
  let lastContext: ExecutionContext | undefined;
  return rows.map((row) => {
    if (row.execution_context !== lastText) {
      lastText = row.execution_context;
      lastContext = JSON.parse(row.execution_context) as ExecutionContext;
    }
    return toCommittedEvent(row, lastContext as ExecutionContext);
  });
}

function toCommittedEvent(row: EventRow, executionContext: ExecutionContext): CommittedEvent {
  return {
    sequenceNumber: Number(row.sequence_number) as EventLogSequenceNumber,
    occurred: row.occurred,
    eventSourceId: row.event_source_id as EventSourceId,
    executionContext,
    type: { id: row.type_id as ArtifactId, generation: Number(row.type_generation) },
    public: row.public,
    content: row.content,
    aggregate:
      row.aggregate_root_id === null
        ? undefined
        : {
            rootId: row.aggregate_root_id as AggregateRootId,
            version: Number(row.aggregate_version) as AggregateRootVersion,
          },
    external:
      row.external_sequence_number === null
        ? undefined
        : {
            sequenceNumber: Number(row.external_sequence_number) as EventLogSequenceNumber,
            received: row.external_received as Date,
            consentId: row.external_consent_id as ConsentId,
          },
  };
}
