import { readdirSync, readFileSync } from 'node:fs';

export interface CpuMark {
  machineBusy: number;
  machineTotal: number;
  process: NodeJS.CpuUsage;
  database: number;
}

export interface CpuUse {
  /** Share of all cores busy (any process), in percent. */
  machineBusyPercent: number;
  /** CPU time of this process (the app and the bench's own clients). */
  processMs: number;
  busyJiffies: number;
  totalJiffies: number;
  /** CPU time of the database server's processes (NaN when it is not watched). */
  databaseMs: number;
}

/** The bench's PostgreSQL server (its postmaster's pid), whose CPU the meters count. */
let databaseServer: number | null = null;

export function watchDatabaseServer(postmasterPid: number): void {
  databaseServer = postmasterPid;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime, stime, cutime, cstime of a process, in clock ticks. */
function processTicks(pid: number | string): { ppid: number; own: number; children: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), from f[0] = field 3.
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU used so far by the database server: the postmaster with the backends it reaped, and every
 * backend alive (a connection's work, background writer, WAL writer, autovacuum).
 */
function databaseTicks(): number {
  if (databaseServer === null) return Number.NaN;
  const master = processTicks(databaseServer);
  if (!master) return Number.NaN;
  let ticks = master.own + master.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = processTicks(entry);
    if (p?.ppid === databaseServer) ticks += p.own;
  }
  return ticks;
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
  return { machineBusy: busy, machineTotal: total, process: process.cpuUsage(), database: databaseTicks() };
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
    databaseMs: (databaseTicks() - mark.database) * TICK_MS,
  };
}

/** CPU use summed over the intervals between start() and stop() calls. */
export class CpuMeter {
  private busy = 0;
  private total = 0;
  private process = 0;
  private database = 0;
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
    this.database += use.databaseMs;
    this.mark = null;
  }

  get machineBusyPercent(): number {
    return (this.busy / this.total) * 100;
  }

  get processMs(): number {
    return this.process;
  }

  /** CPU time of the database server over the intervals (NaN when it is not watched). */
  get databaseMs(): number {
    return this.database;
  }
}
