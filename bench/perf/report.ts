// Ratios, targets and output: each row is compared with its floor (sign-in ↔ argon2) or baseline (our token
// endpoints ↔ the bare library), checked against the targets, printed as a table and written as JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clockTicksPerSecond } from './proc.js';
import type { RowResult } from './rows.js';
import { round } from './stats.js';

const RSS_LIMIT_MB = 250;

function atLeast(value: number, min: number, label: string) {
  return { text: label, met: value >= min };
}

/** The baseline row of a row, if any. */
function baselineOf(row: RowResult): string | undefined {
  if (row.row === 'sign-in') return 'argon2-floor';
  if (
    row.engine !== 'memory' &&
    ['discovery', 'jwks', 'client-credentials', 'refresh', 'introspection', 'userinfo'].includes(row.row)
  )
    return `bare:${row.row}`;
  return undefined;
}

/** The targets for a row (absolute ones, and those relative to its baseline). */
function targetsOf(row: RowResult, base: RowResult | undefined): Array<{ text: string; met: boolean }> {
  const rel = base ? row.perSecond / base.perSecond : NaN;
  switch (row.row) {
    case 'discovery':
    case 'jwks':
      return [atLeast(row.perSecond, 10_000, '≥ 10000/s')];
    case 'client-credentials':
      return [atLeast(row.perSecond, 1_000, '≥ 1000/s')];
    case 'introspection':
      return [atLeast(row.perSecond, 5_000, '≥ 5000/s')];
    case 'refresh':
      return [
        ...(base ? [atLeast(rel, 0.6, '≥ 0.6× bare')] : []),
        ...(row.engine === 'postgres' ? [atLeast(row.perSecond, 600, '≥ 600/s')] : []),
      ];
    case 'sign-in':
      return [
        ...(base ? [atLeast(rel, 0.85, '≥ 0.85× floor')] : []),
        { text: `RSS ≤ ${RSS_LIMIT_MB} MB`, met: row.peakRssMb <= RSS_LIMIT_MB },
      ];
    default:
      if (row.row.startsWith('sign-in@') && base) {
        return [
          { text: 'p50 within 10%', met: row.p50 <= base.p50 * 1.1 },
          { text: 'p99 within 10%', met: row.p99 <= base.p99 * 1.1 },
        ];
      }
      return [];
  }
}

/** The mean latency of the two small-table scale rows (before and after the large one), as a row to compare with. */
function scaleBaseline(rows: RowResult[]): RowResult | undefined {
  const small = rows.filter((r) => r.row === 'sign-in@10k' || r.row === 'sign-in@10k again');
  if (!small.length) return undefined;
  const mean = (f: (r: RowResult) => number) => small.reduce((a, r) => a + f(r), 0) / small.length;
  return {
    ...small[0]!,
    row: small.map((r) => r.row).join(' + '),
    p50: mean((r) => r.p50),
    p99: mean((r) => r.p99),
    perSecond: mean((r) => r.perSecond),
  };
}

/** Fills baseline, ratio and targets of every row (in place) and returns the rows. */
export function evaluate(rows: RowResult[]): RowResult[] {
  const scaleBase = scaleBaseline(rows);
  for (const row of rows) {
    const isLarge = row.row.startsWith('sign-in@') && !row.row.startsWith('sign-in@10k');
    const name = isLarge ? undefined : baselineOf(row);
    const base = isLarge ? scaleBase : name ? rows.find((r) => r.row === name) : undefined;
    if (base) {
      row.baseline = isLarge ? 'mean of sign-in@10k rows' : base.row;
      if (isLarge) {
        row.ratio = row.p50 / base.p50;
        row.ratioText = `p50 ${(row.p50 / base.p50).toFixed(2)}, p99 ${(row.p99 / base.p99).toFixed(2)}`;
      } else {
        row.ratio = row.perSecond / base.perSecond;
        row.ratioText = row.ratio.toFixed(2);
      }
    }
    row.targets = targetsOf(row, base);
  }
  return rows;
}

const COLUMNS = [
  'row',
  'engine',
  'req/s',
  'p50 ms',
  'p99 ms',
  'CPU ms/req',
  'DB CPU ms/req',
  'SQL/req',
  'peak RSS MB',
  'baseline/floor',
  'ratio',
  'target',
  'met?',
];

/** PostgreSQL's own CPU per request; with PGlite the database runs inside the server (its CPU is in the column before). */
function dbCell(r: RowResult): string {
  if (r.dbCpuMsPerUnit !== undefined) return r.dbCpuMsPerUnit.toFixed(2);
  return r.engine === 'pglite' ? 'in server' : '';
}

function cells(r: RowResult): string[] {
  const targets = r.targets ?? [];
  return [
    r.row,
    r.engine,
    r.perSecond >= 100 ? String(Math.round(r.perSecond)) : r.perSecond.toFixed(1),
    String(round(r.p50, 1)),
    String(round(r.p99, 1)),
    r.cpuMsPerUnit.toFixed(2),
    dbCell(r),
    r.sqlStatementsPerUnit !== undefined ? r.sqlStatementsPerUnit.toFixed(1) : '',
    String(Math.round(r.peakRssMb)),
    r.baseline ?? '',
    r.ratioText ?? '',
    targets.map((t) => t.text).join('; '),
    targets.length ? targets.map((t) => (t.met ? 'yes' : 'NO')).join('; ') : '',
  ];
}

/** The table (Markdown, so it can be pasted into docs/performance.md as is). */
export function table(rows: RowResult[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...body.map((b) => b[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.row}: ${r.note}`);
  return [
    line(COLUMNS),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...(notes.length ? ['', 'notes:', ...notes] : []),
  ].join('\n');
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    clockTicksPerSecond: clockTicksPerSecond(),
    uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
  };
}

/** Writes the figures as JSON (creating the folder); returns the path. */
export function writeJson(file: string, data: Record<string, unknown>): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
