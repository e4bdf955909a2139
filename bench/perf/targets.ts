// The processes rows run against: the BHXH ID server (src/main.ts) on the run's database, the bare oidc-provider
// (bench/bare-provider.ts), and the argon2 floor (bench/argon2-floor.ts). Each is a child process; a Target gives
// a row its base URL, the child's pid (for /proc) and a way to obtain real tokens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, ROOT, spawnChild, waitUntilReady, type Child } from './child.js';
import type { Engine } from './engine.js';
import { ARGON2_ENV } from './fixtures.js';
import { send } from './http.js';
import { statusMb } from './proc.js';
import { signInMany, type Member, type Tokens } from './sign-in.js';

/** Preloaded into the server: counts SQL statements (bench/perf/query-counter.mjs). */
const QUERY_COUNTER = pathToFileURL(path.join(ROOT, 'bench', 'perf', 'query-counter.mjs')).href;

/** Request logs cost CPU per request; the server under test logs warnings and errors only. */
export const SERVER_LOG_LEVEL = 'warn';
/** Browsers signing in at once: 2 × cores × 2 (8 on the 2-core development machine). */
export const SIGN_IN_CONCURRENCY = 2 * os.cpus().length * 2;
/** What the bench's sign-ins ask for: a refresh token (offline_access needs prompt=consent) and userinfo claims. */
export const TOKEN_SCOPE = 'openid profile offline_access';

export interface Target {
  kind: 'bhxh' | 'bare';
  /** The engine column of the table: pglite, postgres, or memory (the bare provider). */
  engine: string;
  base: string;
  child: Child;
  /** VmRSS once it answered its first request (before any load). */
  startRssMb: number;
  secrets: { cc: string; api: string };
  /** PostgreSQL only: CPU time so far of its processes serving this server (see Engine.dbCpuMs). */
  dbCpuMs?(): number;
  /** `n` fresh grants of vssid, each with an access token (scope TOKEN_SCOPE) and a refresh token. */
  tokens(n: number): Promise<Tokens[]>;
  stop(): Promise<void>;
}

/**
 * Node flags for a child: CPU profiles written at exit into `profileDir/<name>/` when asked for (one file per
 * thread: the main thread's is the large one; the other is tsx's module loader).
 */
function nodeFlags(profileDir: string | undefined, name: string): string[] {
  if (!profileDir) return [];
  const dir = path.join(profileDir, name);
  fs.mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** The server's environment: production argon2, throttles out of the way of the load, no demo data, no simulator. */
export function serverEnv(engine: Engine, port: number): Record<string, string> {
  return {
    ...engine.env,
    NODE_ENV: 'test',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    LOG_LEVEL: SERVER_LOG_LEVEL,
    SEED_DEMO: 'false',
    VNEID_SIMULATOR: 'false',
    ...ARGON2_ENV,
    // Every sign-in of the load succeeds; these only make sure parallel sign-ins of one member never count as an
    // attack (each success gives its points back anyway).
    LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR: '1000000',
    LOGIN_IP_MAX_FAILURES_PER_HOUR: '100000000',
    LOGIN_FREE_FAILURES: '1000000',
  };
}

export interface ServerOptions {
  /** Where CPU profiles go (--profile). */
  profileDir?: string;
  /** Compiled JavaScript to run instead of `--import tsx src/main.ts` (--compiled). */
  compiledMain?: string;
  /** Extra Node flags for the server (--server-flags), e.g. heap sizes. */
  nodeFlags?: string[];
}

export async function startBhxh(
  engine: Engine,
  secrets: Target['secrets'],
  members: () => Member,
  opts: ServerOptions = {},
): Promise<Target> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnChild('bhxh-id server', opts.compiledMain ?? 'src/main.ts', {
    env: serverEnv(engine, port),
    nodeFlags: [...(opts.nodeFlags ?? []), ...nodeFlags(opts.profileDir, 'bhxh'), '--import', QUERY_COUNTER],
    tsx: !opts.compiledMain,
  });
  await waitUntilReady(child, `${base}/healthz`);
  return {
    kind: 'bhxh',
    engine: engine.kind,
    base,
    child,
    startRssMb: statusMb(child.pid, 'VmRSS'),
    secrets,
    ...(engine.dbCpuMs ? { dbCpuMs: engine.dbCpuMs } : {}),
    tokens: (n) => signInMany(base, members, n, SIGN_IN_CONCURRENCY, { scope: TOKEN_SCOPE, prompt: 'consent' }),
    stop: () => child.stop(),
  };
}

export async function startBare(profileDir?: string): Promise<Target> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secrets = {
    cc: crypto.randomBytes(32).toString('base64url'),
    api: crypto.randomBytes(32).toString('base64url'),
  };
  const child = spawnChild('bare oidc-provider', 'bench/bare-provider.ts', {
    env: { PORT: String(port), BARE_CC_SECRET: secrets.cc, BARE_API_SECRET: secrets.api, NODE_ENV: 'test' },
    nodeFlags: nodeFlags(profileDir, 'bare'),
  });
  await waitUntilReady(child, `${base}/.well-known/openid-configuration`);
  return {
    kind: 'bare',
    engine: 'memory',
    base,
    child,
    startRssMb: statusMb(child.pid, 'VmRSS'),
    secrets,
    async tokens(n) {
      const reply = await send(`${base}/__bench/tokens?n=${n}`);
      if (reply.status !== 200) throw new Error(`bare provider: /__bench/tokens answered ${reply.status}`);
      return JSON.parse(reply.body) as Tokens[];
    },
    stop: () => child.stop(),
  };
}

export interface FloorResult {
  verifications: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuMs: number;
}

/** Starts the argon2 floor in its own process; `timing` resolves when its timed part starts, `result` with its figures. */
export function startArgon2Floor(
  seconds: number,
  concurrency: number,
  profileDir?: string,
): { child: Child; timing: Promise<void>; result: Promise<FloorResult> } {
  const child = spawnChild('argon2 floor', path.join('bench', 'argon2-floor.ts'), {
    args: [String(seconds), String(concurrency)],
    nodeFlags: nodeFlags(profileDir, 'argon2'),
  });
  let stdout = '';
  let timingStarted: () => void = () => {};
  const timing = new Promise<void>((resolve) => (timingStarted = resolve));
  child.process.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    if (stdout.includes('timing')) timingStarted();
  });
  const result = child.exited.then((code) => {
    const line = stdout
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{'));
    if (code !== 0 || !line) throw new Error(`argon2 floor failed (${code}):\n${child.output()}`);
    return JSON.parse(line) as FloorResult;
  });
  return { child, timing, result };
}
