// Several BHXH ID processes on one PostgreSQL database behind a small round-robin load balancer (node:http), for
// `npm run cluster`, the cluster test (test/e2e/cluster.test.ts) and the fault bench (bench/faults.ts).
//
// The balancer:
// - sends each request to the next node that is up (round robin), so consecutive requests of one flow land on
//   different nodes; a node is up after its GET /healthz answered 200 (checked every 500 ms) and down after a
//   failed check or a refused connection;
// - streams request and response bodies, removes hop-by-hop headers, sets X-Forwarded-For/-Proto/-Host (it is the
//   edge: an X-Forwarded-For sent by the client is replaced, not extended, so nobody can pick the address the
//   sign-in throttle sees), passes Set-Cookie (and every other end-to-end header) through unchanged;
// - tries another node when a node could not be reached: always when the connection was never established (nothing
//   was sent), and for an idempotent method (GET, HEAD, OPTIONS, PUT, DELETE) whenever the node failed before the
//   first response byte (the answer then carries `X-Retried-From: node-i`). A non-idempotent request that may have
//   reached a node is never replayed: 502 naming the node. NOTE: "idempotent" is the method's promise, not always
//   the application's: oidc-provider's GET /auth/:uid (resume) uses the interaction up, so a replay of one that the
//   dead node had half done answers 400, as a browser's own retry would;
// - answers 503 JSON (Retry-After) when no node is up.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { openAndMigrate } from '../src/db/open-and-migrate.js';
import { freePort } from './perf/child.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'src', 'main.ts');

export interface ClusterNode {
  /** node-1, node-2, …: also the node's NODE_NAME, so its answers carry `X-Served-By: node-i`. */
  readonly name: string;
  readonly port: number;
  /** The current process id (a new one after restart()). */
  readonly pid: number | undefined;
  /** Whether the balancer currently sends requests to it. */
  readonly up: boolean;
  /** Whether the process is running. */
  readonly running: boolean;
  /** stdout and stderr of the node so far (every process it ran). */
  readonly output: string;
  kill(signal?: NodeJS.Signals): void;
  /** Starts the node again (same port and settings) and resolves once it listens. */
  restart(): Promise<void>;
}

export interface BalancerStats {
  requests: number;
  /** Requests answered by each node. */
  byNode: Record<string, number>;
  /** Requests sent again to another node after a failed connection. */
  retries: number;
  /** 502 answers (a node failed, no retry possible) and 503 answers (no node up). */
  badGateway: number;
  noNode: number;
}

export interface Cluster {
  /** The balancer's URL: the issuer of every node. */
  url: string;
  nodes: ClusterNode[];
  stats(): BalancerStats;
  /** Stops the balancer and every node gracefully (SIGTERM, then SIGKILL after 20 s). */
  close(): Promise<void>;
}

