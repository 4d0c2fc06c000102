import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  kernel: string;
  loadAverage: string;
  niceness: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return availableParallelism();
  }
}

export function describeMachine(): Machine {
  let niceness = 0;
  try {
    niceness = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);
  } catch {
    /* not Linux */
  }
  return {
    nproc: nproc(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpuModel(),
    node: process.version,
    kernel: release(),
    loadAverage: loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
    niceness,
  };
}

/** One line: the machine and the PostgreSQL `server` (version first) the figures come from. */
export const machineLine = (m: Machine, server: string): string =>
  `${m.nproc} CPU (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, PostgreSQL ${server.split(' ')[0]} (embedded)`;
