import type { AggregateRootId, EventSourceId } from '@dolittle-ts/fundamentals';
import type { CommittedEvent, TenantStore } from '@dolittle-ts/store';

export interface AggregateInstanceRef {
  readonly aggregateRoot: string;
  readonly eventSource: string;
}

/**
 * For each aggregate root instance: its events in the log carry versions 0, 1, 2, … in log order, the store's
 * version equals their count, and fetching it returns exactly those events. Returns the problems found.
 */
export async function aggregateProblems(
  tenant: TenantStore,
  log: readonly CommittedEvent[],
  instances: readonly AggregateInstanceRef[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const { aggregateRoot, eventSource } of instances) {
    const root = aggregateRoot as AggregateRootId;
    const source = eventSource as EventSourceId;
    const inLog = log.filter((e) => e.aggregate?.rootId === root && e.eventSourceId === source);
    const versions = inLog.map((e) => e.aggregate?.version as number);
    if (versions.some((v, i) => v !== i)) {
      problems.push(`aggregate ${eventSource}: its events in the log have versions ${versions.join(',')}`);
    }
    const version = await tenant.events.aggregateVersion(root, source);
    if (version !== inLog.length) {
      problems.push(
        `aggregate ${eventSource}: the store says version ${version}, the log holds ${inLog.length} events`,
      );
    }
    const fetched = await tenant.events.fetchForAggregate(root, source);
    const fetchedNumbers = fetched.events.map((e) => e.sequenceNumber).join(',');
    if (fetched.version !== inLog.length || fetchedNumbers !== inLog.map((e) => e.sequenceNumber).join(',')) {
      problems.push(
        `aggregate ${eventSource}: fetching gives version ${fetched.version} and events ${fetchedNumbers}, the log ${inLog.length} events`,
      );
    }
  }
  return problems;
}
