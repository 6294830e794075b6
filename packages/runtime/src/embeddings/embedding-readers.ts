import { NoEmbeddingRegisteredForTenant, type TenantId } from '@dolittle-ts/fundamentals';
import type { TenantStore } from '@dolittle-ts/store';
import type { ReadModel } from '../projections/projection-readers.js';
import { persistedInitialState } from './embedding-registration.js';

/** An embedding's read model of `key`, or its initial state when the key has none (or was deleted). */
export async function readEmbedding(
  store: TenantStore,
  tenantId: TenantId,
  embeddingId: string,
  key: string,
): Promise<ReadModel> {
  const stored = await store.embeddings.get(embeddingId, key);
  if (stored !== undefined && !stored.removed) return { key, state: stored.state, type: 'persisted' };
  const initialState = await persistedInitialState(store, embeddingId);
  if (initialState === undefined) throw new NoEmbeddingRegisteredForTenant({ embeddingId, tenantId });
  return { key, state: initialState, type: 'initial' };
}

/** Every read model of the embedding that is not deleted. */
export async function readAllEmbeddings(store: TenantStore, embeddingId: string): Promise<readonly ReadModel[]> {
  const all = await store.embeddings.getAll(embeddingId, { includeRemoved: false });
  return [...all].map(([key, stored]) => ({ key, state: stored.state, type: 'persisted' as const }));
}
