import type { AggregateRootId, Artifact, Guid } from '@dolittle-ts/fundamentals';

/** What a head registers for an embedding: the event types it projects and the read model's initial state. */
export interface EmbeddingDefinition {
  /** The EmbeddingId; also the aggregate root id its events are committed under. */
  readonly id: Guid;
  readonly events: readonly Artifact[];
  /** JSON, verbatim. */
  readonly initialState: string;
}

/** The persisted form of a definition, compared on re-registration; event order does not matter. */
export function definitionRecord(definition: EmbeddingDefinition): string {
  const events = [...definition.events]
    .map((e) => ({ id: e.id, generation: e.generation }))
    .sort((a, b) => (a.id === b.id ? a.generation - b.generation : a.id < b.id ? -1 : 1));
  return JSON.stringify({ events, initialState: definition.initialState });
}

export function aggregateRootOf(definition: EmbeddingDefinition): AggregateRootId {
  return definition.id as string as AggregateRootId;
}
