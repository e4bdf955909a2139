// npm run bench: the performance figures of BHXH ID on this machine, in one run — discovery, JWKS, the token
// endpoint (client credentials, refresh with rotation), introspection, userinfo and the full password sign-in — each
// against the server as a child process on PGlite (default) or PostgreSQL (DATABASE_URL: a fresh database on that
// server, dropped afterwards); the same token-endpoint requests against a bare oidc-provider (the library's limit);
// and the argon2id floor of sign-ins. Prints a table with ratios and targets and writes the figures as JSON.
// docs/performance.md explains every row.
//
//   npm run bench -- [--short] [--only row,row] [--scale] [--json PATH] [--profile] [--compiled] [--server-flags F]
//                    [--no-baselines]      (npm run bench -- --help)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compileServer, ROOT } from './perf/child.js';
import { openEngine, type Engine } from './perf/engine.js';
import {
  memberPicker,
  prepareFixtures,
  removeMembers,
  seedMembers,
  type Fixtures,
  type MemberSet,
} from './perf/fixtures.js';
import { evaluate, machineInfo, table, writeJson } from './perf/report.js';
import { HTTP_ROWS, runHttpRow, type HttpRow } from './perf/http-rows.js';
import { runArgon2FloorRow, runSignInRow, type Durations, type RowResult } from './perf/rows.js';
import { waitForQuiet } from './perf/proc.js';
import {
  SERVER_LOG_LEVEL,
  SIGN_IN_CONCURRENCY,
  startBare,
  startBhxh,
  type ServerOptions,
  type Target,
} from './perf/targets.js';

const USAGE = `usage: npm run bench -- [options]
  --short            every row briefly (the whole run takes under 2 minutes)
  --only a,b         only these rows (their baselines are added): ${[...HTTP_ROWS, 'sign-in', 'argon2-floor'].join(', ')}, bare:<row>
  --scale            add the account-scale rows: sign-in with 10,000 accounts, 1,000,000 (100,000 with --short), and
                     10,000 again; the large table is compared with the mean of the two
  --json PATH        where to write the figures (default bench/results/<engine>-<timestamp>.json)
  --profile          write a V8 CPU profile of each child process to bench/results/profiles/<timestamp>/
                     (summarise one with: npx tsx bench/profile-summary.ts FILE --from SECONDS)
  --compiled         run the server compiled (tsc, as the Dockerfile does) instead of through tsx
  --server-flags F   extra Node flags for the server, e.g. "--max-semi-space-size=2" (MALLOC_ARENA_MAX passes through)
  --no-baselines     do not add the baseline rows of --only rows
Engine: PostgreSQL when DATABASE_URL is set (a fresh database is created on that server and dropped), else PGlite.`;

/** Members seeded for every run; the scale rows add more. */
const BASE_MEMBERS = 10_000;
/** argon2 verifications in flight for the floor: enough to keep libuv's 4 threads (and so every core) busy. */
const FLOOR_CONCURRENCY = Math.max(4, os.cpus().length * 2);

interface Options {
  short: boolean;
  rows: Set<string>;
  scale: boolean;
  json: string;
  server: ServerOptions;
  durations: Durations;
  scaleTotal: number;
}

const ALL_ROWS = [...HTTP_ROWS, 'sign-in', 'argon2-floor', ...HTTP_ROWS.map((r) => `bare:${r}`)];

function selectRows(only: string | undefined, baselines: boolean): Set<string> {
  if (!only) return new Set(ALL_ROWS);
  const asked = only
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = asked.filter((r) => !ALL_ROWS.includes(r));
  if (unknown.length) throw new Error(`unknown row(s): ${unknown.join(', ')}; rows: ${ALL_ROWS.join(', ')}`);
  const rows = new Set(asked);
  if (baselines) {
    for (const r of asked) {
      if ((HTTP_ROWS as readonly string[]).includes(r)) rows.add(`bare:${r}`);
      if (r === 'sign-in') rows.add('argon2-floor');
    }
  }
  return rows;
}

