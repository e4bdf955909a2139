// Child processes of the benchmark: the server under test, the bare oidc-provider and the argon2 floor each run in
// their own Node process (`node --import tsx …`), so the load generator never shares their event loop and their
// CPU time and memory can be read from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** performance.now() when it was spawned: a CPU profile's clock starts about then. */
  spawnedAt: number;
  /** The last few kilobytes of its stdout and stderr (for error messages). */
  output(): string;
  /** Its SQL statements so far by text (children started with the query counter preloaded: query-counter.mjs). */
  statements(): Promise<Record<string, number>>;
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** What a child inherits from the benchmark's environment: only what a process needs to run. */
function baseEnv(): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'TMPDIR',
    'LANG',
    'TZ',
    'UV_THREADPOOL_SIZE',
    'MALLOC_ARENA_MAX',
    'MALLOC_MMAP_THRESHOLD_',
  ];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

/** Starts `node [nodeFlags] --import tsx SCRIPT args` in the repository root (without tsx for compiled JavaScript). */
export function spawnChild(
  name: string,
  script: string,
  opts: { args?: string[]; env?: Record<string, string>; nodeFlags?: string[]; tsx?: boolean } = {},
): Child {
  const loader = opts.tsx === false ? [] : ['--import', 'tsx'];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...loader, script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...baseEnv(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let counted: ((tally: Record<string, number>) => void) | undefined;
  let lines = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    lines += chunk.toString('utf8');
    const match = /bench-statements (\{.*\})\n/.exec(lines);
    if (match) {
      lines = '';
      counted?.(JSON.parse(match[1]!) as Record<string, number>);
      counted = undefined;
    } else if (!lines.includes('bench-statements')) {
      lines = '';
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    pid: child.pid!,
    process: child,
    spawnedAt,
    output: () => tail,
    statements() {
      return new Promise((resolve, reject) => {
        counted = resolve;
        child.kill('SIGUSR2');
        setTimeout(() => reject(new Error(`${name} did not report its statement count`)), 5000).unref();
      });
    },
    exited,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until GET `url` answers 200, failing early if the child exits. */
export async function waitUntilReady(child: Child, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void child.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${child.name} exited before it was ready:\n${child.output()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await child.stop();
  throw new Error(`${child.name} was not ready after ${timeoutMs} ms:\n${child.output()}`);
}

/**
 * Compiles the server as the Dockerfile does (tsconfig.build.json) into bench/results/build/ and returns the path
 * of its main.js, for `--compiled` runs: production runs compiled JavaScript, without tsx's loader thread and
 * source maps in memory (about 100 MB of RSS).
 */
export function compileServer(): string {
  const outDir = path.join(ROOT, 'bench', 'results', 'build');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
  return path.join(outDir, 'src', 'main.js');
}
