import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientKind } from '../support/unary-client.js';
import type { CeilingTiming } from './ceiling-rows.js';

export type StoreName = 'sqlite' | 'postgres';
/**
 * a: 32 clients × 1 event; b: 4 clients × 100 events; c: FetchForAggregate of 10,000; log: (a) at an empty log and
 * at a 1M log in the same (warm) Runtime; ceiling: the driver alone.
 */
export type ScenarioName = 'a' | 'b' | 'c' | 'log' | 'ceiling';
export const allScenarios: readonly ScenarioName[] = ['a', 'b', 'c', 'log', 'ceiling'];

export interface Sizes {
  readonly warmupMs: number;
  /** How long (a), (b) and (a) at the full log run. */
  readonly durationMs: number;
  readonly singleEventClients: number;
  readonly batchClients: number;
  readonly batchSize: number;
  readonly aggregateEvents: number;
  readonly aggregateCommitSize: number;
  readonly fetchRepeats: number;
  /** The log size (a) is measured at again, for the log-size latency ratio. */
  readonly fullLogEvents: number;
  readonly fillBatchSize: number;
  readonly fillClients: number;
  readonly ceiling: CeilingTiming;
}

export interface CommitThroughputOptions {
  readonly stores: readonly StoreName[];
  readonly quick: boolean;
  readonly scenarios: ReadonlySet<ScenarioName>;
  /** How the load generator calls the Runtime. */
  readonly client: ClientKind;
  /** Runs the Runtime with `--cpu-prof` writing into this directory. */
  readonly profileDir: string | undefined;
  /** Where the JSON goes. */
  readonly resultsPath: string;
  readonly sizes: Sizes;
  /** The command line, for the record. */
  readonly command: string;
}

const fullSizes: Sizes = {
  warmupMs: 2_000,
  durationMs: 15_000,
  singleEventClients: 32,
  batchClients: 4,
  batchSize: 100,
  aggregateEvents: 10_000,
  aggregateCommitSize: 100,
  fetchRepeats: 25,
  fullLogEvents: 1_000_000,
  fillBatchSize: 1_000,
  fillClients: 4,
  ceiling: { warmupMs: 1_000, durationMs: 8_000, readRepeats: 25 },
};

const quickSizes: Sizes = {
  ...fullSizes,
  warmupMs: 1_000,
  durationMs: 3_000,
  fetchRepeats: 5,
  fullLogEvents: 200_000,
  ceiling: { warmupMs: 300, durationMs: 2_000, readRepeats: 5 },
};

export const usage = `node bench/dist/commit-throughput.js [--store sqlite|postgres|all] [--quick]
    [--scenarios a,b,c,log,ceiling] [--duration <seconds>] [--client grpc-js|http2] [--profile <dir>]
    [--out <file.json>]

  --store      which store(s) to run the Runtime on (default: all)
  --quick      short runs (~1 minute in all) and a 200,000-event "full" log instead of 1,000,000
  --scenarios  a: 32 clients committing 1 event each; b: 4 clients committing 100-event batches;
               c: FetchForAggregate of a 10,000-event aggregate; log: (a) on a second tenant's empty log and
               on the main log once it holds 1,000,000 events; ceiling: the same rows straight through the
               driver (default: all)
  --duration   seconds each of (a), (b) and (a)-at-full-log measures (default 15, quick 3)
  --client     grpc-js (default): @grpc/grpc-js with pass-through serializers; http2: a bare node:http2 gRPC
               client, to see how much of the load generator's CPU is grpc-js's per-call machinery
  --profile    run the Runtime with --cpu-prof, writing .cpuprofile files into <dir>
  --out        the JSON results file (default bench/results/commit-throughput.json)
  PostgreSQL: a fresh database dolittle_bench_<random> on the server of DOLITTLE_TEST_POSTGRES
  (default postgres://postgres@127.0.0.1:5432/test), dropped afterwards.`;

export function parseCommitThroughputOptions(argv: readonly string[], benchDir: string): CommitThroughputOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      store: { type: 'string', default: 'all' },
      quick: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      client: { type: 'string', default: 'grpc-js' },
      profile: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const stores: StoreName[] =
    values.store === 'all'
      ? ['sqlite', 'postgres']
      : values.store === 'sqlite' || values.store === 'postgres'
        ? [values.store]
        : [];
  if (stores.length === 0) throw new Error(`--store must be sqlite, postgres or all, not "${values.store}"\n${usage}`);
  const scenarios = new Set<ScenarioName>();
  for (const name of (values.scenarios ?? allScenarios.join(',')).split(',')) {
    const trimmed = name.trim() as ScenarioName;
    if (!allScenarios.includes(trimmed)) throw new Error(`unknown scenario "${name}"\n${usage}`);
    scenarios.add(trimmed);
  }
  let sizes = values.quick ? quickSizes : fullSizes;
  if (values.duration !== undefined) {
    const seconds = Number(values.duration);
    if (!(seconds > 0)) throw new Error(`--duration must be a positive number of seconds, not "${values.duration}"`);
    sizes = { ...sizes, durationMs: seconds * 1000 };
  }
  if (values.client !== 'grpc-js' && values.client !== 'http2') {
    throw new Error(`--client must be grpc-js or http2, not "${values.client}"\n${usage}`);
  }
  return {
    stores,
    client: values.client,
    quick: values.quick,
    scenarios,
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
    resultsPath: resolve(values.out ?? `${benchDir}/results/commit-throughput.json`),
    sizes,
    command: `node bench/dist/commit-throughput.js ${argv.join(' ')}`.trim(),
  };
}
