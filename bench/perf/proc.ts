// What the kernel says about a process (Linux /proc): CPU time used so far and resident memory, for the per-row
// figures "CPU ms per request" and "peak RSS". Clock ticks come from `getconf CLK_TCK` (usually 100 per second).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | undefined;

/** CLK_TCK: the unit of utime and stime in /proc/<pid>/stat. */
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

/** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'; utime and stime are the
  // 14th and 15th fields of the whole line, i.e. the 12th and 13th after the name.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond();
}

/** A field of /proc/<pid>/status in MB (VmRSS: resident now; VmHWM: the highest resident since the start). */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Samples VmRSS every `intervalMs` until stopped; returns the highest sample (MB). */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number } {
  let max = 0;
  const sample = () => {
    try {
      // An exited (zombie) process has a status without VmRSS: NaN, which must not poison the maximum.
      const mb = statusMb(pid, 'VmRSS');
      if (Number.isFinite(mb)) max = Math.max(max, mb);
    } catch {
      /* the process is gone */
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

export interface Measured<T> {
  result: T;
  /** CPU time of the measured process (all its threads). */
  cpuMs: number;
  /** CPU time of the PostgreSQL server's processes serving the run's database (when it runs beside us). */
  dbCpuMs?: number;
  /** CPU time of this process: the load generator. */
  loadGenCpuMs: number;
  /** Busy CPU time of the whole machine. */
  machineCpuMs: number;
  /** Share of the machine's capacity that went to none of the above (other processes: a noisy neighbour). */
  otherShare: number;
  peakRssMb: number;
  hwmMb: number;
  wallMs: number;
}

/** The share of the machine's capacity over `wallMs` not explained by the CPU times given. */
export function otherShare(machineMs: number, explainedMs: number, wallMs: number): number {
  return Math.max(0, machineMs - explainedMs) / (wallMs * os.cpus().length);
}

/** Measures a process while `work` runs: CPU time (its own, the database's, ours, the machine's) and memory. */
export async function measureProcess<T>(
  pid: number,
  work: () => Promise<T>,
  opts: { dbCpuMs?: () => number } = {},
): Promise<Measured<T>> {
  const before = { cpu: cpuMs(pid), db: opts.dbCpuMs?.() ?? 0, self: process.cpuUsage(), machine: machineBusyMs() };
  const rss = sampleRss(pid);
  const started = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - started;
    const self = process.cpuUsage(before.self);
    const cpu = cpuMs(pid) - before.cpu;
    const db = opts.dbCpuMs ? opts.dbCpuMs() - before.db : undefined;
    const loadGenCpuMs = (self.user + self.system) / 1000;
    const machineCpuMs = machineBusyMs() - before.machine;
    return {
      result,
      cpuMs: cpu,
      ...(db !== undefined ? { dbCpuMs: db } : {}),
      loadGenCpuMs,
      machineCpuMs,
      otherShare: otherShare(machineCpuMs, cpu + (db ?? 0) + loadGenCpuMs, wallMs),
      peakRssMb: rss.stop(),
      hwmMb: statusMb(pid, 'VmHWM'),
      wallMs,
    };
  } finally {
    rss.stop();
  }
}

/** Busy CPU time of the whole machine so far (all cores, /proc/stat: everything but idle and iowait), in ms. */
export function machineBusyMs(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  return (
    (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) /
    clockTicksPerSecond()
  );
}

/** CPU time (ms) of the processes named `comm` whose command line passes `keep` (e.g. PostgreSQL's backends of one database). */
export function cpuMsOfProcesses(comm: string, keep: (cmdline: string) => boolean): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
      if (keep(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) total += cpuMs(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/**
 * Waits until the machine is quiet (less than `maxBusy` of all cores busy over half a second), so a row does not
 * pay for what came before it (a child still exiting, PostgreSQL's autovacuum or checkpoint). Gives up after
 * `timeoutMs` and says how busy the machine still was.
 */
export async function waitForQuiet(timeoutMs: number, maxBusy = 0.1): Promise<{ waitedMs: number; busy: number }> {
  const cores = os.cpus().length;
  const started = Date.now();
  let busy = 1;
  while (Date.now() - started < timeoutMs) {
    const before = machineBusyMs();
    await new Promise((r) => setTimeout(r, 500));
    busy = (machineBusyMs() - before) / (500 * cores);
    if (busy < maxBusy) break;
  }
  return { waitedMs: Date.now() - started, busy };
}
