// npm run faults [-- --short]
// Faults under load, on loopback only and bounded in time (full < 5 min, --short < 90 s). Starts its own throwaway
// PostgreSQL (initdb in a temporary folder, a free port on 127.0.0.1), an SMTP peer and a 3-node cluster behind the
// round-robin balancer (bench/cluster-lib.ts). Then, while loops of full sign-ins + refreshes run through the
// balancer:
//   1. kill -9 one node: errors, flows in progress elsewhere, everything committed before still valid, the node
//      restarted and serving again;
//   2. restart PostgreSQL (stop -m fast, a few seconds down, start): failed requests must fail fast (503, not hang),
//      and service must come back by itself within 10 s of the database;
//   3. SMTP down (60 s; 10 s with --short) while members ask for password-reset codes: afterwards every message
//      arrives exactly once.
// Prints a summary table and writes the figures to bench/results/faults-<timestamp>.json. Exits 1 if a check fails.
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { SMTPServer } from 'smtp-server';
import { createAccountRepository } from '../src/accounts/account-repository.js';
import { createClientRepository } from '../src/clients/client-repository.js';
import { demoClients } from '../src/dev/seed-demo.js';
import { createSealer } from '../src/keys/sealer.js';
import { createPasswordHasher } from '../src/methods/password/hasher.js';
import { Browser } from '../test/helpers/browser.js';
import { authorizationRequest, discover, oidc, redeem, signInOnPage } from '../test/helpers/oidc.js';
import { requestCode } from '../test/helpers/recovery.js';
import { freePort, startCluster, type Cluster } from './cluster-lib.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHORT = process.argv.includes('--short');
const REDIRECT_URI = 'http://127.0.0.1/callback';

const PLAN = SHORT
  ? {
      budgetMs: 88_000,
      loops: 6,
      warmupS: 5,
      killDownS: 3,
      settleS: 3,
      pgDownS: 3,
      pgObserveMaxS: 15,
      smtpDownS: 10,
      deliveryWaitS: 25,
      resetLoops: 2,
      resetMembers: 150,
    }
  : {
      budgetMs: 295_000,
      loops: 6,
      warmupS: 15,
      killDownS: 10,
      settleS: 10,
      pgDownS: 5,
      pgObserveMaxS: 25,
      smtpDownS: 60,
      deliveryWaitS: 60,
      resetLoops: 2,
      resetMembers: 700,
    };

// ---------------------------------------------------------------------------------------------------------------
// Time, records, statistics

const T0 = performance.now();
/** Milliseconds since the start of the run. */
const now = () => performance.now() - T0;
const sec = (ms: number) => Math.round(ms / 10) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Req {
  t0: number;
  t1: number;
  method: string;
  path: string;
  /** 0: no HTTP answer (connection error or the 30 s client timeout). */
  status: number;
  node: string | null;
  /** Nodes that failed this request before the balancer replayed it elsewhere (X-Retried-From). */
  retriedFrom?: string;
  flow?: number;
}
interface Flow {
  id: number;
  loop: number;
  start: number;
  end?: number;
  ok?: boolean;
  firstNode?: string | null;
  error?: string;
}
const requests: Req[] = [];
const flows: Flow[] = [];
const events: Array<{ t: number; what: string }> = [];
const event = (what: string) => {
  events.push({ t: now(), what });
  console.log(`  [${sec(now()).toFixed(2).padStart(6)} s] ${what}`);
};
const flowContext = new AsyncLocalStorage<Flow>();

function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const failed = (r: Req) => r.status === 0 || r.status >= 500;
/** Requests that need the database (discovery and JWKS do not). */
const needsDb = (r: Req) => !r.path.startsWith('/.well-known') && r.path !== '/jwks' && r.path !== '/healthz';

function statusCounts(rs: Req[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs)
    out[r.status === 0 ? 'no answer' : String(r.status)] =
      (out[r.status === 0 ? 'no answer' : String(r.status)] ?? 0) + 1;
  return out;
}

