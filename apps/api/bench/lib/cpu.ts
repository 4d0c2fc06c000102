import { readFileSync } from 'node:fs';

export interface CpuMark {
  machineBusy: number;
  machineTotal: number;
  process: NodeJS.CpuUsage;
}

export interface CpuUse {
  /** Share of all cores busy (any process), in percent. */
  machineBusyPercent: number;
  /** CPU time of this process (the app and the bench's own clients). */
  processMs: number;
}

/** Jiffies from /proc/stat's first line: all cores, busy and total. */
function machineJiffies(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((s, v) => s + v, 0);
    const idle = fields[3]! + fields[4]!;
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

export function cpuMark(): CpuMark {
  const { busy, total } = machineJiffies();
  return { machineBusy: busy, machineTotal: total, process: process.cpuUsage() };
}

export function cpuSince(mark: CpuMark): CpuUse {
  const { busy, total } = machineJiffies();
  const p = process.cpuUsage(mark.process);
  return {
    machineBusyPercent: ((busy - mark.machineBusy) / (total - mark.machineTotal)) * 100,
    processMs: (p.user + p.system) / 1000,
  };
}
