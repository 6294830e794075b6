import assert from 'node:assert/strict';
import { type AggregateRootVersion, createGuid, defaultScope, eventLogStream } from '@dolittle-ts/fundamentals';
import type {
  EmbeddingState,
  EmbeddingStates,
  ProjectionStates,
  ReadModelChange,
  ReadModelSet,
  StreamProcessorKey,
  StreamProcessorStates,
  TenantStore,
} from '../index.js';

/*
 * Builders for the read-model ports (projection and embedding states), shared by their conformance suites and the
 * Runtime's own tests. Every id is fresh unless given.
 */

/** A generation of a projection with a fresh id, generation 1 in the default scope unless overridden. */
export function newReadModelSet(overrides: Partial<ReadModelSet> = {}): ReadModelSet {
  return { scope: defaultScope, projectionId: createGuid(), generation: 1, ...overrides };
}

/** The key of a projection's processor: an unpartitioned processor on its scope's event log, under its id. */
export function projectionProcessorKey(set: ReadModelSet): StreamProcessorKey {
  return { scope: set.scope, processorId: set.projectionId, sourceStream: eventLogStream };
}

/** A change that stores `state` as the read model of `key`. */
export const replaceReadModel = (key: string, state: string): ReadModelChange => ({ key, state });

/** A change that deletes the read model of `key`. */
export const deleteReadModel = (key: string): ReadModelChange => ({ key, state: undefined });

export function embeddingState(state: string, version: number, removed = false): EmbeddingState {
  return { state, version: version as AggregateRootVersion, removed };
}

/** The projection ports of a tenant store: its read models and the processor states `apply` writes with them. */
export interface ProjectionPorts {
  readonly projections: ProjectionStates;
  readonly processorStates: StreamProcessorStates;
}

export function projectionPorts(store: TenantStore): ProjectionPorts {
  const { projections, processorStates } = store;
  assert.ok(projections !== undefined, `${store.location}: the tenant store has no projections`);
  assert.ok(processorStates !== undefined, `${store.location}: the tenant store has no processorStates`);
  return { projections, processorStates };
}

export interface EmbeddingPorts {
  readonly embeddings: EmbeddingStates;
}

export function embeddingPorts(store: TenantStore): EmbeddingPorts {
  const { embeddings } = store;
  assert.ok(embeddings !== undefined, `${store.location}: the tenant store has no embeddings`);
  return { embeddings };
}
