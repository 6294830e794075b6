import type { AggregateRootVersion, ScopeId } from '@dolittle-ts/fundamentals';
import type { StreamProcessorKey, StreamProcessorState } from './stream-processor-states.js';

/**
 * One generation of a projection's read models. A projection whose definition changed is rebuilt into a new
 * generation while the old one stays readable; the Runtime switches readers over once the new one has caught up.
 */
export interface ReadModelSet {
  readonly scope: ScopeId;
  readonly projectionId: string;
  readonly generation: number;
}

/** A read model change: the new state (a JSON document, kept verbatim), or `undefined` to delete it. */
export interface ReadModelChange {
  readonly key: string;
  readonly state: string | undefined;
}

/**
 * Projection read models per tenant, scope, projection, generation and key.
 *
 * Guarantees every adapter gives (checked by the conformance suite):
 * - `apply` writes a batch's read-model changes AND the projection's processor state in one durable transaction, so
 *   a crash never applies an event to a read model twice or loses it (changes apply in array order; for the same
 *   key the last one wins);
 * - generations, projections, scopes and tenants never see each other's read models;
 * - states round-trip verbatim.
 */
export interface ProjectionStates {
  get(set: ReadModelSet, key: string): Promise<string | undefined>;
  /**
   * The read models of `keys` that exist, by key, in one round trip (keys without one are left out; a key given
   * twice is read once). What a projection reads before projecting a batch of events.
   */
  getMany(set: ReadModelSet, keys: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Every read model of the set, by key. */
  getAll(set: ReadModelSet): Promise<ReadonlyMap<string, string>>;
  apply(
    set: ReadModelSet,
    changes: readonly ReadModelChange[],
    processor: { readonly key: StreamProcessorKey; readonly state: StreamProcessorState },
  ): Promise<void>;
  /** Removes every read model of the set. */
  drop(set: ReadModelSet): Promise<void>;
}

export interface EmbeddingState {
  /** The read model (JSON, verbatim). */
  readonly state: string;
  /** The aggregate version (number of events of the embedding's aggregate for this key) it was projected to. */
  readonly version: AggregateRootVersion;
  /** True once the embedding was deleted (its events are kept; the state is the last one before deletion). */
  readonly removed: boolean;
}

/** Embedding read models per tenant, embedding and key, with the aggregate version they were projected to. */
export interface EmbeddingStates {
  get(embeddingId: string, key: string): Promise<EmbeddingState | undefined>;
  getAll(
    embeddingId: string,
    options: { readonly includeRemoved: boolean },
  ): Promise<ReadonlyMap<string, EmbeddingState>>;
  set(embeddingId: string, key: string, state: EmbeddingState): Promise<void>;
  /** Removes every read model of the embedding (a changed definition). */
  drop(embeddingId: string): Promise<void>;
}
