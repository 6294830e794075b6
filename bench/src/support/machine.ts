import { cpus, release, totalmem } from 'node:os';

export interface Machine {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly cpuModel: string;
  readonly kernel: string;
  readonly node: string;
}

/** What a reader needs to compare figures across machines. */
export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    kernel: release(),
    node: process.version,
  };
}
