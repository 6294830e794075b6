import type { AggregateRootVersion, ScopeId } from '@dolittle-ts/fundamentals';

/** Projection read models per tenant, scope, projection and key. `state` is a JSON document, kept verbatim. */
export interface ProjectionStates {
  get(scope: ScopeId, projectionId: string, key: string): Promise<string | undefined>;
  getAll(scope: ScopeId, projectionId: string): Promise<ReadonlyMap<string, string>>;
  replace(scope: ScopeId, projectionId: string, key: string, state: string): Promise<void>;
  remove(scope: ScopeId, projectionId: string, key: string): Promise<void>;
  /** Drops every read model of the projection (a changed definition). */
  drop(scope: ScopeId, projectionId: string): Promise<void>;
}

export interface EmbeddingState {
  readonly state: string;
  readonly version: AggregateRootVersion;
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
}
