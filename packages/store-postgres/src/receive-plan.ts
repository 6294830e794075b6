import { type ConsentId, type EventLogSequenceNumber, InvalidArgument } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, ReceivedEvent } from '@dolittle-ts/store';
import { isStorableText } from './storable-text.js';

/** The rows one receive appends to its scope's log, column by column, as the receive statement binds them. */
export interface ReceivedColumns {
  readonly eventSourceIds: string[];
  readonly typeIds: string[];
  readonly typeGenerations: number[];
  readonly contents: string[];
  readonly occurred: Date[];
  /** 1-based index into `executionContexts` per row: the events of one producer commit share their context. */
  readonly contextIndexes: number[];
  readonly executionContexts: string[];
  readonly producerSequenceNumbers: number[];
}

export interface ReceivePlan {
  readonly columns: ReceivedColumns;
  /** The subscription's position after the receive: its last event's position + 1, or `from` when it has none. */
  readonly next: number;
}

/**
 * Checks a receive and lays its events out as columns. Refuses, with `InvalidArgument` and before anything is sent,
 * what the store could not keep as given or what would break the subscription's "no gap, no duplicate" promise:
 * `from` and the positions must be whole numbers, the positions increasing from `from` (a partition's positions may
 * jump); producer sequence numbers whole numbers ≥ 0; times valid; contents text PostgreSQL can hold. Pure.
 */
export function planReceive(from: number, events: readonly ReceivedEvent[], received: Date): ReceivePlan {
  if (!Number.isSafeInteger(from) || from < 0) {
    throw new InvalidArgument('from', `must be a whole number ≥ 0, not ${from}; nothing was received`);
  }
  if (!(received instanceof Date) || !Number.isFinite(received.getTime())) {
    throw new InvalidArgument('options.received', 'is not a valid date; nothing was received');
  }
  const columns: ReceivedColumns = {
    eventSourceIds: [],
    typeIds: [],
    typeGenerations: [],
    contents: [],
    occurred: [],
    contextIndexes: [],
    executionContexts: [],
    producerSequenceNumbers: [],
  };
  const contextIndexes = new Map<string, number>();
  let previous: number | undefined;
  for (const [i, event] of events.entries()) {
    const position = event.streamPosition;
    if (!Number.isSafeInteger(position) || position < (previous === undefined ? from : previous + 1)) {
      throw new InvalidArgument(
        `events[${i}].streamPosition`,
        `public-stream position ${position} ${previous === undefined ? `is before the receive's start ${from}` : `does not come after the previous event's ${previous}`}; the positions of a receive must be whole numbers increasing from its start. Nothing was received`,
      );
    }
    const producerSequenceNumber = event.producerSequenceNumber;
    if (!Number.isSafeInteger(producerSequenceNumber) || producerSequenceNumber < 0) {
      throw new InvalidArgument(
        `events[${i}].producerSequenceNumber`,
        `must be a whole number ≥ 0, not ${producerSequenceNumber}; nothing was received`,
      );
    }
    if (!(event.occurred instanceof Date) || !Number.isFinite(event.occurred.getTime())) {
      throw new InvalidArgument(`events[${i}].occurred`, 'is not a valid date; nothing was received');
    }
    if (!isStorableText(event.content)) {
      throw new InvalidArgument(
        `events[${i}].content`,
        'holds a NUL character or an unpaired surrogate, which PostgreSQL text cannot store; nothing was received',
      );
    }
    // Serialised once per distinct context: a producer commit's events arrive with equal contexts.
    const context = JSON.stringify(event.executionContext);
    let contextIndex = contextIndexes.get(context);
    if (contextIndex === undefined) {
      contextIndex = columns.executionContexts.push(context);
      contextIndexes.set(context, contextIndex);
    }
    columns.eventSourceIds.push(event.eventSourceId);
    columns.typeIds.push(event.type.id);
    columns.typeGenerations.push(event.type.generation);
    columns.contents.push(event.content);
    columns.occurred.push(event.occurred);
    columns.contextIndexes.push(contextIndex);
    columns.producerSequenceNumbers.push(producerSequenceNumber);
    previous = position;
  }
  return { columns, next: previous === undefined ? from : previous + 1 };
}

/**
 * The events a receive stored, numbered densely from `firstSequenceNumber` in its scope's log: the producer's fields
 * as given, not public, no aggregate, and the producer's sequence number, received time and consent as external.
 */
export function toExternalEvents(
  events: readonly ReceivedEvent[],
  firstSequenceNumber: number,
  external: { readonly consentId: ConsentId; readonly received: Date },
): CommittedEvent[] {
  const received = new Date(external.received.getTime());
  return events.map((event, i) => ({
    sequenceNumber: (firstSequenceNumber + i) as EventLogSequenceNumber,
    occurred: new Date(event.occurred.getTime()),
    eventSourceId: event.eventSourceId,
    executionContext: event.executionContext,
    type: { id: event.type.id, generation: event.type.generation },
    public: false,
    content: event.content,
    aggregate: undefined,
    external: { sequenceNumber: event.producerSequenceNumber, received, consentId: external.consentId },
  }));
}
