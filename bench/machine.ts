import os from 'node:os';

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  os: string;
  memoryGb: number;
  /** One-minute load average at the start: a busy machine slows both contenders, not equally. */
  loadAverage: number;
}

export function machine(): Machine {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

export function describeMachine(m: Machine): string {
  return (
    `machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, ` +
    `load ${m.loadAverage.toFixed(2)}`
  );
}
