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
  busyJiffies: number;
  totalJiffies: number;
}

/** Jiffies from /proc/stat's first line: all cores, busy and total. */
function machineJiffies(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((s, v) => s + v, 0);
    return { busy: total - fields[3]! - fields[4]!, total };
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
  const busyJiffies = busy - mark.machineBusy;
  const totalJiffies = total - mark.machineTotal;
  return {
    machineBusyPercent: (busyJiffies / totalJiffies) * 100,
    processMs: (p.user + p.system) / 1000,
    busyJiffies,
    totalJiffies,
  };
}

/** CPU use summed over the intervals between start() and stop() calls. */
export class CpuMeter {
  private busy = 0;
  private total = 0;
  private process = 0;
  private mark: CpuMark | null = null;

  start(): void {
    this.mark = cpuMark();
  }

  stop(): void {
    if (!this.mark) return;
    const use = cpuSince(this.mark);
    this.busy += use.busyJiffies;
    this.total += use.totalJiffies;
    this.process += use.processMs;
    this.mark = null;
  }

  get machineBusyPercent(): number {
    return (this.busy / this.total) * 100;
  }

  get processMs(): number {
    return this.process;
  }
}
