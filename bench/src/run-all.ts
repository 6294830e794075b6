#!/usr/bin/env node
/*
 * `npm run bench [-- --quick] [-- --store sqlite|postgres|all] [-- --only name,name]`: every benchmark, one after
 * another, each in its own process (so one cannot warm or leak into the next), then bench/RESULTS.md: the machine,
 * the source tree, and each benchmark's printed report (tables with their baselines from the same run). Each
 * benchmark also writes its JSON under bench/results/.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './support/machine.js';
import { describeSourceTree } from './support/source-tree.js';

interface Benchmark {
  readonly name: string;
  readonly script: string;
  readonly what: string;
  /** Whether it takes `--store`; every benchmark takes `--quick`. */
  readonly perStore: boolean;
}

/** In the order they run. */
const benchmarks: readonly Benchmark[] = [
  {
    name: 'commit-throughput',
    script: 'commit-throughput.js',
    what: 'commits, aggregate fetches, a full log, driver ceilings',
    perStore: true,
  },
  {
    name: 'catch-up',
    script: 'catch-up.js',
    what: 'an event handler catching up on 100,000 events; live latency',
    perStore: true,
  },
  {
    name: 'projection-rebuild',
    script: 'projection-rebuild.js',
    what: 'a projection over 100,000 events and 10,000 keys; GetAll',
    perStore: true,
  },
  {
    name: 'event-horizon',
    script: 'event-horizon.js',
    what: 'public events from one Runtime to another',
    perStore: true,
  },
  {
    name: 'growth',
    script: 'growth.js',
    what: 'commit latency and catch-up at 0 / 100,000 / 1,000,000 events; 1 / 10 / 100 tenants; RSS',
    perStore: true,
  },
  { name: 'sdk-overhead', script: 'sdk-overhead.js', what: 'our SDK against a bare contracts client', perStore: false },
  {
    name: 'peer-emmett',
    script: 'peer-emmett.js',
    what: 'Emmett beside ours (SDK remote and embedded) and the driver ceilings; consumer delivery counted',
    perStore: true,
  },
];

interface Outcome {
  readonly benchmark: Benchmark;
  readonly exitCode: number;
  readonly stdout: string;
  readonly seconds: number;
}

function run(benchDir: string, benchmark: Benchmark, flags: readonly string[]): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(benchDir, 'dist', benchmark.script), ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        benchmark,
        exitCode: code ?? (signal === null ? 1 : 128),
        stdout,
        seconds: (performance.now() - started) / 1000,
      }),
    );
  });
}

function resultsMarkdown(benchDir: string, flags: readonly string[], outcomes: readonly Outcome[]): string {
  const machine = describeMachine();
  const tree = describeSourceTree(benchDir);
  const treeText =
    tree.commit === undefined
      ? 'not a git work tree'
      : `${tree.commit}${tree.uncommittedFiles ? ` + ${tree.uncommittedFiles} uncommitted files` : ''}`;
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}\` on ${new Date().toISOString()}.`,
    'Each section is the report the benchmark printed; every figure in it has its baseline from the same run.',
    'The JSON of each run is under bench/results/ (not committed). bench/README.md says how each figure is taken.',
    '',
    `- machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpuModel}, Linux ${machine.kernel}`,
    `- node: ${machine.node}`,
    `- source tree: ${treeText}`,
    '',
    '| benchmark | what | exit | minutes |',
    '|---|---|---|---|',
    ...outcomes.map(
      (o) =>
        `| ${o.benchmark.name} | ${o.benchmark.what} | ${o.exitCode === 0 ? 'ok' : `failed (${o.exitCode})`} | ${(o.seconds / 60).toFixed(1)} |`,
    ),
    '',
  ];
  for (const outcome of outcomes) {
    lines.push(`## ${outcome.benchmark.name}`, '', '```', outcome.stdout.trimEnd(), '```', '');
  }
  return lines.join('\n');
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false },
    store: { type: 'string' },
    only: { type: 'string' },
    results: { type: 'string' },
  },
});
const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !benchmarks.some((b) => b.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `--only: no benchmark named ${unknown.join(', ')}; there are ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}

const outcomes: Outcome[] = [];
for (const benchmark of benchmarks) {
  if (only !== undefined && !only.includes(benchmark.name)) continue;
  const flags = [
    ...(values.quick ? ['--quick'] : []),
    ...(benchmark.perStore && values.store !== undefined ? ['--store', values.store] : []),
  ];
  console.error(`\n=== ${benchmark.name} ${flags.join(' ')}`);
  outcomes.push(await run(benchDir, benchmark, flags));
}

const everyFlag = [
  ...(values.quick ? ['--quick'] : []),
  ...(values.store !== undefined ? ['--store', values.store] : []),
  ...(only !== undefined ? ['--only', only.join(',')] : []),
];
const resultsFile = values.results ?? join(benchDir, 'RESULTS.md');
writeFileSync(resultsFile, resultsMarkdown(benchDir, everyFlag, outcomes));
console.error(`\nwrote ${resultsFile}`);
if (outcomes.some((o) => o.exitCode !== 0)) process.exitCode = 1;
