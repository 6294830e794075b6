import { eventLogStream, type ScopeId } from '@dolittle-ts/fundamentals';
import type { ReadModelSet, StreamProcessorKey, TenantStore } from '@dolittle-ts/store';
import { type ProjectionDefinition, type ProjectionShape, sameShape, shapeOf } from './projection-definition.js';

interface Generation {
  readonly generation: number;
  readonly shape: ProjectionShape;
}

/** What a tenant persists about a projection: the generation readers see, and the one being rebuilt, if any. */
export interface ProjectionRecord {
  readonly active: Generation;
  readonly building?: Generation;
}

export function readModelSet(scope: ScopeId, projectionId: string, generation: number): ReadModelSet {
  return { scope, projectionId, generation };
}

/** Each generation has its own processor position, so abandoning a rebuild never loses the active one's. */
export function projectionProcessorKey(scope: ScopeId, projectionId: string, generation: number): StreamProcessorKey {
  return { scope, processorId: `${projectionId}:${generation}`, sourceStream: eventLogStream };
}

export async function readProjectionRecord(store: TenantStore, scope: ScopeId, projectionId: string) {
  const { definitions } = store;
  const persisted = await definitions.get('projection', scope, projectionId);
  return persisted === undefined ? undefined : (JSON.parse(persisted) as ProjectionRecord);
}

export interface ProjectionTarget {
  /** The generation the processor writes. */
  readonly generation: number;
  /** True when it is a rebuild that readers do not see yet. */
  readonly building: boolean;
}

/**
 * Registers a definition with a tenant. Unchanged: resume where it was. Changed: rebuild into a new generation while
 * readers keep the current one (Dolittle drops the read models and replays; we keep them readable meanwhile).
 */
export async function registerProjection(
  store: TenantStore,
  definition: ProjectionDefinition,
): Promise<ProjectionTarget> {
  const { definitions, processorStates } = store;
  const projections = store.projections;
  const shape = shapeOf(definition);
  const record = await readProjectionRecord(store, definition.scope, definition.id);
  const save = (next: ProjectionRecord) =>
    definitions.set('projection', definition.scope, definition.id, JSON.stringify(next));
  if (record === undefined) {
    await save({ active: { generation: 0, shape } });
    return { generation: 0, building: false };
  }
  if (record.building !== undefined && sameShape(record.building.shape, shape)) {
    return { generation: record.building.generation, building: true };
  }
  if (sameShape(record.active.shape, shape)) {
    if (record.building !== undefined) {
      await abandon(record.building.generation);
      await save({ active: record.active });
    }
    return { generation: record.active.generation, building: false };
  }
  const generation = Math.max(record.active.generation, record.building?.generation ?? -1) + 1;
  if (record.building !== undefined) await abandon(record.building.generation);
  await save({ active: record.active, building: { generation, shape } });
  return { generation, building: true };

  async function abandon(generation: number) {
    await projections.drop(readModelSet(definition.scope, definition.id, generation));
    await processorStates.remove(projectionProcessorKey(definition.scope, definition.id, generation));
  }
}

/** Makes a caught-up rebuild the generation readers see, and removes the old one. */
export async function promoteProjection(store: TenantStore, scope: ScopeId, projectionId: string, generation: number) {
  const { definitions, processorStates } = store;
  const projections = store.projections;
  const record = await readProjectionRecord(store, scope, projectionId);
  if (record?.building?.generation !== generation) return;
  await definitions.set('projection', scope, projectionId, JSON.stringify({ active: record.building }));
  await projections.drop(readModelSet(scope, projectionId, record.active.generation));
  await processorStates.remove(projectionProcessorKey(scope, projectionId, record.active.generation));
}
