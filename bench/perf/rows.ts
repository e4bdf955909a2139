// The rows of the benchmark: what a row reports (RowResult), the sign-in row (our own concurrent browser loop,
// bench/perf/sign-in.ts) and the argon2 floor (its own process). The HTTP rows are in http-rows.ts. Each row reports
// throughput, latency, and the measured process's CPU time per unit and peak RSS (read from /proc around the
// measured window, after a warm-up), plus where the rest of the machine's CPU went (PostgreSQL's processes, the load
// generator, other processes) to explain what limits the row.
import { machineBusyMs, otherShare, sampleRss, statusMb, waitForQuiet } from './proc.js';
import { flowLoad, type Member } from './sign-in.js';
import { startArgon2Floor, type Target } from './targets.js';
import { measureOn, NOISY, noiseNote, perUnit } from './window.js';

/** How long each part of a row lasts (seconds), and how hard to try for a quiet machine. */
export interface Durations {
  warmup: number;
  http: number;
  signIn: number;
  floor: number;
  /** Measured windows spoiled by another process are redone up to this many attempts in all. */
  attempts: number;
  /** The longest wait for a quiet machine (ms) before a row or a new attempt. */
  quietMs: number;
}

export interface RowResult {
  row: string;
  engine: string;
  unit: 'request' | 'sign-in' | 'verification';
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time of the measured process per unit. */
  cpuMsPerUnit: number;
  /** PostgreSQL's processes per unit (PostgreSQL rows only; PGlite runs inside the server process). */
  dbCpuMsPerUnit?: number;
  /** The load generator (this process) per unit. */
  loadGenCpuMsPerUnit?: number;
  /** Our server only: SQL statements sent (round trips to the database, BEGIN and COMMIT included) per unit. */
  sqlStatementsPerUnit?: number;
  /** …and which statements (the 20 most frequent, per unit). */
  sqlPerUnit?: Record<string, number>;
  /** The whole machine's busy CPU time per unit. */
  machineCpuMsPerUnit?: number;
  peakRssMb: number;
  /** VmHWM of the process at the end of the row (its highest RSS since it started). */
  hwmMb: number;
  completed: number;
  failed: number;
  seconds: number;
  concurrency: number;
  /** Share of the machine other processes used during the window (a noisy neighbour spoils figures). */
  otherCpuShare?: number;
  /** The measured window in seconds since the process was spawned (to cut its CPU profile: --from/--to). */
  window?: { from: number; to: number };
  /** Filled by the report: the row this one is compared with, the ratio, and the targets. */
  baseline?: string;
  ratio?: number;
  ratioText?: string;
  targets?: Array<{ text: string; met: boolean }>;
  note?: string;
}

/** The full sign-in flow on our server: flows/s and flow latency, with the server's CPU per sign-in and RSS. */
export async function runSignInRow(
  name: string,
  target: Target,
  members: () => Member,
  plan: Durations,
  concurrency: number,
): Promise<RowResult> {
  if (plan.warmup > 0) await flowLoad(target.base, members, plan.warmup, concurrency);
  const measured = await measureOn(
    target,
    plan,
    async () => undefined,
    () => flowLoad(target.base, members, plan.signIn, concurrency),
  );
  const r = measured.result;
  const notes = [
    r.errors ? `${r.errors} failed flows; first: ${r.firstError}` : undefined,
    noiseNote(measured.otherShare, plan.attempts),
  ].filter(Boolean);
  return {
    window: measured.window,
    otherCpuShare: measured.otherShare,
    row: name,
    engine: target.engine,
    unit: 'sign-in',
    perSecond: r.perSecond,
    p50: r.p50,
    p99: r.p99,
    ...perUnit(measured, r.flows + r.errors),
    completed: r.flows,
    failed: r.errors,
    seconds: r.seconds,
    concurrency,
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

/** One run of the floor process: its figures and the share of the machine other processes took meanwhile. */
async function floorOnce(seconds: number, concurrency: number, profileDir?: string) {
  const floor = startArgon2Floor(seconds, concurrency, profileDir);
  const rss = sampleRss(floor.child.pid);
  let hwm = 0;
  const hwmTimer = setInterval(() => {
    try {
      hwm = Math.max(hwm, statusMb(floor.child.pid, 'VmHWM'));
    } catch {
      /* exited */
    }
  }, 200);
  try {
    await floor.timing;
    const machineBefore = machineBusyMs();
    const selfBefore = process.cpuUsage();
    const r = await floor.result;
    const self = process.cpuUsage(selfBefore);
    const machine = machineBusyMs() - machineBefore;
    const loadGen = (self.user + self.system) / 1000;
    return {
      r,
      peakRssMb: rss.stop(),
      hwmMb: hwm,
      machine,
      loadGen,
      other: otherShare(machine, r.cpuMs + loadGen, r.seconds * 1000),
    };
  } finally {
    rss.stop();
    clearInterval(hwmTimer);
  }
}

/** The argon2id floor: verifications/s of the production parameters with the whole machine, in its own process. */
export async function runArgon2FloorRow(plan: Durations, concurrency: number, profileDir?: string): Promise<RowResult> {
  let best: Awaited<ReturnType<typeof floorOnce>> | undefined;
  for (let attempt = 1; attempt <= plan.attempts; attempt++) {
    const run = await floorOnce(plan.floor, concurrency, profileDir);
    if (!best || run.other < best.other) best = run;
    if (run.other <= NOISY || attempt === plan.attempts) break;
    process.stderr.write(
      `  (other processes took ${Math.round(run.other * 100)}% of the machine during the floor: measuring again)\n`,
    );
    await waitForQuiet(plan.quietMs);
  }
  const { r, peakRssMb, hwmMb, machine, loadGen, other } = best!;
  const n = Math.max(1, r.verifications);
  return {
    row: 'argon2-floor',
    engine: '—',
    unit: 'verification',
    perSecond: r.perSecond,
    p50: r.p50,
    p99: r.p99,
    cpuMsPerUnit: r.cpuMs / n,
    loadGenCpuMsPerUnit: loadGen / n,
    machineCpuMsPerUnit: machine / n,
    peakRssMb,
    hwmMb,
    completed: r.verifications,
    failed: 0,
    seconds: r.seconds,
    concurrency,
    otherCpuShare: other,
    ...(other > NOISY ? { note: noiseNote(other, plan.attempts)! } : {}),
  };
}
