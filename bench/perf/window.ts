// A measured window of a row: the target's CPU time and memory around the work (measureProcess), the SQL statements
// our server sent meanwhile, and a guard against noisy neighbours — when another process on the machine takes more
// than NOISY of it, the window is measured again and the quietest attempt kept.
import { measureProcess, waitForQuiet, type Measured } from './proc.js';
import type { Durations } from './rows.js';
import type { Target } from './targets.js';

/** Another process using more than this share of the machine during a window spoils it: the window is redone. */
export const NOISY = 0.15;

export type Window<T> = Measured<T> & {
  statements?: Record<string, number>;
  window: { from: number; to: number };
  attempts: number;
};

/** The statements of `after` not yet in `before` (tallies by SQL text). */
function tallyDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [sql, n] of Object.entries(after)) if (n - (before[sql] ?? 0) > 0) out[sql] = n - (before[sql] ?? 0);
  return out;
}

/** Measures `work` on the target (see measureProcess), with the SQL statements our server sent meanwhile. */
async function measureOnce<T>(target: Target, work: () => Promise<T>): Promise<Window<T>> {
  const counts = target.kind === 'bhxh';
  const before = counts ? await target.child.statements() : {};
  const from = since(target);
  const measured = await measureProcess(target.child.pid, work, target.dbCpuMs ? { dbCpuMs: target.dbCpuMs } : {});
  const window = { from, to: since(target) };
  return {
    ...measured,
    window,
    attempts: 1,
    ...(counts ? { statements: tallyDelta(before, await target.child.statements()) } : {}),
  };
}

/**
 * Measures a window (`prepare` makes fresh inputs for it, outside the window), again when another process on the
 * machine took more than NOISY of it; keeps the quietest attempt.
 */
export async function measureOn<I, T>(
  target: Target,
  plan: Durations,
  prepare: () => Promise<I>,
  work: (input: I) => Promise<T>,
): Promise<Window<T>> {
  let best: Window<T> | undefined;
  for (let attempt = 1; attempt <= plan.attempts; attempt++) {
    const input = await prepare();
    const m = await measureOnce(target, () => work(input));
    if (!best || m.otherShare < best.otherShare) best = { ...m, attempts: attempt };
    if (m.otherShare <= NOISY || attempt === plan.attempts) break;
    process.stderr.write(
      `  (other processes took ${Math.round(m.otherShare * 100)}% of the machine during that window: measuring again)\n`,
    );
    await waitForQuiet(plan.quietMs);
  }
  return best!;
}

/** A note on a row measured beside a noisy neighbour. */
export function noiseNote(other: number, attempts: number): string | undefined {
  return other > NOISY
    ? `other processes took ${Math.round(other * 100)}% of the machine (the quietest of ${attempts} attempts)`
    : undefined;
}

/** Seconds since the target's process was spawned. */
export const since = (target: Target) => Number(((performance.now() - target.child.spawnedAt) / 1000).toFixed(1));

/** The CPU, memory and SQL figures of a measured window, per unit of work. */
/**
 * One text for every batch size of a batched statement (src/oidc/adapter.ts): `in ((?, ?), (?, ?))` and
 * `values (…), (…)` count under their one-row form followed by `…`.
 */
function batchShape(sql: string): string {
  return sql.replace(/\((\?(?:, \?)*)\)(?:, \(\?(?:, \?)*\))+/g, '($1), …').replace(/in \(\?(?:, \?)+\)/g, 'in (?, …)');
}

/** Statements per unit, the most frequent first (SQL text shortened, batch sizes merged), for the JSON. */
function statementsPerUnit(tally: Record<string, number>, n: number): Record<string, number> {
  const merged = new Map<string, number>();
  for (const [sql, count] of Object.entries(tally)) {
    const shape = batchShape(sql);
    merged.set(shape, (merged.get(shape) ?? 0) + count);
  }
  return Object.fromEntries(
    [...merged]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([sql, count]) => [sql.replace(/\s+/g, ' ').slice(0, 160), Number((count / n).toFixed(2))]),
  );
}

export function perUnit(m: Measured<unknown> & { statements?: Record<string, number> }, units: number) {
  const n = Math.max(1, units);
  const statements = m.statements ? Object.values(m.statements).reduce((a, b) => a + b, 0) : undefined;
  return {
    cpuMsPerUnit: m.cpuMs / n,
    ...(statements !== undefined
      ? { sqlStatementsPerUnit: statements / n, sqlPerUnit: statementsPerUnit(m.statements!, n) }
      : {}),
    ...(m.dbCpuMs !== undefined ? { dbCpuMsPerUnit: m.dbCpuMs / n } : {}),
    loadGenCpuMsPerUnit: m.loadGenCpuMs / n,
    machineCpuMsPerUnit: m.machineCpuMs / n,
    peakRssMb: m.peakRssMb,
    hwmMb: m.hwmMb,
  };
}
