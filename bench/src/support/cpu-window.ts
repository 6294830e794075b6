/*
 * The CPU a piece of work cost, measured around it: the Runtime process's (from /proc), this load generator's
 * (process.cpuUsage) and, when the store is a local PostgreSQL server, the server's processes'.
 */
import { processCpuSeconds, processGroupCpuSeconds, processTable } from './process-cpu.js';

export interface CpuReading {
  readonly runtimeSeconds: number;
  readonly loadGeneratorSeconds: number;
  /** Undefined when no `postgres` processes are visible on this machine. */
  readonly databaseServerSeconds: number | undefined;
  /**
   * CPU seconds every other process used meanwhile (kernel threads included): programs competing for the cores.
   * Large values mean the figures are not to be trusted.
   */
  readonly otherSeconds: number;
  /** The other processes that used the most, e.g. `node (pid 4242) 1.9 s`. */
  readonly otherTop: readonly string[];
  /** Wall-clock seconds of the window. */
  readonly wallSeconds: number;
}

export interface CpuWindowOptions {
  readonly runtimePid: number;
  /** Also read the CPU of the local PostgreSQL server's processes. */
  readonly postgresServer: boolean;
}

interface Snapshot {
  readonly runtimeSeconds: number;
  readonly loadGeneratorSeconds: number;
  readonly databaseServerSeconds: number | undefined;
  readonly processes: ReturnType<typeof processTable>;
  readonly at: number;
}

function read(options: CpuWindowOptions): Snapshot {
  const own = process.cpuUsage();
  return {
    runtimeSeconds: processCpuSeconds(options.runtimePid),
    loadGeneratorSeconds: (own.user + own.system) / 1e6,
    databaseServerSeconds: options.postgresServer ? processGroupCpuSeconds('postgres') : undefined,
    processes: processTable(),
    at: performance.now(),
  };
}

/** Runs `work` and returns its result with the CPU seconds each party spent meanwhile. */
export async function withCpuWindow<T>(
  options: CpuWindowOptions,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuReading }> {
  const before = read(options);
  const result = await work();
  const after = read(options);
  const runtimeSeconds = after.runtimeSeconds - before.runtimeSeconds;
  const loadGeneratorSeconds = after.loadGeneratorSeconds - before.loadGeneratorSeconds;
  const databaseServerSeconds =
    after.databaseServerSeconds !== undefined && before.databaseServerSeconds !== undefined
      ? after.databaseServerSeconds - before.databaseServerSeconds
      : undefined;
  const others: { name: string; seconds: number }[] = [];
  for (const [pid, process_] of after.processes) {
    if (pid === options.runtimePid || pid === process.pid || process_.comm === 'postgres') continue;
    const seconds = process_.seconds - (before.processes.get(pid)?.seconds ?? 0);
    if (seconds > 0) others.push({ name: `${process_.comm} (pid ${pid})`, seconds });
  }
  others.sort((a, b) => b.seconds - a.seconds);
  return {
    result,
    cpu: {
      runtimeSeconds,
      loadGeneratorSeconds,
      databaseServerSeconds,
      otherSeconds: others.reduce((sum, other) => sum + other.seconds, 0),
      otherTop: others.slice(0, 3).map((other) => `${other.name} ${other.seconds.toFixed(1)} s`),
      wallSeconds: (after.at - before.at) / 1000,
    },
  };
}