function parseOptions(engineHint: string): Options {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      only: { type: 'string' },
      scale: { type: 'boolean', default: false },
      json: { type: 'string' },
      profile: { type: 'boolean', default: false },
      compiled: { type: 'boolean', default: false },
      'server-flags': { type: 'string' },
      'no-baselines': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const short = Boolean(values.short);
  return {
    short,
    rows: selectRows(values.only, !values['no-baselines']),
    scale: Boolean(values.scale),
    json: path.resolve(values.json ?? path.join(ROOT, 'bench', 'results', `${engineHint}-${stamp}.json`)),
    server: {
      ...(values.profile ? { profileDir: path.join(ROOT, 'bench', 'results', 'profiles', stamp) } : {}),
      ...(values.compiled
        ? { compiledMain: (log('compiling the server (tsconfig.build.json)…'), compileServer()) }
        : {}),
      ...(values['server-flags'] ? { nodeFlags: values['server-flags'].split(/\s+/).filter(Boolean) } : {}),
    },
    durations: short
      ? { warmup: 1, http: 4, signIn: 6, floor: 5, attempts: 2, quietMs: 3_000 }
      : { warmup: 3, http: 15, signIn: 30, floor: 15, attempts: 3, quietMs: 120_000 },
    scaleTotal: short ? 100_000 : 1_000_000,
  };
}

const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

function describe(r: RowResult): string {
  return `${r.row} (${r.engine}): ${r.perSecond.toFixed(1)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.cpuMsPerUnit.toFixed(2)} CPU ms/${r.unit}${r.dbCpuMsPerUnit !== undefined ? ` (+${r.dbCpuMsPerUnit.toFixed(2)} PostgreSQL)` : ''}${r.sqlStatementsPerUnit !== undefined ? `, ${r.sqlStatementsPerUnit.toFixed(1)} SQL statements` : ''}, load generator ${r.loadGenCpuMsPerUnit?.toFixed(2) ?? '?'} ms, machine ${r.machineCpuMsPerUnit?.toFixed(2) ?? '?'} ms, RSS ${Math.round(r.peakRssMb)} MB${r.note ? ` — ${r.note}` : ''}`;
}

/** Runs `fn` with a target started for it, and always stops the target. */
async function withTarget(start: () => Promise<Target>, fn: (t: Target) => Promise<void>): Promise<void> {
  const target = await start();
  log(
    `${target.child.name} ready at ${target.base} (pid ${target.child.pid}, RSS ${Math.round(target.startRssMb)} MB before any load)`,
  );
  startRss[target.kind] = Math.max(startRss[target.kind] ?? 0, target.startRssMb);
  try {
    await fn(target);
  } finally {
    await target.stop();
  }
}

/** RSS of each kind of target once started, before any load (for the report: what the load adds). */
const startRss: Partial<Record<Target['kind'], number>> = {};

async function ourRows(opts: Options, engine: Engine, fixtures: Fixtures, rows: RowResult[]) {
  const http = HTTP_ROWS.filter((r) => opts.rows.has(r));
  if (!http.length && !opts.rows.has('sign-in') && !opts.rows.has('argon2-floor')) return;
  const picker = memberPicker([fixtures.members]);
  await withTarget(
    () => startBhxh(engine, fixtures.secrets, picker, opts.server),
    async (target) => {
      for (const row of http) rows.push(await measured(opts, () => runHttpRow(row, target, opts.durations)));
      // The floor just before the sign-ins it bounds (the idle server costs nothing): this machine's speed drifts.
      if (opts.rows.has('argon2-floor'))
        rows.push(
          await measured(opts, () => runArgon2FloorRow(opts.durations, FLOOR_CONCURRENCY, opts.server.profileDir)),
        );
      if (opts.rows.has('sign-in')) {
        rows.push(
          await measured(opts, () => runSignInRow('sign-in', target, picker, opts.durations, SIGN_IN_CONCURRENCY)),
        );
      }
    },
  );
}

async function bareRows(opts: Options, rows: RowResult[]) {
  const http = HTTP_ROWS.filter((r) => opts.rows.has(`bare:${r}`));
  if (!http.length) return;
  await withTarget(
    () => startBare(opts.server.profileDir),
    async (target) => {
      for (const row of http) rows.push(await measured(opts, () => runHttpRow(row as HttpRow, target, opts.durations)));
    },
  );
}

/**
 * The account-scale rows, each on a fresh server: sign-ins with 10,000 accounts, with scaleTotal (topped up with
 * `dev seed-accounts`), and with 10,000 again (the extra accounts removed), so the large table is compared with the
 * mean of measurements taken before and after it and a drift of this machine's speed cancels out.
 */
