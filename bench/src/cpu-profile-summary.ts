#!/usr/bin/env node
/*
 * `node bench/dist/cpu-profile-summary.js <file.cpuprofile> [--top 25] [--per <events>]`: where a process's CPU went,
 * from a V8 CPU profile (`node --cpu-prof`). Prints self time by module (package or source file), the functions
 * with the most self time, and the functions with the most inclusive time (time with them on the stack). With
 * `--per`, times are also divided by that count (e.g. the events committed while profiling) to give µs per event.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatFigure, formatTable } from './support/table.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** A module name short enough to read: `@grpc/grpc-js`, `runtime/grpc/event-store-service.js`, `node:internal/…`. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nodeModules = path.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) {
    const rest = path.slice(nodeModules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const workspace = /\/(packages|compat|bench)\/([^/]+)\/dist\/(.*)$/.exec(path);
  if (workspace) return `${workspace[1] === 'packages' ? workspace[2] : workspace[1]}/${workspace[3]}`;
  return path;
}

function frameKey(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${moduleOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}`;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly selfByModule: ReadonlyMap<string, number>;
  readonly selfByFunction: ReadonlyMap<string, number>;
  readonly inclusiveByFunction: ReadonlyMap<string, number>;
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfByModule = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's time is the gap to the next sample.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(profile.samples[i] as number);
    if (!node) continue;
    totalMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    add(selfByModule, moduleOf(node.callFrame.url, node.callFrame.functionName), ms);
    add(selfByFunction, frameKey(node.callFrame), ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = (byId.get(id) as ProfileNode).callFrame;
      if (frame.functionName === '(root)') break;
      const key = frameKey(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusiveByFunction, key, ms);
    }
  }
  return { totalMs, idleMs, selfByModule, selfByFunction, inclusiveByFunction };
}

function top(map: ReadonlyMap<string, number>, n: number): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, per: { type: 'string' } },
  });
  if (positionals.length === 0) {
    console.error('usage: node bench/dist/cpu-profile-summary.js <file.cpuprofile>… [--top 25] [--per <events>]');
    process.exitCode = 2;
    return;
  }
  const n = Number(values.top);
  const per = values.per === undefined ? undefined : Number(values.per);
  for (const file of positionals) {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const busy = summary.totalMs - summary.idleMs;
    const row = (key: string, ms: number) => [
      key,
      formatFigure(ms),
      `${((ms / busy) * 100).toFixed(1)}%`,
      ...(per ? [formatFigure((ms * 1000) / per)] : []),
    ];
    const header = (what: string) => [what, 'ms', '% busy', ...(per ? ['µs/event'] : [])];
    console.log(`${file}\n  profiled ${formatFigure(summary.totalMs)} ms, busy ${formatFigure(busy)} ms\n`);
    console.log(
      formatTable(
        header('self time by module'),
        top(summary.selfByModule, n).map(([k, v]) => row(k, v)),
      ),
    );
    console.log('');
    console.log(
      formatTable(
        header('self time by function'),
        top(summary.selfByFunction, n).map(([k, v]) => row(k, v)),
      ),
    );
    console.log('');
    console.log(
      formatTable(
        header('inclusive time by function'),
        top(summary.inclusiveByFunction, n).map(([k, v]) => row(k, v)),
      ),
    );
    console.log('');
  }
}

main();
