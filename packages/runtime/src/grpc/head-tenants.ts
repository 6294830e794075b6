import type { ExecutionContext } from '@dolittle-ts/fundamentals';
import type { RuntimeMetrics } from '../metrics/metrics.js';
import type { ProcessedRecorder, ProcessorKind } from '../metrics/processing-metrics.js';

/** What a head's calls for one tenant need: the head's execution context for that tenant, and their metrics. */
export interface HeadTenant {
  readonly executionContext: ExecutionContext;
  readonly recorder: ProcessedRecorder;
}

/**
 * A connected head's per-tenant state, made the first time the head processes for a tenant and kept: the processors
 * ask for it with every event.
 */
export function headTenants(
  head: ExecutionContext,
  metrics: RuntimeMetrics,
  kind: ProcessorKind,
): (tenant: string) => HeadTenant {
  const tenants = new Map<string, HeadTenant>();
  return (tenant) => {
    let known = tenants.get(tenant);
    if (known === undefined) {
      known = {
        executionContext: { ...head, tenantId: tenant as ExecutionContext['tenantId'] },
        recorder: metrics.processing.recorder(kind, tenant),
      };
      tenants.set(tenant, known);
    }
    return known;
  };
}
