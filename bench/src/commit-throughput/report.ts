import type { Machine } from '../support/machine.js';
import type { SourceTree } from '../support/source-tree.js';
import { formatCount, formatFigure, formatTable } from '../support/table.js';
import type { ClientKind } from '../support/unary-client.js';
import type { CeilingFigure, ReadFloor } from './ceiling-rows.js';
import type { Sizes, StoreName } from './options.js';
import type { LogSizeComparison, ScenarioFigure } from './scenarios.js';
import { targets } from './targets.js';

export interface StoreResults {
  readonly store: StoreName;
  readonly location: string;
  readonly figures: readonly ScenarioFigure[];
  readonly logSize: LogSizeComparison | undefined;
  readonly ceilings:
    | { readonly batched: CeilingFigure; readonly single: CeilingFigure; readonly read: ReadFloor }
    | undefined;
  /** `.cpuprofile` files the Runtime wrote (with --profile). */
  readonly profiles: readonly string[];
  /** Events committed or fetched while the Runtime was profiled (from the first measurement on): `--per`. */
  readonly eventsProfiled: number;
}

export interface CommitThroughputResults {
  readonly benchmark: 'commit-throughput';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly quick: boolean;
  readonly client: ClientKind;
  readonly machine: Machine;
  readonly sourceTree: SourceTree;
  readonly versions: {
    readonly node: string;
    readonly sqlite: string | undefined;
    readonly postgres: string | undefined;
  };
  readonly durability: { readonly sqlite: string; readonly postgres: string | undefined };
  readonly sizes: Sizes;
  readonly stores: readonly StoreResults[];
}

/** The ceiling a scenario is compared with, in events per second. */
export function ceilingOf(
  store: StoreResults,
  figure: ScenarioFigure,
): { eventsPerSecond: number; method: string } | undefined {
  const ceilings = store.ceilings;
  if (!ceilings) return undefined;
  switch (figure.key) {
    case 'a':
    case 'a-empty-log':
    case 'a-full-log':
      return { eventsPerSecond: ceilings.single.eventsPerSecond, method: ceilings.single.method };
    case 'b':
      return { eventsPerSecond: ceilings.batched.eventsPerSecond, method: ceilings.batched.method };
    case 'c':
      return { eventsPerSecond: (ceilings.read.rows / ceilings.read.p50Ms) * 1000, method: ceilings.read.method };
  }
}

function targetOf(figure: ScenarioFigure): { text: string; met: boolean } | undefined {
  switch (figure.key) {
    case 'a': {
      const t = targets.singleEventCommits;
      return {
        text: `≥ ${formatCount(t.commitsPerSecond)}/s, ≤ ${t.runtimeCpuUsPerCommit} µs`,
        met: figure.callsPerSecond >= t.commitsPerSecond && figure.runtimeCpuUsPerEvent <= t.runtimeCpuUsPerCommit,
      };
    }
    case 'b': {
      const t = targets.batchedCommits;
      return {
        text: `≥ ${formatCount(t.eventsPerSecond)}/s, ≤ ${t.runtimeCpuUsPerEvent} µs`,
        met: figure.eventsPerSecond >= t.eventsPerSecond && figure.runtimeCpuUsPerEvent <= t.runtimeCpuUsPerEvent,
      };
    }
    case 'c': {
      const t = targets.fetchForAggregate;
      return { text: `≤ ${t.milliseconds} ms`, met: figure.p50Ms <= t.milliseconds };
    }
    case 'a-empty-log':
    case 'a-full-log':
      return undefined;
  }
}

