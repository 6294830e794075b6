/*
 * The soak's final checks, on the store itself (opened directly, no Runtime running) and on what the handler saw:
 *   - per tenant the log's sequence numbers are dense and 0-based;
 *   - every commit in the log is one the load made, whole, contiguous and byte-identical;
 *   - every acknowledged commit is there, at the sequence numbers it was acknowledged with;
 *   - every aggregate root instance's version equals the number of its events in the log;
 *   - the handler was given every event of the log at least once, first arrivals in log order per partition.
 */
import {
  type AggregateRootId,
  defaultScope,
  type EventLogSequenceNumber,
  type EventSourceId,
  type TenantId,
} from '@dolittle-ts/fundamentals';
import type { CommittedEvent, StoreProvider } from '@dolittle-ts/store';
import type { HandlerTracker } from './handler-tracker.js';
import type { CommitRecord } from './load.js';

export interface TenantFindings {
  readonly tenant: string;
  readonly events: number;
  readonly acknowledgedCommits: number;
  readonly unacknowledgedInLog: number;
  readonly unacknowledgedAbsent: number;
  readonly aggregates: number;
  readonly handlerSeen: number;
}

export interface Findings {
  readonly tenants: readonly TenantFindings[];
  /** Every violated guarantee, described; empty when all held. */
  readonly problems: readonly string[];
}

/** The event log of each tenant, read straight from the store. */
export async function readLogs(
  provider: StoreProvider,
  tenants: readonly string[],
): Promise<Map<string, readonly CommittedEvent[]>> {
  const logs = new Map<string, readonly CommittedEvent[]>();
  for (const tenant of tenants) {
    const store = await provider.open(tenant as TenantId);
    try {
      const all: CommittedEvent[] = [];
      for (;;) {
        const page = await store.events.read(defaultScope, { from: all.length as EventLogSequenceNumber, limit: 5000 });
        all.push(...page);
        if (page.length === 0) break;
      }
      logs.set(tenant, all);
    } finally {
      await store.close();
    }
  }
  return logs;
}

export async function verify(
  provider: StoreProvider,
  logs: ReadonlyMap<string, readonly CommittedEvent[]>,
  commits: ReadonlyMap<string, CommitRecord>,
  handler: HandlerTracker,
): Promise<Findings> {
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 50) problems.push(text);
    else if (problems.length === 50) problems.push('… (more problems left out)');
  };
  const findings: TenantFindings[] = [];
  for (const [tenant, events] of logs) {
    const short = tenant.slice(0, 8);
    const byCommit = new Map<string, CommittedEvent[]>();
    events.forEach((event, index) => {
      if (event.sequenceNumber !== index)
        problem(`${short}: sequence number ${event.sequenceNumber} at position ${index} (not dense)`);
      let id: string;
      try {
        id = (JSON.parse(event.content) as { commit: string }).commit;
      } catch {
        problem(`${short}: event ${event.sequenceNumber} has content the load did not write: ${event.content}`);
        return;
      }
      const list = byCommit.get(id) ?? [];
      list.push(event);
      byCommit.set(id, list);
    });
    for (const [id, stored] of byCommit) {
      const record = commits.get(id);
      if (record === undefined || record.tenant !== tenant) {
        problem(`${short}: events of commit ${id}, which the load never made to this tenant`);
        continue;
      }
      if (stored.length !== record.contents.length)
        problem(`${short}: commit ${id} is partial: ${stored.length} of ${record.contents.length} events`);
      stored.forEach((event, i) => {
        if (event.content !== record.contents[i])
          problem(`${short}: commit ${id} event ${i} differs from what was sent`);
        if (i > 0 && event.sequenceNumber !== (stored[i - 1]?.sequenceNumber ?? -2) + 1)
          problem(`${short}: commit ${id} is not contiguous at event ${i}`);
      });
    }
    let acknowledgedCommits = 0;
    let unacknowledgedInLog = 0;
    let unacknowledgedAbsent = 0;
    const aggregates = new Map<string, { root: AggregateRootId; eventSource: EventSourceId; count: number }>();
    for (const record of commits.values()) {
      if (record.tenant !== tenant) continue;
      const stored = byCommit.get(record.id);
      if (record.acknowledged !== undefined) {
        acknowledgedCommits++;
        const numbers = stored?.map((e) => e.sequenceNumber as number);
        if (numbers === undefined) problem(`${short}: acknowledged commit ${record.id} is LOST`);
        else if (numbers.join(',') !== record.acknowledged.join(','))
          problem(
            `${short}: acknowledged commit ${record.id} was given ${record.acknowledged.join(',')} but is at ${numbers.join(',')}`,
          );
      } else if (stored === undefined) unacknowledgedAbsent++;
      else unacknowledgedInLog++;
      if (record.aggregate !== undefined) {
        const key = `${record.aggregate.root}/${record.aggregate.eventSource}`;
        const entry = aggregates.get(key) ?? { ...record.aggregate, count: 0 };
        entry.count += stored?.length ?? 0;
        aggregates.set(key, entry);
      }
    }
    const store = await provider.open(tenant as TenantId);
    try {
      for (const { root, eventSource, count } of aggregates.values()) {
        const version = await store.events.aggregateVersion(root, eventSource);
        if (version !== count)
          problem(`${short}: aggregate ${eventSource} is at version ${version} with ${count} events in the log`);
      }
    } finally {
      await store.close();
    }
    const view = handler.view(tenant);
    let missed = 0;
    for (const event of events) {
      if (view.seen.has(event.sequenceNumber)) continue;
      if (missed++ < 5) problem(`${short}: the handler was never given event ${event.sequenceNumber}`);
    }
    if (missed > 5) problem(`${short}: the handler was never given ${missed} events in all`);
    for (const disorder of view.outOfOrder.slice(0, 5))
      problem(
        `${short}: the handler was first given event ${disorder.sequenceNumber} of partition ${disorder.partition} after ${disorder.after}`,
      );
    findings.push({
      tenant,
      events: events.length,
      acknowledgedCommits,
      unacknowledgedInLog,
      unacknowledgedAbsent,
      aggregates: aggregates.size,
      handlerSeen: view.seen.count,
    });
  }
  return { tenants: findings, problems };
}
