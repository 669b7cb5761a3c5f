import { cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  model: string;
  node: string;
  os: string;
  memoryGiB: number;
  /** 1-minute load average when the bench started: other work on the machine skews every figure. */
  loadAverage: number;
}

/** Figures mean little without the machine that produced them. */
export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cores: cpu.length,
    model: cpu[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
