import type { TenantId } from '@dolittle-ts/fundamentals';
import type { EmbeddingProcessor } from './embedding-processor.js';

/** The embedding processors running now, per tenant and embedding: what Update and Delete are handed to. */
export class EmbeddingProcessors {
  readonly #running = new Map<string, EmbeddingProcessor>();

  /** Returns the function that removes it again (only if it is still the one registered). */
  register(tenant: TenantId, embeddingId: string, processor: EmbeddingProcessor): () => void {
    const key = `${tenant}/${embeddingId}`;
    this.#running.set(key, processor);
    return () => {
      if (this.#running.get(key) === processor) this.#running.delete(key);
    };
  }

  get(tenant: TenantId, embeddingId: string): EmbeddingProcessor | undefined {
    return this.#running.get(`${tenant}/${embeddingId}`);
  }
}