/** Why flows failed, grouped (ids and ports blanked out). */
function flowFailures(fs: Flow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fs.filter((x) => x.ok === false)) {
    const reason = (f.error ?? '?')
      .replace(/\?\S*/g, '')
      .replace(/http:\/\/127\.0\.0\.1:\d+/g, '')
      .replace(/\/(auth|interaction)\/[\w-]+/g, '/$1/:uid');
    out[reason] = (out[reason] ?? 0) + 1;
  }
  return out;
}

function latencySummary(rs: Req[]) {
  const ms = rs.map((r) => r.t1 - r.t0);
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    count: rs.length,
    p50: round(percentile(ms, 50)),
    p95: round(percentile(ms, 95)),
    p99: round(percentile(ms, 99)),
    max: round(ms.length ? Math.max(...ms) : null),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The throwaway PostgreSQL

async function startPostgres() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length)
    throw new Error('initdb not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const bin = path.join(base, versions[0]!, 'bin');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-faults-pg-'));
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  const log = path.join(dir, 'postgres.log');
  fs.mkdirSync(sock);
  fs.chmodSync(dir, 0o700);
  // initdb and pg_ctl refuse to run as root: as CI does (.ci/run), run them as the postgres OS user.
  const root = process.getuid?.() === 0;
  if (root) await run('chown', ['-R', 'postgres:postgres', dir]);
  const asPg = (cmd: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { cwd: dir })
      : run(path.join(bin, cmd), args, { cwd: dir });
  await asPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale']);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${sock} -c fsync=off -c max_connections=200`;
  const start = () => asPg('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', 'start', '-o', opts]);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}`;
  return {
    url,
    port,
    start,
    stop: (mode: 'fast' | 'immediate' = 'fast') => asPg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']),
    async destroy() {
      await asPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The SMTP peer: counts messages per recipient with their arrival time; can go down and come back on its port.

async function startSmtpPeer() {
  const received: Array<{ to: string[]; at: number }> = [];
  const sockets = new Set<net.Socket>();
  let server: SMTPServer | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, session, callback) {
          stream.on('data', () => {});
          stream.on('end', () => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), at: now() });
            callback();
          });
        },
      });
      server.server.on('connection', (s: net.Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server!.server.address() as net.AddressInfo).port));
    });
  const port = await listen(0);
  let listening = true;
  const stop = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  const start = async () => {
    if (listening) return;
    await listen(port);
    listening = true;
  };
  return { url: `smtp://127.0.0.1:${port}`, received, stop, start };
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/** Every request through the balancer is recorded (and bounded: 30 s). */
function instrumentFetch(lbOrigin: string) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== lbOrigin) return realFetch(input, init);
    const rec: Req = {
      t0: now(),
      t1: 0,
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      path: url.pathname,
      status: 0,
      node: null,
    };
    const flow = flowContext.getStore();
    if (flow) rec.flow = flow.id;
    requests.push(rec);
    try {
      const res = await realFetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) });
      rec.t1 = now();
      rec.status = res.status;
      rec.node = res.headers.get('x-served-by');
      const retriedFrom = res.headers.get('x-retried-from');
      if (retriedFrom) rec.retriedFrom = retriedFrom;
      // The balancer's own 502 names the node that failed: a request that was in flight there.
      if (res.status === 502 && !rec.node)
        rec.node =
          (
            (await res
              .clone()
              .json()
              .catch(() => ({}))) as { node?: string }
          ).node ?? null;
      if (flow && flow.firstNode === undefined) flow.firstNode = rec.node;
      return res;
    } catch (err) {
      rec.t1 = now();
      throw err;
    }
  };
  return () => void (globalThis.fetch = realFetch);
}

interface Vaulted {
  token: string;
  at: number;
  used?: boolean;
}

