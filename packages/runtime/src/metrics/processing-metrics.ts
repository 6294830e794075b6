import type { Metric, Registry } from 'prom-client';

export type ProcessorKind = 'event-handler' | 'filter' | 'projection' | 'embedding';

/** Records one processor kind's head calls for one tenant. */
export interface ProcessedRecorder {
  /** One head call; `failed` when the head answered with a failure. */
  record(failed: boolean, seconds: number): void;
}

const processingBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5] as const;

/** One (kind, tenant)'s figures: plain numbers, read when the registry is scraped. */
class Tally implements ProcessedRecorder {
  succeeded = 0;
  failed = 0;
  constructor(readonly duration: Durations) {}

  record(failed: boolean, seconds: number): void {
    if (failed) this.failed++;
    else this.succeeded++;
    this.duration.observe(seconds);
  }

  reset(): void {
    this.succeeded = 0;
    this.failed = 0;
  }
}

/** One kind's durations: a count per bucket (not cumulative), the sum and the count. */
class Durations {
  readonly counts = new Float64Array(processingBuckets.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < processingBuckets.length && seconds > (processingBuckets[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

interface Exported {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/**
 * `dolittle_events_processed_total` (by tenant, kind and result) and `dolittle_processing_seconds` (by kind), the
 * figures of every event a head processes. They are counted in plain numbers per (kind, tenant) and handed to the
 * registry only when it is scraped: prom-client's own counters look their labels up on every call, which cost a few
 * microseconds per event on the processing path.
 */
export class ProcessingMetrics {
  readonly #tallies = new Map<ProcessorKind, Map<string, Tally>>();
  readonly #durations = new Map<ProcessorKind, Durations>();

  constructor(registry: Registry) {
    registry.registerMetric(
      this.#metric('dolittle_events_processed_total', () => this.#processed()) as unknown as Metric,
    );
    registry.registerMetric(this.#metric('dolittle_processing_seconds', () => this.#seconds()) as unknown as Metric);
  }

  /** The recorder of `kind`'s head calls for `tenant`; keep it, it is the same object for the same pair. */
  recorder(kind: ProcessorKind, tenant: string): ProcessedRecorder {
    let byTenant = this.#tallies.get(kind);
    if (byTenant === undefined) {
      byTenant = new Map();
      this.#tallies.set(kind, byTenant);
    }
    let tally = byTenant.get(tenant);
    if (tally === undefined) {
      let durations = this.#durations.get(kind);
      if (durations === undefined) {
        durations = new Durations();
        this.#durations.set(kind, durations);
      }
      tally = new Tally(durations);
      byTenant.set(tenant, tally);
    }
    return tally;
  }

  /** A metric object as the registry reads it: a name, `get()` for the figures, and `reset()`. */
  #metric(name: string, get: () => Exported) {
    return {
      name,
      get: async () => get(),
      // Zeroed in place: callers keep their recorders, which must go on counting into what is exported.
      reset: () => {
        for (const byTenant of this.#tallies.values()) {
          for (const tally of byTenant.values()) tally.reset();
        }
        for (const durations of this.#durations.values()) durations.reset();
      },
    };
  }

  #processed(): Exported {
    const values: Exported['values'] = [];
    for (const [kind, byTenant] of this.#tallies) {
      for (const [tenant, tally] of byTenant) {
        if (tally.succeeded > 0) values.push({ value: tally.succeeded, labels: { tenant, kind, result: 'succeeded' } });
        if (tally.failed > 0) values.push({ value: tally.failed, labels: { tenant, kind, result: 'failed' } });
      }
    }
    return {
      name: 'dolittle_events_processed_total',
      help: 'Events a head processed for an event handler, filter or projection, by result',
      type: 'counter',
      aggregator: 'sum',
      values,
    };
  }

  #seconds(): Exported {
    const name = 'dolittle_processing_seconds';
    const values: Exported['values'] = [];
    for (const [kind, durations] of this.#durations) {
      let cumulative = 0;
      for (let i = 0; i <= processingBuckets.length; i++) {
        cumulative += durations.counts[i] as number;
        const le = i < processingBuckets.length ? (processingBuckets[i] as number) : '+Inf';
        values.push({ value: cumulative, labels: { le, kind }, metricName: `${name}_bucket` });
      }
      values.push({ value: durations.sum, labels: { kind }, metricName: `${name}_sum` });
      values.push({ value: durations.count, labels: { kind }, metricName: `${name}_count` });
    }
    return { name, help: 'Round trip of one event to a head and back', type: 'histogram', aggregator: 'sum', values };
  }
}
