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

export function toCommittedEvents(rows: readonly EventRow[]): CommittedEvent[] {
  const contextOf = executionContextParser();
  return rows.map((row) => toCommittedEvent(row, contextOf(row.execution_context)));
}

export function toCommittedEvent(row: EventRow, executionContext: ExecutionContext): CommittedEvent {
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