function startLoad(lb: string, config: oidc.Configuration, members: Array<{ bhxhNumber: string; password: string }>) {
  let running = true;
  const vault: Vaulted[] = [];
  let nextFlow = 0;
  const loop = async (i: number) => {
    const member = members[i]!;
    while (running) {
      const flow: Flow = { id: nextFlow++, loop: i, start: now() };
      flows.push(flow);
      await flowContext.run(flow, async () => {
        try {
          const browser = new Browser(lb);
          const request = await authorizationRequest(config, {
            redirect_uri: REDIRECT_URI,
            scope: 'openid offline_access',
            prompt: 'consent',
          });
          const end = await signInOnPage(browser, request, member.bhxhNumber, member.password);
          if (!end.url.startsWith(REDIRECT_URI)) throw new Error(`sign-in ended on ${end.status} ${end.url}`);
          const tokens = await redeem(config, request, end.url);
          const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
          // Committed: this rotated token is kept untouched, to be redeemed after the faults.
          vault.push({ token: refreshed.refresh_token!, at: now() });
          flow.ok = true;
        } catch (err) {
          flow.ok = false;
          flow.error = ((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 160);
        }
        flow.end = now();
      });
      if (!flow.ok) await sleep(200); // a failing dependency is not hammered in a tight loop
    }
  };
  const done = Promise.all(members.map((_, i) => loop(i)));
  return {
    vault,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Redeems committed refresh tokens minted before `before` (each once): how many still work. */
async function verifyCommitted(config: oidc.Configuration, vault: Vaulted[], before: number, max = 40) {
  const candidates = vault.filter((v) => v.at < before && !v.used).slice(-max);
  let valid = 0;
  const failures: string[] = [];
  for (const v of candidates) {
    v.used = true;
    try {
      await oidc.refreshTokenGrant(config, v.token);
      valid += 1;
    } catch (err) {
      failures.push(((err as Error).message ?? String(err)).slice(0, 120));
    }
  }
  return { checked: candidates.length, valid, lost: candidates.length - valid, failures: failures.slice(0, 5) };
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  console.log(`faults bench (${SHORT ? 'short' : 'full'}): loopback only, at most ${PLAN.budgetMs / 1000} s`);
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    while (cleanups.length) await cleanups.pop()!().catch((err) => console.error(`cleanup: ${(err as Error).message}`));
  };
  let aborted = false;
  const budget = setTimeout(() => {
    aborted = true;
    console.error(`error: the run exceeded its ${PLAN.budgetMs / 1000} s budget; stopping`);
    void cleanup().finally(() => process.exit(1));
  }, PLAN.budgetMs);
  budget.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // --- Setup ------------------------------------------------------------------------------------------------
    const pg = await startPostgres();
    cleanups.push(() => pg.destroy());
    const admin = knexFactory({ client: 'pg', connection: `${pg.url}/postgres`, pool: { min: 0, max: 1 } });
    await admin.raw('create database bhxh');
    await admin.destroy();
    const databaseUrl = `${pg.url}/bhxh`;
    event(`PostgreSQL (throwaway) on 127.0.0.1:${pg.port}`);

    const smtp = await startSmtpPeer();
    cleanups.push(() => smtp.stop());

    const key = crypto.randomBytes(32);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-faults-data-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const cluster: Cluster = await startCluster({
      nodes: 3,
      databaseUrl,
      env: {
        NODE_ENV: 'test',
        KEYS_ENCRYPTION_KEY: key.toString('base64'),
        DATA_DIR: dataDir,
        SMTP_URL: smtp.url,
        SMTP_REQUIRE_TLS: 'false',
        SMTP_TIMEOUT_MS: '2000',
        MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
        OUTBOX_POLL_MS: '200',
        OUTBOX_BACKOFF_BASE_SECONDS: '1',
        OUTBOX_BACKOFF_MAX_SECONDS: '5',
        // With a 5 s backoff cap, the default 10 attempts would cover only ~40 s of outage; production's defaults
        // (30 s doubling to an hour) cover about 3 hours. Enough attempts here to cover the SMTP outage of the run.
        OUTBOX_MAX_ATTEMPTS: '60',
        CAPTCHA_MAX_NUMBER: '1000',
        LOGIN_DELAY_BASE_MS: '0',
        // Every request comes from 127.0.0.1: per-address limits would measure themselves, not the faults.
        LOGIN_IP_MAX_FAILURES_PER_HOUR: '1000000',
        RECOVERY_CODES_PER_IP_PER_HOUR: '1000000',
        LOG_LEVEL: 'error',
      },
    });
    cleanups.push(() => cluster.close());
    event(`cluster: balancer ${cluster.url}, ${cluster.nodes.map((n) => `${n.name}:${n.port}`).join(' ')}`);

    // Members and the client, straight into the database.
    const db: Knex = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 2 } });
    cleanups.push(() => db.destroy());
    await createClientRepository(db, createSealer(key)).create(demoClients('')[0]!.metadata, { firstParty: true });
    const password = `pw-${crypto.randomBytes(9).toString('base64url')}`;
    const passwordHash = await createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 }).hash(password);
    const accounts = createAccountRepository(db);
    const runId = crypto.randomInt(10_000, 99_999);
    const loadMembers = [];
    for (let i = 0; i < PLAN.loops; i++) {
      const bhxhNumber = `${runId}${String(i).padStart(5, '0')}`;
      await accounts.create({ bhxhNumber, fullName: 'Nguyễn Văn Tải', birthdate: '1990-01-01', passwordHash });
      loadMembers.push({ bhxhNumber, password });
    }
    const resetMembers: Array<{ bhxhNumber: string; email: string }> = [];
    for (let i = 0; i < PLAN.resetMembers; i++) {
      const bhxhNumber = `${runId}${String(50_000 + i).padStart(5, '0')}`;
      const email = `reset-${i}@faults.example.vn`;
      await accounts.create({
        bhxhNumber,
        fullName: 'Trần Thị Thư',
        birthdate: '1990-01-01',
        email,
        emailVerified: true,
        passwordHash,
      });
      resetMembers.push({ bhxhNumber, email });
    }

    const restoreFetch = instrumentFetch(cluster.url);
    cleanups.push(async () => restoreFetch());
    const config = await discover(cluster.url, 'vssid');

    // Node up/down as the balancer sees it.
    const seen = new Map(cluster.nodes.map((n) => [n.name, n.up]));
    const monitor = setInterval(() => {
      for (const n of cluster.nodes) {
        if (seen.get(n.name) !== n.up) {
          seen.set(n.name, n.up);
          event(`balancer: ${n.name} ${n.up ? 'up' : 'down'}`);
        }
      }
    }, 50);
    monitor.unref();
    cleanups.push(async () => clearInterval(monitor));

    // --- Load ---------------------------------------------------------------------------------------------------
    event(`load: ${PLAN.loops} loops of sign-in (offline_access) + refresh`);
    const load = startLoad(cluster.url, config, loadMembers);
    cleanups.push(() => load.stop());
    await sleep(PLAN.warmupS * 1000);
    const warm = requests.filter((r) => r.t1 > 0);
    const baseline = {
      ...latencySummary(warm.filter((r) => !failed(r))),
      errors: warm.filter(failed).length,
      flowsPerSecond: Math.round((flows.filter((f) => f.ok).length / PLAN.warmupS) * 10) / 10,
    };
    event(
      `warm: ${baseline.flowsPerSecond} flows/s, p50 ${baseline.p50} ms, p95 ${baseline.p95} ms, ${baseline.errors} errors`,
    );

    // --- Phase 1: kill -9 a node ----------------------------------------------------------------------------------
    const victim = cluster.nodes[2]!;
    const statsBefore = cluster.stats();
    const tKill = now();
    victim.kill('SIGKILL');
    event(`kill -9 ${victim.name} (pid ${victim.pid})`);
    await sleep(PLAN.killDownS * 1000);
    const tRestart = now();
    event(`restart ${victim.name}`);
    await victim.restart();
    const tListening = now();
    event(`${victim.name} listening again (pid ${victim.pid})`);
    let tServes: number | undefined;
    while (now() - tListening < 30_000) {
      tServes = requests.find((r) => r.t0 >= tListening && r.node === victim.name)?.t1;
      if (tServes !== undefined) break;
      await sleep(50);
    }
    if (tServes !== undefined) event(`${victim.name} serves through the balancer`);
    await sleep(PLAN.settleS * 1000);
    const tKillEnd = now();
    const statsAfter = cluster.stats();
    // Requests answered from the kill on (including those in flight at the kill), until the phase ends.
    const killWindow = requests.filter((r) => r.t1 >= tKill && r.t0 < tKillEnd);
    const inProgress = flows.filter((f) => f.start < tKill && (f.end === undefined || f.end > tKill));
    // A flow whose request was in flight on the killed node loses that request with the process (the balancer only
    // replays idempotent ones): the member retries. Every other flow in progress must complete.
    const hitByKill = (f: Flow) =>
      requests.some(
        (r) =>
          r.flow === f.id &&
          r.t0 <= tKill + 50 &&
          ((failed(r) && (r.node === victim.name || r.status === 0)) || Boolean(r.retriedFrom?.includes(victim.name))),
      );
    const hit = inProgress.filter(hitByKill);
    const elsewhere = inProgress.filter((f) => !hitByKill(f));
    const committedKill = await verifyCommitted(config, load.vault, tKill);
    const kill = {
      node: victim.name,
      errors: killWindow.filter(failed).length,
      requests: killWindow.length,
      errorStatuses: statusCounts(killWindow.filter(failed)),
      balancerRetries: statsAfter.retries - statsBefore.retries,
      balancer502: statsAfter.badGateway - statsBefore.badGateway,
      flowsInProgressAtKill: inProgress.length,
      /** In progress, with no request in flight on the killed node at the kill: these must complete. */
      flowsElsewhere: elsewhere.length,
      flowsElsewhereCompleted: elsewhere.filter((f) => f.ok).length,
      flowsElsewhereFailed: elsewhere.filter((f) => f.ok === false).map((f) => f.error),
      /** …of which begun on the killed node (their next steps went to the others). */
      flowsElsewhereBegunOnKilledNode: elsewhere.filter((f) => f.firstNode === victim.name).length,
      /** In progress with a request in flight on the killed node at the kill (lost with it unless replayed). */
      flowsInFlightOnKilledNode: hit.length,
      flowsInFlightOnKilledNodeCompleted: hit.filter((f) => f.ok).length,
      committedBeforeKill: committedKill,
      flowFailures: flowFailures(flows.filter((f) => f.end !== undefined && f.end >= tKill && f.start < tKillEnd)),
      secondsKillToRestart: sec(tRestart - tKill),
      secondsRestartToListening: sec(tListening - tRestart),
      secondsRestartToServing: tServes === undefined ? null : sec(tServes - tRestart),
    };
    event(
      `kill phase: ${kill.errors} errors of ${kill.requests} requests, ${kill.balancerRetries} retried by the balancer; committed tokens valid ${committedKill.valid}/${committedKill.checked}`,
    );

    // --- Phase 2: restart PostgreSQL ------------------------------------------------------------------------------
    const tStop = now();
    event('PostgreSQL: stop -m fast');
    await pg.stop('fast');
    const tStopped = now();
    event(`PostgreSQL stopped; down for ${PLAN.pgDownS} s`);
    await sleep(PLAN.pgDownS * 1000);
    event('PostgreSQL: start');
    await pg.start();
    const tBack = now();
    event('PostgreSQL accepting connections');
    let tFirstFlow: number | undefined;
    while (now() - tBack < PLAN.pgObserveMaxS * 1000) {
      tFirstFlow = flows.find((f) => f.start >= tBack && f.ok)?.end;
      if (tFirstFlow !== undefined) break;
      await sleep(100);
    }
    await sleep(3000); // watch a little longer: a full recovery means no more failures
    const tPgEnd = now();
    const outage = requests.filter((r) => r.t1 >= tStop && r.t0 < tPgEnd);
    const outageFailed = outage.filter(failed);
    const afterBack = requests.filter((r) => r.t0 >= tBack && r.t1 > 0);
    const firstOk = afterBack.filter((r) => !failed(r) && needsDb(r)).sort((a, b) => a.t1 - b.t1)[0];
    const lastFail = afterBack.filter(failed).sort((a, b) => b.t1 - a.t1)[0];
    const committedPg = await verifyCommitted(config, load.vault, tStop);
    const postgres = {
      secondsToStop: sec(tStopped - tStop),
      secondsDown: sec(tBack - tStopped),
      failedRequests: outageFailed.length,
      failedStatuses: statusCounts(outageFailed),
      failedLatencyMs: latencySummary(outageFailed),
      /** Requests of the outage that took over 6 s (a hang): expect 0. */
      slowOver6s: outage.filter((r) => r.t1 - r.t0 > 6000).length,
      secondsBackToFirstSuccess: firstOk ? sec(firstOk.t1 - tBack) : null,
      secondsBackToFirstCompleteFlow: tFirstFlow === undefined ? null : sec(tFirstFlow - tBack),
      /** From the database being back to the end of the last failed request (0: none failed after it was back). */
      secondsBackToFullRecovery: lastFail ? Math.max(0, sec(lastFail.t1 - tBack)) : 0,
      committedBeforeRestart: committedPg,
      flowFailures: flowFailures(flows.filter((f) => f.end !== undefined && f.end >= tStop && f.start < tPgEnd)),
    };
    event(
      `PostgreSQL phase: ${postgres.failedRequests} failed (${JSON.stringify(postgres.failedStatuses)}), max ${postgres.failedLatencyMs.max} ms; first success ${postgres.secondsBackToFirstSuccess} s, full recovery ${postgres.secondsBackToFullRecovery} s after the database`,
    );

    // --- Phase 3: SMTP down while members ask for reset codes --------------------------------------------------------
    const tSmtpDown = now();
    await smtp.stop();
    event(`SMTP down for ${PLAN.smtpDownS} s; members ask for password-reset codes`);
    const queued: Array<{ email: string; at: number }> = [];
    const resetErrors: string[] = [];
    let nextReset = 0;
    const resetLoop = async () => {
      while (now() - tSmtpDown < PLAN.smtpDownS * 1000 && nextReset < resetMembers.length) {
        const m = resetMembers[nextReset++]!;
        try {
          const browser = new Browser(cluster.url);
          const addressPage = await browser.get('/recovery');
          const codePage = await requestCode(browser, cluster.url, addressPage, m.bhxhNumber, m.email);
          if (codePage.status !== 200 || !codePage.html.includes('name="code"'))
            throw new Error(`code page: ${codePage.status}`);
          queued.push({ email: m.email, at: now() });
        } catch (err) {
          resetErrors.push((err as Error).message.slice(0, 120));
        }
        await sleep(200); // about 5 requests a second per loop: members, not a flood
      }
    };
    await Promise.all(Array.from({ length: PLAN.resetLoops }, resetLoop));
    const remaining = PLAN.smtpDownS * 1000 - (now() - tSmtpDown);
    if (remaining > 0) await sleep(remaining);
    const deliveredWhileDown = smtp.received.length;
    await smtp.start();
    const tSmtpUp = now();
    event(`SMTP back (${queued.length} codes queued while it was down)`);
    const expected = new Set(queued.map((q) => q.email));
    const arrived = () => new Set(smtp.received.flatMap((m) => m.to).filter((to) => expected.has(to)));
    while (arrived().size < expected.size && now() - tSmtpUp < PLAN.deliveryWaitS * 1000) await sleep(100);
    const tAllDelivered = arrived().size === expected.size ? now() : undefined;
    await sleep(3000); // a duplicate would show up now
    const perRecipient = new Map<string, number[]>();
    for (const m of smtp.received) for (const to of m.to) perRecipient.set(to, [...(perRecipient.get(to) ?? []), m.at]);
    const delays = queued.filter((q) => perRecipient.has(q.email)).map((q) => perRecipient.get(q.email)![0]! - q.at);
    const outbox = (
      await db('outbox')
        .select('status')
        .count<Array<{ status: string; count: string }>>('* as count')
        .groupBy('status')
    ).map((r) => ({ status: r.status, count: Number(r.count) }));
    const maxAttempts = (await db('outbox').max<Array<{ max: number }>>('attempts as max'))[0]?.max ?? 0;
    const smtpPhase = {
      secondsDown: sec(tSmtpUp - tSmtpDown),
      codeRequests: queued.length + resetErrors.length,
      queued: queued.length,
      requestErrors: resetErrors.length,
      requestErrorSamples: resetErrors.slice(0, 3),
      deliveredWhileDown,
      delivered: [...expected].filter((e) => perRecipient.has(e)).length,
      duplicates: [...expected].reduce((n, e) => n + Math.max(0, (perRecipient.get(e)?.length ?? 0) - 1), 0),
      lost: [...expected].filter((e) => !perRecipient.has(e)).length,
      unexpected: [...perRecipient.keys()].filter((e) => !expected.has(e)).length,
      secondsSmtpBackToAllDelivered: tAllDelivered === undefined ? null : sec(tAllDelivered - tSmtpUp),
      deliveryDelaySeconds: {
        p50: delays.length ? sec(percentile(delays, 50)!) : null,
        max: delays.length ? sec(Math.max(...delays)) : null,
      },
      outbox,
      outboxMaxAttempts: Number(maxAttempts),
      loadErrorsDuringOutage: requests.filter((r) => r.t0 >= tSmtpDown && r.t0 < tSmtpUp && r.t1 > 0 && failed(r))
        .length,
    };
    event(
      `SMTP phase: queued ${smtpPhase.queued}, delivered ${smtpPhase.delivered}, duplicates ${smtpPhase.duplicates}, lost ${smtpPhase.lost}`,
    );

    await load.stop();
    const tEnd = now();

    // --- Report -------------------------------------------------------------------------------------------------
    const series: Array<{ s: number; ok: number; errors: number }> = [];
    for (let s = 0; s <= Math.floor(tEnd / 1000); s++) series.push({ s, ok: 0, errors: 0 });
    for (const r of requests)
      if (r.t1 > 0) series[Math.min(series.length - 1, Math.floor(r.t1 / 1000))]![failed(r) ? 'errors' : 'ok'] += 1;
    const done = requests.filter((r) => r.t1 > 0);
    const checks = [
      {
        check: 'kill -9: flows in progress elsewhere completed',
        ok: kill.flowsElsewhereCompleted === kill.flowsElsewhere && kill.flowsElsewhere > 0,
        value: `${kill.flowsElsewhereCompleted}/${kill.flowsElsewhere}`,
      },
      {
        check: 'kill -9: committed refresh tokens still valid',
        ok: committedKill.lost === 0 && committedKill.checked > 0,
        value: `${committedKill.valid}/${committedKill.checked}`,
      },
      {
        check: 'kill -9: restarted node serves again',
        ok: kill.secondsRestartToServing !== null,
        value: `${kill.secondsRestartToServing} s after restart`,
      },
      {
        check: 'PostgreSQL: failed requests answered 503',
        ok: Object.keys(postgres.failedStatuses).every((s) => s === '503'),
        value: JSON.stringify(postgres.failedStatuses),
      },
      {
        check: 'PostgreSQL: no request over 6 s (fail fast)',
        ok: postgres.slowOver6s === 0,
        value: `max ${postgres.failedLatencyMs.max} ms`,
      },
      {
        check: 'PostgreSQL: full recovery ≤ 10 s after it returned',
        ok: postgres.secondsBackToFullRecovery <= 10 && postgres.secondsBackToFirstCompleteFlow !== null,
        value: `${postgres.secondsBackToFullRecovery} s`,
      },
      {
        check: 'PostgreSQL: committed refresh tokens still valid',
        ok: committedPg.lost === 0 && committedPg.checked > 0,
        value: `${committedPg.valid}/${committedPg.checked}`,
      },
      {
        check: 'SMTP: every message delivered exactly once',
        ok: smtpPhase.lost === 0 && smtpPhase.duplicates === 0 && smtpPhase.queued > 0,
        value: `${smtpPhase.delivered}/${smtpPhase.queued}, ${smtpPhase.duplicates} duplicates`,
      },
    ];
    const result = {
      mode: SHORT ? 'short' : 'full',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
      plan: PLAN,
      totals: {
        seconds: sec(tEnd),
        requests: done.length,
        errors: done.filter(failed).length,
        flows: flows.length,
        flowsOk: flows.filter((f) => f.ok).length,
        latencyOkMs: latencySummary(done.filter((r) => !failed(r))),
      },
      baseline,
      kill,
      postgres,
      smtp: smtpPhase,
      balancer: cluster.stats(),
      checks,
      events: events.map((e) => ({ s: sec(e.t), what: e.what })),
      series,
    };

    const rows: Array<[string, string]> = [
      [
        'steady load (warm)',
        `${baseline.flowsPerSecond} flows/s (sign-in + refresh), request p50 ${baseline.p50} ms, p95 ${baseline.p95} ms`,
      ],
      [
        'kill -9: errors',
        `${kill.errors} of ${kill.requests} requests (${JSON.stringify(kill.errorStatuses)}); balancer retried ${kill.balancerRetries}, 502 ${kill.balancer502}; flows failed ${Object.values(kill.flowFailures).reduce((a, b) => a + b, 0)}`,
      ],
      [
        'kill -9: flows in progress',
        `${kill.flowsInProgressAtKill}: ${kill.flowsElsewhereCompleted}/${kill.flowsElsewhere} without a request on ${victim.name} at the kill completed (${kill.flowsElsewhereBegunOnKilledNode} had begun there); ${kill.flowsInFlightOnKilledNode} with a request in flight on ${victim.name} (${kill.flowsInFlightOnKilledNodeCompleted} completed after a replay)`,
      ],
      ['kill -9: committed before', `${committedKill.valid}/${committedKill.checked} refresh tokens still valid`],
      [
        'kill -9: restart',
        `listening ${kill.secondsRestartToListening} s, serving ${kill.secondsRestartToServing} s after restart`,
      ],
      ['PostgreSQL: outage', `stop ${postgres.secondsToStop} s + down ${postgres.secondsDown} s`],
      [
        'PostgreSQL: failed requests',
        `${postgres.failedRequests} (${JSON.stringify(postgres.failedStatuses)}), latency p50 ${postgres.failedLatencyMs.p50} ms, max ${postgres.failedLatencyMs.max} ms; over 6 s: ${postgres.slowOver6s}; flows failed ${Object.values(postgres.flowFailures).reduce((a, b) => a + b, 0)}`,
      ],
      [
        'PostgreSQL: recovery',
        `first success ${postgres.secondsBackToFirstSuccess} s, first full flow ${postgres.secondsBackToFirstCompleteFlow} s, full ${postgres.secondsBackToFullRecovery} s after it returned`,
      ],
      ['PostgreSQL: committed before', `${committedPg.valid}/${committedPg.checked} refresh tokens still valid`],
      [
        'SMTP down',
        `${smtpPhase.secondsDown} s; ${smtpPhase.queued} codes queued (${smtpPhase.requestErrors} request errors), ${smtpPhase.deliveredWhileDown} delivered while down`,
      ],
      [
        'SMTP: delivery',
        `${smtpPhase.delivered} delivered, ${smtpPhase.duplicates} duplicates, ${smtpPhase.lost} lost; all in ${smtpPhase.secondsSmtpBackToAllDelivered} s after SMTP returned (delay p50 ${smtpPhase.deliveryDelaySeconds.p50} s, max ${smtpPhase.deliveryDelaySeconds.max} s)`,
      ],
      [
        'whole run',
        `${result.totals.seconds} s, ${result.totals.requests} requests, ${result.totals.errors} errors, ${result.totals.flowsOk}/${result.totals.flows} flows completed`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('\nSummary');
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    console.log('\nChecks');
    for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.check}: ${c.value}`);

    const outDir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nfigures: ${path.relative(process.cwd(), file)}`);

    await cleanup();
    clearTimeout(budget);
    if (!aborted) process.exit(checks.every((c) => c.ok) ? 0 : 1);
  } catch (err) {
    console.error(`error: ${(err as Error).stack ?? err}`);
    await cleanup();
    process.exit(1);
  }
}

void main();
