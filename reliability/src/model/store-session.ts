import {
  type AggregateRootId,
  type Artifact,
  asArtifactId,
  type ConsentId,
  createGuid,
  defaultScope,
  type EventSourceId,
  type ExecutionContext,
  type ScopeId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { StoreProvider, SubscriptionKey, TenantStore } from '@dolittle-ts/store';
import {
  buildExecutionContext,
  newAggregateRootId,
  newArtifact,
  newConsentId,
  newEventSourceId,
  newScopeId,
  newSubscriptionKey,
  newTenantId,
  richExecutionContext,
} from '@dolittle-ts/store/conformance';
import type { ModelStorage } from './model-storage.js';

/*
 * The real side of a model-based run: one tenant's store on real storage, reopened (close + open from a new
 * provider) when a command says so, and the ids the commands' indices stand for. Commands are plain data with
 * indices into these pools, so a recorded command sequence replays on any run.
 */

export const eventSourceCount = 4;
/** Aggregate root instances: pairs of a root and an event source, sharing both with each other and plain events. */
export const aggregateCount = 4;
export const eventTypeCount = 3;
export const executionContextCount = 2;
/** Scope 0 is the default scope (commits and a subscription); scope 1 is filled by its subscription only. */
export const scopeCount = 2;

export interface AggregateInstance {
  readonly rootId: AggregateRootId;
  readonly eventSourceId: EventSourceId;
}

/** What a run looked at, summed over the runs of a property, for the test's diagnostics. */
export class ModelStats {
  runs = 0;
  commands = 0;
  readonly byCommand = new Map<string, number>();
  eventsWritten = 0;
  conflicts = 0;
  emptyCommits = 0;
  refusedReceives = 0;
  reopens = 0;

  count(command: string): void {
    this.commands++;
    this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + 1);
  }

  summary(): string {
    const kinds = [...this.byCommand].map(([name, n]) => `${name} ${n}`).join(', ');
    return (
      `${this.runs} runs, ${this.commands} commands (${kinds}); ${this.eventsWritten} events written, ` +
      `${this.conflicts} concurrency conflicts, ${this.emptyCommits} empty commits, ` +
      `${this.refusedReceives} refused receives, ${this.reopens} reopens`
    );
  }
}

export class StoreSession {
  readonly tenant: TenantId = newTenantId();
  readonly eventSources: readonly EventSourceId[] = Array.from({ length: eventSourceCount }, newEventSourceId);
  readonly aggregates: readonly AggregateInstance[];
  readonly types: readonly Artifact[] = [
    newArtifact(1),
    newArtifact(2),
    { id: asArtifactId(createGuid()), generation: 2_147_483_647 },
  ];
  readonly contexts: readonly ExecutionContext[];
  readonly scopes: readonly ScopeId[] = [defaultScope, newScopeId()];
  readonly subscriptions: readonly SubscriptionKey[];
  readonly consentId: ConsentId = newConsentId();
  readonly stats: ModelStats;
  readonly #storage: ModelStorage;
  #provider: StoreProvider;
  #store: TenantStore | undefined;

  private constructor(storage: ModelStorage, stats: ModelStats) {
    this.#storage = storage;
    this.#provider = storage.provider();
    this.stats = stats;
    const roots = [newAggregateRootId(), newAggregateRootId()];
    const [r0, r1] = roots as [AggregateRootId, AggregateRootId];
    const [s0, s1, s2] = this.eventSources as [EventSourceId, EventSourceId, EventSourceId];
    this.aggregates = [
      { rootId: r0, eventSourceId: s0 },
      { rootId: r0, eventSourceId: s1 },
      { rootId: r1, eventSourceId: s0 },
      { rootId: r1, eventSourceId: s2 },
    ];
    this.contexts = [buildExecutionContext({ tenantId: this.tenant }), richExecutionContext('Production')];
    this.subscriptions = this.scopes.map((scope) => newSubscriptionKey({ scope }));
  }

  static async open(storage: ModelStorage, stats: ModelStats): Promise<StoreSession> {
    const session = new StoreSession(storage, stats);
    session.#store = await session.#provider.open(session.tenant);
    return session;
  }

  get store(): TenantStore {
    if (this.#store === undefined) throw new Error('the session is closed');
    return this.#store;
  }

  /** Closes the store and its provider, then opens the tenant from a new provider over the same storage. */
  async reopen(): Promise<void> {
    await this.close();
    this.#provider = this.#storage.provider();
    this.#store = await this.#provider.open(this.tenant);
  }

  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    try {
      await store?.close();
    } finally {
      await this.#provider.close();
    }
  }
}

/** The pool entry at `index`; a command with an index past its pool is a broken recording, not a store bug. */
export function pick<T>(pool: readonly T[], index: number, what: string): T {
  const value = pool[index];
  if (value === undefined) throw new Error(`${what} ${index} is not one of the ${pool.length} the run has`);
  return value;
}
