import type { ExecutionContext } from '@dolittle-ts/fundamentals';
import { type AggregateRootVersion, defaultScope, RegistrationFailed } from '@dolittle-ts/fundamentals';
import type { EmbeddingStates, TenantStore } from '@dolittle-ts/store';
import type { ProcessingEnvironment, Registration } from '../processing/registration.js';
import { runForEveryTenant } from '../processing/registration.js';
import { definitionRecord, type EmbeddingDefinition } from './embedding-definition.js';
import type { EmbeddingHead } from './embedding-head.js';
import { EmbeddingProcessor } from './embedding-processor.js';
import type { EmbeddingProcessors } from './embedding-processors.js';

/** The initial state of a registered embedding, from its persisted definition; undefined if never registered. */
export async function persistedInitialState(store: TenantStore, embeddingId: string): Promise<string | undefined> {
  const persisted = await store.definitions.get('embedding', defaultScope, embeddingId);
  return persisted === undefined ? undefined : (JSON.parse(persisted) as { initialState: string }).initialState;
}

/**
 * Registers a definition with a tenant. Unchanged (or new): nothing to do. Changed (other event types or initial
 * state): every stored read model is rebuilt from its aggregate's events with the new definition. Dolittle drops
 * the read models, but the keys cannot be recovered from the event log (event source ids are hashes of the keys),
 * so instead each key is reset to "deleted, at version 0" and the processor's first refresh re-projects all of the
 * key's aggregate events through the head, starting from the new initial state. The new definition is persisted
 * last, so a crash half-way resets again on the next registration.
 */
export async function registerEmbedding(
  store: TenantStore,
  definition: EmbeddingDefinition,
): Promise<{ readonly changed: boolean; readonly keys: number }> {
  const { embeddings, definitions } = store;
  const record = definitionRecord(definition);
  const persisted = await definitions.get('embedding', defaultScope, definition.id);
  if (persisted === record) return { changed: false, keys: 0 };
  const keys = persisted === undefined ? 0 : await resetAll(embeddings, definition.id);
  await definitions.set('embedding', defaultScope, definition.id, record);
  return { changed: persisted !== undefined, keys };
}

async function resetAll(embeddings: EmbeddingStates, embeddingId: string): Promise<number> {
  const all = await embeddings.getAll(embeddingId, { includeRemoved: true });
  for (const [key, state] of all) {
    await embeddings.set(embeddingId, key, { state: state.state, version: 0 as AggregateRootVersion, removed: true });
  }
  return all.size;
}

/**
 * Registers a head's embedding for every configured tenant (refused while another head has it). `run` starts one
 * processor per tenant, reachable through `processors` for Update and Delete while it runs.
 */
export async function registerEmbeddingForTenants(
  env: ProcessingEnvironment,
  processors: EmbeddingProcessors,
  definition: EmbeddingDefinition,
  head: EmbeddingHead,
  executionContext: ExecutionContext,
  options: { readonly pollFallbackMs?: number } = {},
): Promise<Registration> {
  const release = env.active.claim(`embedding/${definition.id}`);
  if (release === undefined) {
    throw new RegistrationFailed('embedding', definition.id, 'it is already registered by a connected head');
  }
  const log = env.logger.child({ embedding: definition.id });
  try {
    for (const tenant of env.tenants.all()) {
      const registered = await registerEmbedding(tenant.store, definition);
      if (registered.changed) {
        log.info(
          { tenant: tenant.id, keys: registered.keys },
          'embedding definition changed; its read models are rebuilt from their events',
        );
      }
    }
  } catch (error) {
    release();
    throw error;
  }
  return runForEveryTenant(env.tenants, release, log, async (tenant, signal) => {
    const processor = new EmbeddingProcessor({
      tenant,
      states: tenant.store.embeddings,
      definition,
      head,
      executionContext,
      logger: log,
      signal,
      ...(options.pollFallbackMs === undefined ? {} : { pollFallbackMs: options.pollFallbackMs }),
    });
    const unregister = processors.register(tenant.id, definition.id, processor);
    try {
      await processor.run();
    } finally {
      unregister();
    }
  });
}
