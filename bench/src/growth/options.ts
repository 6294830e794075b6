import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStores, type StoreName } from '../catch-up-setup.js';

export interface GrowthSizes {
  /** Log sizes (events already in the log) the commit and catch-up figures are taken at, ascending. */
  readonly logSizes: readonly number[];
  /** Tenant counts the commit and memory figures are taken with, ascending. */
  readonly tenantCounts: readonly number[];
  /** Events per fill Commit (the fill is not measured). */
  readonly fillBatch: number;
  readonly fillClients: number;
  /** Closed-loop commit clients, each committing one event per call. */
  readonly commitClients: number;
  readonly warmupMs: number;
  /**
   * Commits to a second tenant before the log-size measurements, so the first size is not measured in a cold
   * process while the later ones are measured in a warm one.
   */
  readonly processWarmupMs: number;
  readonly commitWindowMs: number;
  /** Events of the handler's own type committed at the end of the log, then caught up. */
  readonly catchUpEvents: number;
  /** Event sources those events are spread over (the handler's partitions). */
  readonly catchUpSources: number;
  /** How long a freshly started Runtime is left alone before its idle RSS is read. */
  readonly idleSettleMs: number;
}

export interface GrowthOptions {
  readonly stores: readonly StoreName[];
  readonly quick: boolean;
  readonly sizes: GrowthSizes;
  readonly out: string;
  readonly command: string;
}

const fullSizes: GrowthSizes = {
  logSizes: [0, 100_000, 1_000_000],
  tenantCounts: [1, 10, 100],
  fillBatch: 1_000,
  fillClients: 4,
  commitClients: 32,
  warmupMs: 1_000,
  processWarmupMs: 5_000,
  commitWindowMs: 5_000,
  catchUpEvents: 20_000,
  catchUpSources: 1_000,
  idleSettleMs: 3_000,
};

const quickSizes: GrowthSizes = {
  ...fullSizes,
  logSizes: [0, 100_000, 200_000],
  warmupMs: 500,
  processWarmupMs: 3_000,
  commitWindowMs: 2_000,
  catchUpEvents: 10_000,
  idleSettleMs: 1_500,
};

export const usage = `node bench/dist/growth.js [--store sqlite|postgres|all] [--quick] [--logs N,N,…] [--tenants N,N,…]
    [--duration S] [--out FILE]

  --quick     log sizes 0 / 100,000 / 200,000 and 2 s commit windows (~4 minutes for both stores)
  --logs      log sizes to measure at (default 0,100000,1000000; quick 0,100000,200000), filled with
              1,000-event Commits (not measured)
  --tenants   tenant counts (default 1,10,100)
  --duration  seconds of each commit window (default 5; quick 2)
  --out       the JSON results file (default bench/results/growth.json)`;

/** Parses the flags; an unknown one is refused. */
export function parseGrowthOptions(argv: readonly string[], benchDir: string): GrowthOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string' },
      quick: { type: 'boolean', default: false },
      logs: { type: 'string' },
      tenants: { type: 'string' },
      duration: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const quick = values.quick === true;
  let sizes = quick ? quickSizes : fullSizes;
  const logs = text(values.logs);
  if (logs !== undefined) sizes = { ...sizes, logSizes: counts('logs', logs, 0) };
  const tenants = text(values.tenants);
  if (tenants !== undefined) sizes = { ...sizes, tenantCounts: counts('tenants', tenants, 1) };
  const duration = text(values.duration);
  if (duration !== undefined) {
    const seconds = Number(duration);
    if (!(seconds > 0)) throw new Error(`--duration must be a positive number of seconds, not "${duration}"\n${usage}`);
    sizes = { ...sizes, commitWindowMs: seconds * 1000 };
  }
  return {
    stores: parseStores(text(values.store)),
    quick,
    sizes,
    out: resolve(text(values.out) ?? join(benchDir, 'results', 'growth.json')),
    command: `node bench/dist/growth.js ${argv.join(' ')}`.trim(),
  };
}

/** `0,100000,1000000` → ascending whole numbers, each at least `min`. */
function counts(name: string, list: string, min: number): number[] {
  const parsed = list.split(',').map((item) => Number(item.trim().replaceAll('_', '')));
  for (const [i, value] of parsed.entries()) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new Error(
        `--${name} takes whole numbers ≥ ${min} separated by commas; "${list.split(',')[i]}" is not\n${usage}`,
      );
    }
  }
  return [...new Set(parsed)].sort((a, b) => a - b);
}
