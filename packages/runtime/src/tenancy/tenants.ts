import { type TenantId, UnknownTenant } from '@dolittle-ts/fundamentals';
import type { TenantStore } from '@dolittle-ts/store';
import type { Committer } from '../events/committer.js';
import type { EventWatcher } from '../processing/event-watcher.js';

/** What the Runtime holds for one configured tenant: its own store and its own group committer. */
export interface Tenant {
  readonly id: TenantId;
  readonly store: TenantStore;
  readonly committer: Committer;
  /** Wakes the tenant's processors when its event log or streams grow. */
  readonly watcher: EventWatcher;
}

/** The configured tenants. A request for any other tenant is refused; tenancy is physical (a store each). */
export class Tenants {
  readonly #byId: ReadonlyMap<TenantId, Tenant>;

  constructor(tenants: readonly Tenant[]) {
    this.#byId = new Map(tenants.map((t) => [t.id, t]));
  }

  get(id: TenantId): Tenant {
    const tenant = this.#byId.get(id);
    if (tenant === undefined) throw new UnknownTenant(id, [...this.#byId.keys()]);
    return tenant;
  }

  all(): readonly Tenant[] {
    return [...this.#byId.values()];
  }

  ids(): readonly TenantId[] {
    return [...this.#byId.keys()];
  }
}
