import { describeVersions, type Versions } from '../catch-up-setup.js';
import type { Machine } from '../support/machine.js';
import { formatCount, formatFigure, formatTable } from '../support/table.js';
import type { LogSizeResults } from './log-size.js';
import type { GrowthSizes } from './options.js';
import type { TenantsFigure } from './tenants.js';

export interface GrowthResults {
  readonly benchmark: 'growth';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly versions: Versions;
  readonly settings: GrowthSizes;
  readonly logSizes: readonly LogSizeResults[];
  readonly tenants: readonly TenantsFigure[];
}

/** Above this many cores of other processes' CPU in a window, its figures are flagged. */
const disturbedCores = 0.25;

const ratio = (value: number | undefined, base: number | undefined): string =>
  value === undefined || base === undefined || !Number.isFinite(value / base) ? '–' : `${(value / base).toFixed(2)}×`;

export function formatGrowthReport(results: GrowthResults): string {
  const { machine, settings } = results;
  const lines: string[] = [];
  lines.push(`Growth — ${results.startedAt}${results.quick ? ' (quick)' : ''}`);
  lines.push(`command:    ${results.command}`);
  lines.push(
    `machine:    ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Linux ${machine.kernel}`,
  );
  lines.push(describeVersions(results.versions));
  lines.push(
    `settings:   commits: ${settings.commitClients} clients × 1-event Commits, closed loop, ${settings.warmupMs / 1000} s warm-up + ${settings.commitWindowMs / 1000} s measured; ` +
      `fill: ${formatCount(settings.fillBatch)}-event Commits from ${settings.fillClients} clients (not measured)`,
  );
  lines.push(
    `            catch-up: ${formatCount(settings.catchUpEvents)} events of a type of their own over ${formatCount(settings.catchUpSources)} event sources at the end of the log, one partitioned handler (lean head answering at once) from registration to the last event; Runtime: log level warn, metrics on`,
  );
  lines.push('');

  const disturbed: string[] = [];
  const note = (what: string, cores: number | undefined, top: readonly string[] | undefined) => {
    if (cores !== undefined && cores > disturbedCores)
      disturbed.push(`${what}: ${cores.toFixed(2)} cores (${(top ?? []).join(', ')})`);
  };

  const logRows: string[][] = [];
  for (const result of results.logSizes) {
    const base = result.levels[0];
    for (const level of result.levels) {
      const c = level.catchUp;
      const m = level.commit;
      note(`${result.store} log ${formatCount(level.target)} catch-up`, c?.otherCpuCores, c?.otherTop);
      note(`${result.store} log ${formatCount(level.target)} commits`, m?.otherCpuCores, m?.otherTop);
      const delivered =
        c === undefined
          ? '–'
          : c.duplicates + c.outOfOrder + c.disconnects.length === 0
            ? 'all, once, in order'
            : `${c.duplicates} twice, ${c.outOfOrder} out of order, ${c.disconnects.length} reconnects`;
      logRows.push([
        result.store,
        formatCount(level.target),
        formatCount(level.logEventsBeforeCatchUp),
        formatCount(c?.eventsPerSecond),
        ratio(c?.eventsPerSecond, base?.catchUp?.eventsPerSecond),
        formatFigure(c?.runtimeCpuUsPerEvent),
        delivered,
        formatFigure(m?.p50Ms),
        formatFigure(m?.p99Ms),
        ratio(m?.p50Ms, base?.commit?.p50Ms),
        ratio(m?.p99Ms, base?.commit?.p99Ms),
        formatCount(m?.eventsPerSecond),
        formatFigure(m?.runtimeCpuUsPerEvent),
        formatFigure(Math.max(c?.otherCpuCores ?? 0, m?.otherCpuCores ?? 0)),
        level.error === undefined ? '' : `FAILED: ${level.error.split('\n')[0]}`,
      ]);
    }
    if (result.error !== undefined && result.levels.length === 0) {
      logRows.push([
        result.store,
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        '–',
        `FAILED: ${result.error}`,
      ]);
    }
  }
  lines.push(
    `Log size: catch-up, then commit latency, at each log size in one Runtime (warmed up on a second tenant first); ratios to the smallest size (${formatCount(settings.logSizes[0])} events)`,
  );
  lines.push(
    formatTable(
      [
        'store',
        'log size',
        'log events at catch-up',
        'catch-up ev/s',
        '÷ base',
        'Runtime CPU µs/ev',
        'delivered',
        'commit p50 ms',
        'commit p99 ms',
        'p50 ÷ base',
        'p99 ÷ base',
        'commits/s',
        'Runtime CPU µs/commit',
        'other CPU cores',
        'note',
      ],
      logRows,
    ),
  );
  lines.push(
    `Memory of that Runtime: ${results.logSizes
      .map(
        (r) =>
          `${r.store} idle after start ${formatFigure(r.idleRssMiB)} MiB, peak ${formatFigure(r.peakRssMiB)} MiB (fill, catch-up and commits up to ${formatCount(r.levels.at(-1)?.target)} events; ${ratio(r.peakRssMiB, r.idleRssMiB)} idle)`,
      )
      .join('; ')}`,
  );
  lines.push('');

  const tenantRows = results.tenants.map((figure) => {
    const base = results.tenants.find((t) => t.store === figure.store && t.tenants === settings.tenantCounts[0]);
    const m = figure.commit;
    note(`${figure.store} ${figure.tenants} tenants`, m?.otherCpuCores, m?.otherTop);
    return [
      figure.store,
      formatCount(figure.tenants),
      formatFigure(figure.idleRssMiB),
      ratio(figure.idleRssMiB, base?.idleRssMiB),
      formatFigure(figure.peakRssMiB),
      ratio(figure.peakRssMiB, base?.peakRssMiB),
      formatFigure(m?.p50Ms),
      formatFigure(m?.p99Ms),
      ratio(m?.p50Ms, base?.commit?.p50Ms),
      ratio(m?.p99Ms, base?.commit?.p99Ms),
      formatCount(m?.eventsPerSecond),
      ratio(m?.eventsPerSecond, base?.commit?.eventsPerSecond),
      formatFigure(m?.runtimeCpuUsPerEvent),
      m === undefined ? '–' : m.otherCpuCores.toFixed(2),
      figure.error === undefined ? '' : (figure.error.split('\n')[0] ?? ''),
    ];
  });
  lines.push(
    `Tenants: a fresh Runtime per count, commits spread over every tenant; ratios to ${settings.tenantCounts[0]} tenant${settings.tenantCounts[0] === 1 ? '' : 's'}`,
  );
  lines.push(
    formatTable(
      [
        'store',
        'tenants',
        'idle RSS MiB',
        '÷ base',
        'peak RSS under load MiB',
        '÷ base',
        'commit p50 ms',
        'commit p99 ms',
        'p50 ÷ base',
        'p99 ÷ base',
        'commits/s',
        '÷ base',
        'Runtime CPU µs/commit',
        'other CPU cores',
        'note',
      ],
      tenantRows,
    ),
  );
  lines.push('');
  lines.push(
    'idle RSS: VmRSS of the Runtime process (/proc/<pid>/status) once left alone after its ready line; peak: the highest of readings every 100 ms. Runtime CPU: utime + stime of the Runtime over the window ÷ events.',
  );
  lines.push(
    'other CPU cores: the CPU every process but the Runtime, this program and PostgreSQL used during the window, in cores (near 0 on a quiet machine).',
  );
  if (disturbed.length > 0) {
    lines.push(`WARNING: other processes used more than ${disturbedCores} cores during: ${disturbed.join('; ')}`);
  }
  return lines.join('\n');
}
