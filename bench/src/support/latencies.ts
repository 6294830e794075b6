/** Collects latencies (milliseconds) without allocating per sample, and answers percentiles. */
export class Latencies {
  #samples = new Float64Array(4096);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  record(milliseconds: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = milliseconds;
  }

  /** Adds every sample of `other`. */
  merge(other: Latencies): void {
    const samples = other.sorted();
    for (const sample of samples) this.record(sample);
  }

  /** The samples in ascending order (a copy). */
  sorted(): Float64Array {
    return this.#samples.slice(0, this.#count).sort();
  }

  /** Nearest-rank percentile, `p` in [0, 100]; NaN without samples. */
  percentile(p: number): number {
    return percentileOf(this.sorted(), p);
  }

  summary(): LatencySummary {
    const sorted = this.sorted();
    return {
      count: sorted.length,
      p50: percentileOf(sorted, 50),
      p99: percentileOf(sorted, 99),
      max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
    };
  }
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function percentileOf(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
