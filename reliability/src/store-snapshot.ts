/*
 * Everything a tenant has durably stored in its event log, read straight from the storage (no Runtime in between):
 * to prove that bad requests changed nothing, or that hostile strings came back verbatim.
 */
import { defaultScope, type EventLogSequenceNumber, type TenantId } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, StoreProvider } from '@dolittle-ts/store';

export interface EventLogSnapshot {
  readonly count: number;
  /** Every event as comparable plain data (sequence number, ids, execution context, content, aggregate). */
  readonly events: readonly unknown[];
}

export async function snapshotEventLog(provider: StoreProvider, tenantId: TenantId): Promise<EventLogSnapshot> {
  const tenant = await provider.open(tenantId);
  try {
    const events: CommittedEvent[] = [];
    for (;;) {
      const page = await tenant.events.read(defaultScope, {
        from: events.length as EventLogSequenceNumber,
        limit: 5000,
      });
      if (page.length === 0) break;
      events.push(...page);
    }
    return { count: events.length, events: events.map(comparable) };
  } finally {
    await tenant.close();
  }
}

function comparable(event: CommittedEvent): unknown {
  return {
    sequenceNumber: event.sequenceNumber,
    occurred: event.occurred.toISOString(),
    eventSourceId: event.eventSourceId,
    executionContext: event.executionContext,
    type: event.type,
    public: event.public,
    content: event.content,
    aggregate: event.aggregate,
  };
}
