/*
 * CPU time of other processes, from /proc/<pid>/stat (Linux): utime + stime in clock ticks (`getconf CLK_TCK`,
 * usually 100, so the resolution is 10 ms; scenarios run long enough for that to be well under 1%).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, asked once; 100 if getconf is missing. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface StatTimes {
  readonly comm: string;
  /** utime + stime, in ticks. */
  readonly own: number;
  /** cutime + cstime: CPU of children this process has waited for, in ticks. */
  readonly reapedChildren: number;
}

function readStat(pid: number): StatTimes | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // The command name is in parentheses and may itself hold spaces and parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // Fields after ')' start at field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17.
  const rest = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return { comm, own: field(14) + field(15), reapedChildren: field(16) + field(17) };
}

/** CPU seconds a process has used so far (user + system). */
export function processCpuSeconds(pid: number): number {
  const stat = readStat(pid);
  if (stat === undefined) throw new Error(`process ${pid} is not running (no /proc/${pid}/stat)`);
  return stat.own / clockTicksPerSecond();
}

/**
 * CPU seconds of every process named `comm` (e.g. `postgres`: the postmaster, its backends and background workers),
 * plus what the exited children of those processes used (the postmaster's cutime/cstime), so backends that come
 * and go between two readings are counted too. Undefined if no such process is visible.
 */
export function processGroupCpuSeconds(comm: string): number | undefined {
  let ticks = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined || stat.comm !== comm) continue;
    found = true;
    ticks += stat.own + stat.reapedChildren;
  }
  return found ? ticks / clockTicksPerSecond() : undefined;
}

/** CPU seconds (user + system) each running process has used so far, by pid, with its command name. */
export function processTable(): Map<number, { readonly comm: string; readonly seconds: number }> {
  const table = new Map<number, { comm: string; seconds: number }>();
  const tick = clockTicksPerSecond();
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined) table.set(Number(entry), { comm: stat.comm, seconds: stat.own / tick });
  }
  return table;
}

/** Resident memory of a process in MiB (VmRSS from /proc/<pid>/status); undefined if it is gone. */
export function processRssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}
