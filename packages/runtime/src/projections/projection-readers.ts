import { InvalidArgument, type ScopeId } from '@dolittle-ts/fundamentals';
import type { TenantStore } from '@dolittle-ts/store';
import { readModelSet, readProjectionRecord } from './projection-registry.js';

/** A read model as readers see it: persisted, or the projection's initial state for a key it has none for. */
export interface ReadModel {
  readonly key: string;
  readonly state: string;
  readonly type: 'initial' | 'persisted';
}

async function activeReadModels(store: TenantStore, scope: ScopeId, projectionId: string) {
  const record = await readProjectionRecord(store, scope, projectionId);
  if (record === undefined) {
    throw new InvalidArgument(
      'projectionId',
      `no projection ${projectionId} in scope ${scope} has been registered for tenant ${store.tenantId}`,
    );
  }
  return {
    set: readModelSet(scope, projectionId, record.active.generation),
    initialState: record.active.shape.initialState,
  };
}

/** The read model of `key` in the generation readers see (a rebuild in progress is not visible). */
export async function readProjection(
  store: TenantStore,
  scope: ScopeId,
  projectionId: string,
  key: string,
): Promise<ReadModel> {
  const { set, initialState } = await activeReadModels(store, scope, projectionId);
  const state = await store.projections.get(set, key);
  return state === undefined ? { key, state: initialState, type: 'initial' } : { key, state, type: 'persisted' };
}

/** Every persisted read model of the generation readers see. */
export async function readAllProjections(
  store: TenantStore,
  scope: ScopeId,
  projectionId: string,
): Promise<readonly ReadModel[]> {
  const { set } = await activeReadModels(store, scope, projectionId);
  return [...(await store.projections.getAll(set))].map(([key, state]) => ({ key, state, type: 'persisted' as const }));
}
