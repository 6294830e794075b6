/*
 * The peer benchmark's tables: every target's figures with the ceilings of the same run, then each of our figures
 * as a ratio to Emmett's (tuned, same store) and to the ceiling (higher is better for ours), then how each side was
 * configured and the durability read back from each store.
 */
import { describeVersions } from '../catch-up-setup.js';
import type { PeerResults, PeerRun } from '../peer-emmett.js';
import { formatCount, formatFigure, formatTable } from '../support/table.js';
import type { PeerCeiling } from './ceilings.js';
import type { PeerStore } from './target.js';

const storeLabel = (store: PeerStore) => (store === 'sqlite' ? 'SQLite' : 'PostgreSQL');

/** Events per second of each figure (the read as events read per second), for ratios. */
interface Rates {
  readonly singles: number | undefined;
  readonly batches: number | undefined;
  readonly read: number | undefined;
  readonly consumer: number | undefined;
}

function ratesOfRun(run: PeerRun | undefined): Rates {
  return {
    singles: run?.singles?.eventsPerSecond,
    batches: run?.batches?.eventsPerSecond,
    read: run?.read?.eventsPerSecond,
    consumer: run?.consumer?.eventsPerSecond,
  };
}

function ratesOfCeiling(ceiling: PeerCeiling | undefined): Rates {
  return {
    singles: ceiling?.singles.eventsPerSecond,
    batches: ceiling?.batches.eventsPerSecond,
    read: ceiling?.readEventsPerSecond,
    consumer: ceiling?.readEventsPerSecond,
  };
}

const ratio = (ours: number | undefined, baseline: number | undefined) =>
  ours === undefined || baseline === undefined || !(baseline > 0) ? '–' : `${(ours / baseline).toFixed(2)}×`;