async function scaleRows(
  opts: Options,
  engine: Engine,
  fixtures: Fixtures,
  rows: RowResult[],
): Promise<Record<string, unknown>> {
  const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}m` : `${n / 1000}k`);
  const signInRow = async (sets: MemberSet[], name: string) =>
    withTarget(
      () => startBhxh(engine, fixtures.secrets, memberPicker(sets), opts.server),
      async (target) => {
        rows.push(
          await measured(opts, () =>
            runSignInRow(name, target, memberPicker(sets), opts.durations, SIGN_IN_CONCURRENCY),
          ),
        );
      },
    );
  const small = `sign-in@${label(fixtures.members.count)}`;
  await signInRow([fixtures.members], small);
  const more: MemberSet = {
    prefix: '91',
    count: opts.scaleTotal - fixtures.members.count,
    password: fixtures.members.password,
  };
  log(`seeding ${more.count} more accounts with bhxh-id dev seed-accounts (set-based SQL)…`);
  const seeded = await seedMembers(engine.env, more);
  log(`seeded ${seeded.created} accounts in ${(seeded.ms / 1000).toFixed(1)} s`);
  await engine.settle();
  await signInRow([fixtures.members, more], `sign-in@${label(opts.scaleTotal)}`);
  log(`removing the ${more.count} extra accounts to measure ${fixtures.members.count} again…`);
  const removed = await removeMembers(engine.env, more);
  log(`removed ${removed} accounts`);
  await engine.settle();
  await signInRow([fixtures.members], `${small} again`);
  return { accounts: opts.scaleTotal, seededAccounts: seeded.created, seedMs: seeded.ms };
}

/** Runs a row once the machine is quiet, and logs its figures. */
async function measured(opts: Options, run: () => Promise<RowResult>): Promise<RowResult> {
  const quiet = await waitForQuiet(opts.durations.quietMs);
  if (quiet.waitedMs > 1500)
    log(
      `waited ${(quiet.waitedMs / 1000).toFixed(1)} s for a quiet machine (${Math.round(quiet.busy * 100)}% busy at the end)`,
    );
  const row = await run();
  log(describe(row));
  if (opts.server.profileDir && row.window)
    log(`  its window in the profile: --from ${row.window.from} --to ${row.window.to}`);
  return row;
}

async function main() {
  const engineHint = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  const opts = parseOptions(engineHint);
  const started = Date.now();
  const engine = await openEngine(process.env.DATABASE_URL);
  const stopOnSignal = () => void engine.dispose().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  const rows: RowResult[] = [];
  let scale: Record<string, unknown> | undefined;
  let seedMs = 0;
  try {
    log(
      `${opts.short ? 'short' : 'full'} run on ${engine.description}; server LOG_LEVEL=${SERVER_LOG_LEVEL}; ${os.cpus().length} CPUs`,
    );
    const t0 = Date.now();
    const fixtures = await prepareFixtures(engine.env, BASE_MEMBERS);
    seedMs = Date.now() - t0;
    log(`fixtures ready in ${(seedMs / 1000).toFixed(1)} s: 3 clients, ${BASE_MEMBERS} members`);
    await ourRows(opts, engine, fixtures, rows);
    await bareRows(opts, rows);
    if (opts.scale) scale = await scaleRows(opts, engine, fixtures, rows);
  } finally {
    process.off('SIGINT', stopOnSignal);
    await engine.dispose();
  }
  evaluate(rows);
  const elapsed = (Date.now() - started) / 1000;
  const how = opts.server.compiledMain ? 'compiled server' : 'server through tsx';
  console.log(
    `\nBHXH ID benchmark — ${engine.kind}, ${opts.short ? 'short' : 'full'} mode, ${how}, ${elapsed.toFixed(0)} s, ${os.cpus().length} CPUs, Node ${process.version}\n`,
  );
  console.log(table(rows));
  const file = writeJson(opts.json, {
    startedAt: new Date(started).toISOString(),
    seconds: elapsed,
    mode: opts.short ? 'short' : 'full',
    engine: engine.kind,
    engineDescription: engine.description,
    machine: machineInfo(),
    server: {
      run: opts.server.compiledMain
        ? 'node bench/results/build/src/main.js (compiled with tsconfig.build.json)'
        : 'node --import tsx src/main.ts',
      nodeFlags: opts.server.nodeFlags ?? [],
      mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
      logLevel: SERVER_LOG_LEVEL,
      signInConcurrency: SIGN_IN_CONCURRENCY,
      floorConcurrency: FLOOR_CONCURRENCY,
      argon2: { memoryKiB: 19456, timeCost: 2, parallelism: 1 },
      rssBeforeLoadMb: startRss,
    },
    durations: opts.durations,
    fixturesMs: seedMs,
    ...(scale ? { scale } : {}),
    ...(opts.server.profileDir && fs.existsSync(opts.server.profileDir) ? { profiles: opts.server.profileDir } : {}),
    rows,
  });
  console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