export interface ClusterOptions {
  nodes: number;
  /** postgres://…: one database for every node (migrated once here). */
  databaseUrl: string;
  /** Extra environment for every node (SMTP_URL, OUTBOX_POLL_MS, …); KEYS_ENCRYPTION_KEY is taken from here. */
  env?: Record<string, string | undefined>;
  /** The balancer's port on 127.0.0.1 (default: a free one). */
  lbPort?: number;
  /** Create the demo members and clients (the first node does it, before the others start). */
  seedDemo?: boolean;
  /** Called with each chunk a node writes (stdout and stderr). */
  onOutput?: (node: string, chunk: string) => void;
  /** Health check period (default 500 ms). */
  healthIntervalMs?: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Idempotent requests with a body are buffered (so a retry can send it again) up to this size. */
const MAX_REPLAY_BODY = 1024 * 1024;

export { freePort };

/** Raw header pairs without the named headers (lower case). */
function without(raw: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!names.includes(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

/** Header pairs from raw headers without hop-by-hop ones (and those named in Connection). */
function endToEnd(raw: string[]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection')
      for (const n of raw[i + 1]!.split(',')) named.add(n.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

interface NodeState {
  name: string;
  port: number;
  up: boolean;
  child: ChildProcess | undefined;
  output: string[];
  exited: Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!/^postgres(ql)?:\/\//.test(options.databaseUrl))
    throw new Error('a cluster needs PostgreSQL (DATABASE_URL=postgres://…): PGlite is a single process');
  if (options.nodes < 1) throw new Error('--nodes must be at least 1');
  const encryptionKey = options.env?.KEYS_ENCRYPTION_KEY ?? crypto.randomBytes(32).toString('base64');
  const healthIntervalMs = options.healthIntervalMs ?? 500;

  // Migrate once, before any node starts (each node would otherwise race to do it).
  const config = loadConfig({
    ...process.env,
    ...options.env,
    DATABASE_URL: options.databaseUrl,
    KEYS_ENCRYPTION_KEY: encryptionKey,
    LOG_LEVEL: 'warn',
  });
  const { db } = await openAndMigrate(config);
  await db.destroy();

  const states: NodeState[] = [];
  for (let i = 1; i <= options.nodes; i++)
    states.push({
      name: `node-${i}`,
      port: await freePort(),
      up: false,
      child: undefined,
      output: [],
      exited: Promise.resolve(),
    });

  const stats: BalancerStats = {
    requests: 0,
    byNode: Object.fromEntries(states.map((s) => [s.name, 0])),
    retries: 0,
    badGateway: 0,
    noNode: 0,
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 60_000 });
  let next = 0;
  /** The next node that is up after the last one chosen, skipping `exclude` (nodes that already failed this request). */
  const pick = (exclude: Set<NodeState>): NodeState | undefined => {
    for (let k = 0; k < states.length; k++) {
      const s = states[(next + k) % states.length]!;
      if (s.up && !exclude.has(s)) {
        next = (states.indexOf(s) + 1) % states.length;
        return s;
      }
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    const method = req.method ?? 'GET';
    const idempotent = IDEMPOTENT.has(method);
    // The forwarding headers a client sent are dropped: we set our own.
    const headers = without(endToEnd(req.rawHeaders), [
      'x-forwarded-for',
      'x-forwarded-proto',
      'x-forwarded-host',
      'forwarded',
    ]);
    headers.push('X-Forwarded-For', req.socket.remoteAddress ?? '127.0.0.1', 'X-Forwarded-Proto', 'http');
    if (req.headers.host) headers.push('X-Forwarded-Host', req.headers.host);
    const hasBody =
      req.headers['content-length'] !== undefined
        ? req.headers['content-length'] !== '0'
        : req.headers['transfer-encoding'] !== undefined;

    // An idempotent request's body is kept so that it can be sent again; others are streamed.
    const buffered: Promise<Buffer | undefined> =
      idempotent && hasBody
        ? new Promise((resolve, reject) => {
            const chunks: Buffer[] = [];
            let size = 0;
            req.on('data', (c: Buffer) => {
              size += c.length;
              if (size > MAX_REPLAY_BODY) reject(new Error('body too large'));
              else chunks.push(c);
            });
            req.on('end', () => resolve(Buffer.concat(chunks)));
            req.on('error', reject);
          })
        : Promise.resolve(undefined);

    const tried = new Set<NodeState>();
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
    });

    const attempt = (body: Buffer | undefined) => {
      if (clientGone) return;
      const node = pick(tried);
      if (!node) {
        stats.noNode += 1;
        req.resume(); // a body nobody will read
        return sendJson(
          res,
          503,
          { error: 'no_node_available', error_description: 'no node is up' },
          { 'retry-after': '1' },
        );
      }
      tried.add(node);
      let connected = false;
      let responded = false;
      const upstream = http.request({
        host: '127.0.0.1',
        port: node.port,
        method,
        path: req.url,
        headers: body ? [...without(headers, ['content-length']), 'Content-Length', String(body.length)] : headers,
        agent,
      });
      upstream.setTimeout(30_000, () =>
        upstream.destroy(Object.assign(new Error('node timed out'), { code: 'ETIMEDOUT' })),
      );
      upstream.on('socket', (socket) => {
        const ready = () => {
          connected = true;
          if (body) upstream.end(body);
          else if (!hasBody) upstream.end();
          else req.pipe(upstream); // streamed only once the node is reached, so a refused connection loses nothing
        };
        if ((socket as net.Socket).connecting) socket.once('connect', ready);
        else ready();
      });
      upstream.on('response', (up) => {
        responded = true;
        stats.byNode[node.name] = (stats.byNode[node.name] ?? 0) + 1;
        // A retried request says which nodes failed it first (the request may have been processed there in part).
        const failedOn = [...tried].filter((t) => t !== node).map((t) => t.name);
        res.writeHead(up.statusCode ?? 502, up.statusMessage, [
          ...endToEnd(up.rawHeaders),
          ...(failedOn.length ? ['X-Retried-From', failedOn.join(', ')] : []),
        ]);
        up.pipe(res);
        up.on('error', () => res.destroy());
        up.on('aborted', () => res.destroy());
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (responded) return res.destroy(); // a broken body: the client sees a cut response, never a spliced one
        if (!connected || err.code === 'ECONNREFUSED') node.up = false; // passive health: skip it until a check passes
        if (!connected || idempotent) {
          stats.retries += 1;
          return attempt(body);
        }
        stats.badGateway += 1;
        req.unpipe(upstream);
        req.resume();
        sendJson(res, 502, {
          error: 'bad_gateway',
          error_description: `${node.name} failed before answering (${err.code ?? err.message})`,
          node: node.name,
        });
      });
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
    };

    buffered.then(attempt, () => sendJson(res, 413, { error: 'body_too_large' }));
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.lbPort ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

  const nodeEnv = (s: NodeState, seed: boolean): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    ...options.env,
    PORT: String(s.port),
    NODE_NAME: s.name,
    ISSUER: url,
    TRUSTED_PROXY_HOPS: '1', // the balancer below is the one proxy
    KEYS_ENCRYPTION_KEY: encryptionKey,
    DATABASE_URL: options.databaseUrl,
    SEED_DEMO: seed ? 'true' : 'false',
    LOG_LEVEL: options.env?.LOG_LEVEL ?? 'warn',
  });

  /** Spawns the node's process and resolves once it prints that it listens. */
  function launch(s: NodeState, seed: boolean): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: nodeEnv(s, seed),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    s.child = child;
    s.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      if (s.child === child) s.up = false;
    });
    const collect = (d: Buffer) => {
      const chunk = String(d);
      s.output.push(chunk);
      options.onOutput?.(s.name, chunk);
    };
    child.stderr!.on('data', collect);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${s.name} did not start within 60 s:\n${s.output.join('').slice(-2000)}`)),
        60_000,
      );
      let stdout = '';
      let listening = false;
      child.stdout!.on('data', (d: Buffer) => {
        collect(d);
        if (listening) return;
        stdout = (stdout + String(d)).slice(-4096);
        if (stdout.includes('BHXH ID is listening')) {
          listening = true;
          clearTimeout(timer);
          s.up = true;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${s.name} exited (${code ?? signal}) before listening:\n${s.output.join('').slice(-2000)}`));
      });
    });
  }

  // Health checks: GET /healthz on each running node.
  const check = (s: NodeState) =>
    new Promise<void>((resolve) => {
      if (!s.child || s.child.exitCode !== null || s.child.signalCode !== null) {
        s.up = false;
        return resolve();
      }
      const req = http.get({ host: '127.0.0.1', port: s.port, path: '/healthz', timeout: 1000, agent: false }, (r) => {
        s.up = r.statusCode === 200;
        r.resume();
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        s.up = false;
        resolve();
      });
    });
  let checking = false;
  const healthTimer = setInterval(() => {
    if (checking) return;
    checking = true;
    void Promise.all(states.map(check)).finally(() => (checking = false));
  }, healthIntervalMs);
  healthTimer.unref();

  const stopNode = async (s: NodeState) => {
    const child = s.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await s.exited;
    clearTimeout(force);
  };

  const close = async () => {
    clearInterval(healthTimer);
    await Promise.all(states.map(stopNode));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    agent.destroy();
  };

  try {
    // The first node creates the signing keys (and the demo data when asked); the others then start together.
    // (ensureActiveKeys takes an advisory lock, so parallel starts would be safe as well; seeding is not.)
    await launch(states[0]!, options.seedDemo ?? false);
    await Promise.all(states.slice(1).map((s) => launch(s, false)));
  } catch (err) {
    await close();
    throw err;
  }

  const nodes: ClusterNode[] = states.map((s) => ({
    name: s.name,
    port: s.port,
    get pid() {
      return s.child?.pid;
    },
    get up() {
      return s.up;
    },
    get running() {
      return Boolean(s.child && s.child.exitCode === null && s.child.signalCode === null);
    },
    get output() {
      return s.output.join('');
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      s.child?.kill(signal);
    },
    async restart() {
      await stopNode(s);
      await launch(s, false);
    },
  }));

  return { url, nodes, stats: () => ({ ...stats, byNode: { ...stats.byNode } }), close };
}