export function formatPeerReport(results: PeerResults): string {
  const { machine, workload } = results;
  const lines: string[] = [];
  lines.push(`Peer: Emmett beside ours — ${results.startedAt}${results.quick ? ' (quick)' : ''}`);
  lines.push(`command:    ${results.command}`);
  lines.push(
    `machine:    ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Linux ${machine.kernel}`,
  );
  lines.push(describeVersions(results.versions));
  lines.push(
    `peer:       ${Object.entries(results.versions.emmett)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  );
  lines.push(
    `workload:   per target, on a fresh store: 1-event appends × 32 clients and 100-event appends × 4 clients (closed loop, ${workload.appendSeconds} s each; 1,000 streams in turn); a ${formatCount(workload.readStreamEvents)}-event stream read whole (p50 of ${workload.readRepeats}); a consumer from the beginning over ${formatCount(workload.consumerEvents)} events; then ${workload.liveSeconds} s of 1-event appends × 32 with the consumer running, and a count of what it was given`,
  );
  lines.push('');

  for (const store of ['sqlite', 'postgres'] as const) {
    const runs = results.runs.filter((run) => run.store === store);
    const ceiling = results.ceilings.find((c) => c.store === store);
    if (runs.length === 0 && ceiling === undefined) continue;
    const rows = runs.map((run) => runRow(run));
    if (ceiling !== undefined) rows.push(ceilingRow(ceiling));
    lines.push(`${storeLabel(store)}: events/s (higher is better), read ms (lower is better)`);
    lines.push(
      formatTable(
        [
          'target',
          '1 ev × 32 ev/s',
          'p99 ms',
          '100 ev × 4 ev/s',
          'p99 ms',
          'read 10k ms',
          'consumer ev/s',
          'consumer s',
          'longest pause s',
          'delivered / acked',
          'missing',
          'twice',
          'failed appends',
          'other CPU',
        ],
        rows,
      ),
    );
    lines.push('');
  }

  const ratioRows: string[][] = [];
  for (const run of results.runs.filter((r) => r.side === 'ours')) {
    const ours = ratesOfRun(run);
    // Emmett's best of its two settings, figure by figure (the appends of both use the same pool size, so they
    // differ by noise only; the consumers differ by their settings).
    const emmettRuns = results.runs.filter((r) => r.side === 'emmett' && r.store === run.store);
    const best = (figure: (run: PeerRun) => number | undefined) => {
      let found: PeerRun | undefined;
      for (const candidate of emmettRuns) {
        if ((figure(candidate) ?? -1) > (found === undefined ? -1 : (figure(found) ?? -1))) found = candidate;
      }
      return found;
    };
    const emmettSingles = best((r) => r.singles?.eventsPerSecond);
    const emmettBatches = best((r) => r.batches?.eventsPerSecond);
    const emmettRead = best((r) => r.read?.eventsPerSecond);
    const emmettConsumer = best((r) => r.consumer?.eventsPerSecond);
    const emmettRun = emmettConsumer;
    const emmett: Rates = {
      singles: emmettSingles?.singles?.eventsPerSecond,
      batches: emmettBatches?.batches?.eventsPerSecond,
      read: emmettRead?.read?.eventsPerSecond,
      consumer: emmettConsumer?.consumer?.eventsPerSecond,
    };
    const ceiling = ratesOfCeiling(results.ceilings.find((c) => c.store === run.store));
    // A ratio to a figure most of whose appends failed says nothing: shown as such instead.
    const emmettFailed = (figure: { failed: number } | undefined) => (figure?.failed ?? 0) > 0;
    ratioRows.push([
      run.label,
      emmettFailed(emmettSingles?.singles) ? 'Emmett failed' : ratio(ours.singles, emmett.singles),
      ratio(ours.singles, ceiling.singles),
      emmettFailed(emmettBatches?.batches) ? 'Emmett failed' : ratio(ours.batches, emmett.batches),
      ratio(ours.batches, ceiling.batches),
      ratio(ours.read, emmett.read),
      ratio(ours.read, ceiling.read),
      `${ratio(ours.consumer, emmett.consumer)}${emmettRun?.consumer !== undefined && !emmettRun.consumer.completed ? '*' : ''}`,
      ratio(ours.consumer, ceiling.consumer),
    ]);
  }
  if (ratioRows.length > 0) {
    lines.push(
      "Ours as a ratio (events/s ÷ events/s; > 1× = ours faster): to Emmett's best of tuned and defaults on the same store, to the store's raw driver ceiling",
    );
    lines.push(
      formatTable(
        [
          'ours',
          '1×32 ÷ Emmett best',
          '÷ ceiling',
          '100×4 ÷ Emmett',
          '÷ ceiling',
          'read ÷ Emmett',
          '÷ ceiling',
          'consumer ÷ Emmett',
          '÷ ceiling',
        ],
        ratioRows,
      ),
    );
    lines.push('');
  }

  lines.push('How each side was configured (durability read back from the store after the run):');
  for (const run of results.runs) {
    lines.push(`  ${run.label}:`);
    for (const setting of run.settings) lines.push(`    - ${setting}`);
    if (run.durability !== undefined) lines.push(`    - durability: ${run.durability}`);
    for (const incident of run.incidents ?? []) lines.push(`    - INCIDENT: ${incident}`);
    if (run.error !== undefined) lines.push(`    - FAILED: ${run.error.split('\n')[0]}`);
  }
  for (const ceiling of results.ceilings) {
    lines.push(
      `  raw ${storeLabel(ceiling.store)} ceiling: ${ceiling.singles.method}; ${ceiling.batches.method}; ${ceiling.read.method} (p50 of ${ceiling.read.repeats}); same durability as ours`,
    );
  }
  for (const error of results.ceilingErrors) lines.push(`  ceiling FAILED: ${error}`);
  lines.push('');

  lines.push(
    'consumer ev/s: events given to the consumer ÷ the time from starting it to the last of the log (Emmett: the store consumer with one reactor/processor; ours: an event handler through the SDK). Its ceiling is the driver reading the rows in order, with no checkpoint.',
  );
  lines.push(
    "Emmett failed: some of Emmett's appends in that figure failed (see FAILED APPENDS below), so no ratio is given.",
  );
  lines.push(
    '(incomplete), *: the consumer stopped short of the log (see missing); its rate is over what it gave, up to the last event it gave.',
  );
  lines.push(
    "longest pause s: the longest time between two events given to the consumer during its catch-up (Emmett's PostgreSQL consumer reads only below the server's xmin horizon, so another session's open transaction on the same server stalls it).",
  );
  lines.push(
    'delivered / acked: distinct events the consumer was given ÷ events whose append was acknowledged, after the live appends ran beside it; missing = acknowledged but never given (within the settle time); twice = given more than once.',
  );
  lines.push(
    'failed appends: appends that threw, in every phase (their events are not expected). other CPU: the most cores other processes used during one of the timed phases (other programs, builds); near 0 on a quiet machine.',
  );
  for (const run of results.runs) {
    const singles = run.singles;
    const serial = run.singlesOneClient;
    if (singles === undefined || singles.failed === 0) continue;
    lines.push(
      `FAILED APPENDS: ${run.label}: ${formatCount(singles.failed)} of ${formatCount(singles.appends)} 1-event appends from 32 clients failed (${singles.firstFailure ?? '?'})${serial === undefined ? '' : `; from 1 client: ${formatCount(serial.eventsPerSecond)} events/s, p99 ${formatFigure(serial.p99Ms)} ms, ${formatCount(serial.failed)} failed`}`,
    );
  }
  const losses = results.runs.filter((run) => (run.delivery?.missing ?? 0) > 0);
  for (const run of losses) {
    const stored = run.stored;
    lines.push(
      `LOSS: ${run.label}: ${formatCount(run.delivery?.missing)} acknowledged events were never given to its consumer (e.g. order ${run.delivery?.missingSample.join(', ')})${
        stored === undefined
          ? ''
          : `; the store holds ${formatCount(stored.events)} events${stored.behindAHigherPosition === undefined ? '' : `, ${formatCount(stored.behindAHigherPosition)} of them behind a higher position in the consumer's read order`} (${stored.how})`
      }`,
    );
  }
  if (losses.length === 0) lines.push('No loss found: every consumer was given every acknowledged event.');
  const disturbed = results.runs.filter((run) => (otherCpu(run) ?? 0) > 0.25);
  if (disturbed.length > 0) {
    lines.push(
      `WARNING: other processes used CPU during ${disturbed.map((run) => `${run.label} (${otherCpu(run)?.toFixed(2)} cores)`).join(', ')}: figures are lower than on a quiet machine.`,
    );
  }
  return lines.join('\n');
}

/** The most cores other processes used during any of the run's timed phases. */
function otherCpu(run: PeerRun): number | undefined {
  const phases = [run.singles?.otherCpuCores, run.batches?.otherCpuCores, run.consumer?.otherCpuCores];
  const measured = phases.filter((cores): cores is number => cores !== undefined);
  return measured.length === 0 ? undefined : Math.max(...measured);
}

function runRow(run: PeerRun): string[] {
  const failed =
    (run.singles?.failed ?? 0) + (run.batches?.failed ?? 0) + (run.topUpFailed ?? 0) + (run.delivery?.liveFailed ?? 0);
  const consumer = run.consumer;
  return [
    run.error !== undefined && run.singles === undefined ? `${run.label} FAILED` : run.label,
    formatCount(run.singles?.eventsPerSecond),
    formatFigure(run.singles?.p99Ms),
    formatCount(run.batches?.eventsPerSecond),
    formatFigure(run.batches?.p99Ms),
    formatFigure(run.read?.p50Ms),
    consumer === undefined
      ? '–'
      : `${formatCount(consumer.eventsPerSecond)}${consumer.completed ? '' : ' (incomplete)'}`,
    formatFigure(consumer?.seconds),
    consumer?.longestPauseMs === undefined ? '–' : formatFigure(consumer.longestPauseMs / 1000),
    run.delivery === undefined
      ? '–'
      : `${formatCount(run.delivery.delivered)} / ${formatCount(run.delivery.acknowledged)}`,
    formatCount(run.delivery?.missing),
    formatCount(run.delivery === undefined ? undefined : run.delivery.duplicates),
    formatCount(run.singles === undefined ? undefined : failed),
    otherCpu(run)?.toFixed(2) ?? '–',
  ];
}

function ceilingRow(ceiling: PeerCeiling): string[] {
  return [
    `raw driver ceiling (${ceiling.store === 'sqlite' ? 'better-sqlite3' : 'node-postgres'})`,
    formatCount(ceiling.singles.eventsPerSecond),
    formatFigure(ceiling.singles.p99Ms),
    formatCount(ceiling.batches.eventsPerSecond),
    formatFigure(ceiling.batches.p99Ms),
    formatFigure(ceiling.read.p50Ms),
    formatCount(ceiling.readEventsPerSecond),
    '–',
    '–',
    '–',
    '–',
    '–',
    '–',
    '–',
  ];
}
