import type { Artifact, EventSourceId, ExecutionContext } from '@dolittle-ts/fundamentals';
import type { EmbeddingCurrentState } from './embedding-state.js';

/** An event a head asks to commit (or that was committed) to an embedding's aggregate. `content` is JSON. */
export interface EmbeddingEvent {
  readonly type: Artifact;
  readonly public: boolean;
  readonly content: string;
}

export type HeadAnswer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export type ProjectionOutcome = { readonly kind: 'replace'; readonly state: string } | { readonly kind: 'delete' };

export interface HeadCallContext {
  /** The context the head runs the call under (its tenant decides which tenant's client it uses). */
  readonly executionContext: ExecutionContext;
  readonly signal: AbortSignal;
}

/**
 * The head's side of an embedding. A failure the head reports is an answer (`ok: false`); a rejected promise
 * means the head went away (or the call was aborted) and nothing more can be asked of it.
 */
export interface EmbeddingHead {
  /** The events that take the read model from `current` towards `desired` (`resolveUpdateToEvents`). */
  compare(
    current: EmbeddingCurrentState,
    desired: string,
    context: HeadCallContext,
  ): Promise<HeadAnswer<readonly EmbeddingEvent[]>>;
  /** The events that delete the read model (`resolveDeletionToEvents`). */
  delete(current: EmbeddingCurrentState, context: HeadCallContext): Promise<HeadAnswer<readonly EmbeddingEvent[]>>;
  /** The read model after `event` (`@on` methods): a new state, or deleted. */
  project(
    current: EmbeddingCurrentState,
    event: EmbeddingEvent & { readonly eventSourceId: EventSourceId },
    context: HeadCallContext,
  ): Promise<HeadAnswer<ProjectionOutcome>>;
}
