import { type CorrelationId, createGuid, type TenantId } from '@dolittle-ts/fundamentals';
import type { EmbeddingDefinition } from './embeddings.js';
import { InvalidArgument } from './errors.js';
import type { ReadModel } from './projection-store.js';
import type { CallOptions, Transport } from './transport/transport.js';

// biome-ignore lint/suspicious/noExplicitAny: an embedding of any event types (its events are contravariant in resolve*)
type AnyEvents = any;

/** One tenant's embeddings: change a key's read model by naming the state it should have, and read them. */
export class EmbeddingStore {
  readonly tenant: TenantId;
  readonly #transport: Transport;

  constructor(transport: Transport, tenant: TenantId) {
    this.#transport = transport;
    this.tenant = tenant;
  }

  /**
   * Makes `key`'s read model `state`: the Runtime asks the head that registered the embedding for the events that
   * lead there (`resolveUpdate`, projected through `on`), commits them as one aggregate commit and stores the read
   * model. Resolves with the stored state. Rejects with NoEmbeddingRegisteredForTenant when no connected head
   * registered the embedding, FailedToUpdateEmbedding when the state could not be reached (nothing was committed).
   */
  async update<State>(
    embedding: EmbeddingDefinition<State, AnyEvents>,
    key: string,
    state: NoInfer<State>,
    options?: CallOptions,
  ): Promise<State> {
    const desired = JSON.stringify(state);
    if (desired === undefined) throw new InvalidArgument('state', 'is not JSON');
    const stored = await this.#transport.updateEmbedding(this.#context(), embedding.id, key, desired, options);
    return JSON.parse(stored.state) as State;
  }

  /**
   * Deletes `key`'s read model through the events `resolveDelete` returns. A key without a read model has nothing
   * to delete (nothing is committed). Rejects with NoEmbeddingRegisteredForTenant or FailedToDeleteEmbedding.
   */
  async delete<State>(
    embedding: EmbeddingDefinition<State, AnyEvents>,
    key: string,
    options?: CallOptions,
  ): Promise<void> {
    await this.#transport.deleteEmbedding(this.#context(), embedding.id, key, options);
  }

  /**
   * The key's read model, or the initial state (`type: 'initial'`) when it has none. Rejects with
   * NoEmbeddingRegisteredForTenant when the embedding was never registered with the tenant.
   */
  async get<State>(
    embedding: EmbeddingDefinition<State, AnyEvents>,
    key: string,
    options?: CallOptions,
  ): Promise<ReadModel<State>> {
    const read = await this.#transport.getEmbedding(this.#context(), embedding.id, key, options);
    return { key: read.key, state: JSON.parse(read.state) as State, type: read.type };
  }

  /** Every read model that exists (deleted ones are not), by key. */
  async getAll<State>(
    embedding: EmbeddingDefinition<State, AnyEvents>,
    options?: CallOptions,
  ): Promise<Map<string, State>> {
    const all = await this.#transport.getAllEmbeddings(this.#context(), embedding.id, options);
    return new Map(all.map((read) => [read.key, JSON.parse(read.state) as State]));
  }

  /** The keys that have a read model. */
  getKeys<State>(embedding: EmbeddingDefinition<State, AnyEvents>, options?: CallOptions): Promise<string[]> {
    return this.#transport.getEmbeddingKeys(this.#context(), embedding.id, options);
  }

  #context() {
    return { tenant: this.tenant, correlationId: createGuid() as string as CorrelationId };
  }
}
