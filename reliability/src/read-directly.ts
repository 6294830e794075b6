/*
 * Reading what a Runtime left in its store, by opening the storage directly while no Runtime holds it.
 */
import { defaultScope, developmentTenant, type EventLogSequenceNumber } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, TenantStore } from '@dolittle-ts/store';
import type { StoreUnderTest } from './stores.js';

/** Opens the development tenant's store the Runtime used (no Runtime may hold it), and closes it after `use`. */
export async function withStoreOpenedDirectly<T>(
  store: StoreUnderTest,
  dataDir: string,
  use: (tenant: TenantStore) => Promise<T>,
): Promise<T> {
  const provider = store.openDirectly(dataDir);
  try {
    const tenant = await provider.open(developmentTenant);
    try {
      return await use(tenant);
    } finally {
      await tenant.close();
    }
  } finally {
    await provider.close();
  }
}

/** The default scope's whole event log. */
export async function readWholeLog(tenant: TenantStore): Promise<CommittedEvent[]> {
  const log: CommittedEvent[] = [];
  for (;;) {
    const page = await tenant.events.read(defaultScope, { from: log.length as EventLogSequenceNumber, limit: 5000 });
    if (page.length === 0) return log;
    log.push(...page);
  }
}
