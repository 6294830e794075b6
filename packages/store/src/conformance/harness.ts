import type { TenantId } from '@dolittle-ts/fundamentals';
import type { StoreProvider, TenantStore } from '../index.js';
import { newTenantId } from './builders.js';

/** What an adapter gives the conformance suite: fresh storage on demand, and what its storage can do. */
export interface ConformanceHarness {
  /** A provider over fresh, empty storage (a new temp directory, a new database or schema namespace). */
  createProvider(): Promise<StoreProvider>;
  /**
   * Another provider over the same storage as `provider`: what a second Runtime pointed at the same files or
   * database would get. Needed for the writer-lock cases; leave it out when storage lives only in its provider.
   */
  createProviderOnSameStorage?(provider: StoreProvider): Promise<StoreProvider>;
  /** True when a tenant's data outlives its store, so closing and opening it again finds the data. */
  readonly persistent: boolean;
  /** True when an open tenant is fenced against a second open from another provider (false for in-memory). */
  readonly supportsWriterLock: boolean;
  /** Removes what the harness created (temp directories, schemas); runs once after the suite. */
  cleanup?(): Promise<void>;
}

/**
 * Tracks the providers and stores a test opens and closes them all after it, stores first, so a failing test
 * never leaves a writer lock behind for the next one.
 */
export class ConformanceFixture {
  readonly harness: ConformanceHarness;
  readonly #providers: StoreProvider[] = [];
  readonly #stores: TenantStore[] = [];

  constructor(harness: ConformanceHarness) {
    this.harness = harness;
  }

  async provider(): Promise<StoreProvider> {
    return this.#track(await this.harness.createProvider());
  }

  async providerOnSameStorage(provider: StoreProvider): Promise<StoreProvider> {
    const create = this.harness.createProviderOnSameStorage;
    if (create === undefined) {
      throw new Error('the harness sets supportsWriterLock but has no createProviderOnSameStorage');
    }
    return this.#track(await create.call(this.harness, provider));
  }

  async open(provider: StoreProvider, tenantId: TenantId = newTenantId()): Promise<TenantStore> {
    const store = await provider.open(tenantId);
    this.#stores.push(store);
    return store;
  }

  /** A tenant store on fresh storage. */
  async freshStore(tenantId: TenantId = newTenantId()): Promise<TenantStore> {
    return this.open(await this.provider(), tenantId);
  }

  async dispose(): Promise<void> {
    const stores = this.#stores.splice(0).reverse();
    const providers = this.#providers.splice(0).reverse();
    for (const store of stores) await store.close();
    for (const provider of providers) await provider.close();
  }

  #track(provider: StoreProvider): StoreProvider {
    this.#providers.push(provider);
    return provider;
  }
}