export function formatReport(results: CommitThroughputResults): string {
  const { machine, versions, durability } = results;
  const lines: string[] = [];
  lines.push(`Commit throughput — ${results.startedAt}${results.quick ? ' (quick)' : ''}`);
  lines.push(`command:    ${results.command}`);
  const tree = results.sourceTree;
  lines.push(
    `tree:       ${tree.commit ?? 'not a git work tree'}${tree.uncommittedFiles ? ` + ${tree.uncommittedFiles} uncommitted files` : ''}`,
  );
  lines.push(
    `machine:    ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Linux ${machine.kernel}`,
  );
  lines.push(
    `versions:   node ${versions.node}, SQLite ${versions.sqlite ?? '–'}, PostgreSQL ${versions.postgres ?? '–'}`,
  );
  lines.push(`durability: SQLite ${durability.sqlite}; PostgreSQL ${durability.postgres ?? '–'}`);
  lines.push(
    `load:       ${results.client === 'http2' ? 'bare node:http2 gRPC clients' : 'lean @grpc/grpc-js clients (pass-through serializers)'}, one connection each, closed loop; ${results.sizes.durationMs / 1000} s measured after ${results.sizes.warmupMs / 1000} s warm-up`,
  );
  lines.push('');

  const rows: string[][] = [];
  for (const store of results.stores) {
    for (const figure of store.figures) {
      const ceiling = ceilingOf(store, figure);
      const target = targetOf(figure);
      rows.push([
        figure.scenario,
        figure.store,
        formatCount(figure.eventsPerSecond),
        formatFigure(figure.p50Ms),
        formatFigure(figure.p99Ms),
        formatFigure(figure.runtimeCpuUsPerEvent),
        formatFigure(figure.loadGeneratorCpuUsPerEvent),
        formatFigure(figure.databaseServerCpuUsPerEvent),
        formatFigure(figure.groupCommit.commitsPerTransaction),
        formatFigure(figure.groupCommit.transactionMs),
        formatCount(figure.runtimeRssMiB),
        figure.otherCpuCores.toFixed(2),
        formatCount(ceiling?.eventsPerSecond),
        ceiling ? `${(figure.eventsPerSecond / ceiling.eventsPerSecond).toFixed(2)}×` : '–',
        target ? `${target.text} ${target.met ? 'met' : 'MISSED'}` : '',
      ]);
    }
  }
  lines.push(
    formatTable(
      [
        'scenario',
        'store',
        'events/s',
        'p50 ms',
        'p99 ms',
        'Runtime CPU µs/ev',
        'loadgen CPU µs/ev',
        'PG server CPU µs/ev',
        'commits/txn',
        'txn ms',
        'RSS MiB',
        'other CPU cores',
        'ceiling ev/s',
        'ratio',
        'target',
      ],
      rows,
    ),
  );
  lines.push(
    '(a) events/s = commits/s. (c) events/s = 10,000 ÷ p50 of one fetch; its ceiling reads 10,000 rows through the driver.',
  );
  lines.push(
    "commits/txn, txn ms: the Runtime's group commit (from its metrics): commits per transaction, mean time to write one. RSS: the Runtime's, after the scenario.",
  );
  lines.push(
    'other CPU cores: what all other processes (kernel threads included) used during the measurement; near 0 on a quiet machine.',
  );
  const disturbed = results.stores.flatMap((s) => s.figures).filter((f) => f.otherCpuCores > 0.25);
  if (disturbed.length > 0) {
    lines.push(
      `WARNING: other processes used CPU during ${disturbed.map((f) => `${f.store} ${f.key} (${f.otherTop.join(', ')})`).join('; ')}: rerun on a quiet machine.`,
    );
  }

  const logRows = results.stores.flatMap((store) => (store.logSize ? [store.logSize] : []));
  if (logRows.length > 0) {
    lines.push('');
    lines.push(
      `Commit latency of (a) at a full log vs an empty log, same warm Runtime (target ≤ ${targets.logSizeLatencyRatio}×)`,
    );
    lines.push(
      formatTable(
        [
          'store',
          'empty p50 ms',
          'empty p99 ms',
          'full log events',
          'full p50 ms',
          'full p99 ms',
          'p50 ratio',
          'p99 ratio',
          'fill ev/s',
        ],
        logRows.map((row) => [
          row.store,
          formatFigure(row.emptyLog.p50Ms),
          formatFigure(row.emptyLog.p99Ms),
          formatCount(row.fullLog.events),
          formatFigure(row.fullLog.p50Ms),
          formatFigure(row.fullLog.p99Ms),
          `${row.p50Ratio.toFixed(2)}×`,
          `${row.p99Ratio.toFixed(2)}×`,
          row.fill.elapsedMs > 0 ? formatCount((row.fill.events / row.fill.elapsedMs) * 1000) : '–',
        ]),
      ),
    );
  }

  const ceilingRows = results.stores.flatMap((store) =>
    store.ceilings
      ? [store.ceilings.batched, store.ceilings.single].map((c) => [
          store.store,
          c.method,
          formatCount(c.eventsPerSecond),
          formatFigure(c.p50Ms),
          formatFigure(c.p99Ms),
          formatFigure(c.clientCpuUsPerEvent),
          formatFigure(c.databaseServerCpuUsPerEvent),
        ])
      : [],
  );
  if (ceilingRows.length > 0) {
    lines.push('');
    lines.push('Ceilings: the same rows straight through the driver (no Runtime), same durability');
    lines.push(
      formatTable(
        ['store', 'method', 'events/s', 'p50 ms/txn', 'p99 ms/txn', 'driver CPU µs/ev', 'PG server CPU µs/ev'],
        ceilingRows,
      ),
    );
    for (const store of results.stores) {
      const read = store.ceilings?.read;
      if (read) {
        lines.push(
          `${store.store}: ${read.method}: p50 ${formatFigure(read.p50Ms)} ms, p99 ${formatFigure(read.p99Ms)} ms (${read.repeats} reads)`,
        );
      }
    }
  }
  const profiles = results.stores.flatMap((store) => store.profiles);
  if (profiles.length > 0) {
    lines.push('');
    for (const store of results.stores) {
      if (store.profiles.length === 0) continue;
      lines.push(
        `Runtime CPU profile (${store.store}, ${formatCount(store.eventsProfiled)} events committed or fetched while profiled): node bench/dist/cpu-profile-summary.js ${store.profiles.join(' ')} --per ${store.eventsProfiled}`,
      );
    }
  }
  return lines.join('\n');
}
