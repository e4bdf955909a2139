// `npm start` as a newcomer runs it: the real command (npm, then the server it starts) on an embedded data folder (a
// temporary one, from the migrated template to skip initdb) and free ports. What it prints, the dev commands against
// it, and stopping it: SIGTERM or SIGINT to the PID the command started ends every process under it and frees its
// ports. Always the embedded default (PGlite), also when TEST_DATABASE_URL is set: that is what `npm start` runs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { runCli } from '../../src/cli/main.js';
import { freePort, migratedPgliteTemplate, randomPassword } from '../helpers/server.js';
import { until, withTimeout } from '../helpers/until.js';

const root = path.resolve(import.meta.dirname, '../..');
const AN = '0123456789';
const BINH = '7901234567';

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment a newcomer has: none of the test run's settings (NODE_ENV=test, databases, transports). */
function newcomerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(NODE_ENV|TEST_|DATABASE_URL|SMTP_|SMS_|VOICE_|VNEID_|KEYS_|SEED_DEMO|DEV_MAILBOX|ISSUER|PORT)/.test(k))
      continue;
    if (k.startsWith('npm_')) continue; // not inside another npm script
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Every process a start ran under it: what is left of them is killed after the tests (a failed stop leaves orphans). */
const seen = new Set<number>();

async function startNpm(env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout!.on('data', (d) => (output += String(d)));
  npm.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  await until(
    'npm start to listen',
    async () => {
      if (gone) assert.fail(`npm start exited:\n${output}`);
      if (!output.includes('BHXH ID is listening')) return false;
      return fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { timeoutMs: 90_000, everyMs: 200 },
  );
  for (const pid of [npm.pid!, ...descendants(npm.pid!)]) seen.add(pid);
  return { npm, output: () => output, exited };
}

/** Every process under `pid` (children, grandchildren, …), from ps. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows)
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Still one of the processes a start ran (not a PID the system has given to another process since). */
function ours(pid: number): boolean {
  try {
    return /npm|main\.ts|tsx/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sends `signal` to the PID npm start has and checks that everything under it ended and its ports are closed. */
async function stopWith(started: Started, signal: NodeJS.Signals, ports: number[]): Promise<void> {
  const pid = started.npm.pid!;
  const under = descendants(pid);
  assert.ok(under.length > 0, 'npm start runs the server as a child');
  process.kill(pid, signal);
  const { code } = await withTimeout(started.exited, 30_000, `npm start to exit on ${signal}`);
  await until(`every process under npm start to end after ${signal}`, async () => under.every((p) => !alive(p)), {
    timeoutMs: 20_000,
    everyMs: 100,
  });
  for (const port of ports) assert.equal(await portOpen(port), false, `port ${port} is closed after ${signal}`);
  assert.equal(code, 0, `npm start exits cleanly on ${signal}:\n${started.output()}`);
  assert.match(started.output(), new RegExp(`"signal":"${signal}"[^\\n]*shutting down`));
}

describe('npm start', () => {
  let dataDir: string;
  let port: number;
  let simPort: number;
  let env: NodeJS.ProcessEnv;
  let started: Started | undefined;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-npm-start-'));
    const pglite = new PGlite(path.join(dataDir, 'pgdata'), { loadDataDir: await migratedPgliteTemplate() });
    await pglite.close();
    [port, simPort] = [await freePort(), await freePort()];
    env = newcomerEnv({ DATA_DIR: dataDir, PORT: String(port), VNEID_SIMULATOR_PORT: String(simPort) });
  });
  after(async () => {
    for (const pid of seen) if (ours(pid)) process.kill(pid, 'SIGKILL');
    started?.npm.stdout?.destroy();
    started?.npm.stderr?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, prints the demo credentials with each client’s redirect URIs, and stops everything on SIGTERM', async () => {
    started = await startNpm(env, port);
    const out = started.output();
    assert.match(out, new RegExp(`mã số BHXH ${AN} \\(Nguyễn Văn An\\)  password: [a-z0-9]{4}(-[a-z0-9]{4}){3}\\n`));
    assert.match(
      out,
      new RegExp(`mã số BHXH ${BINH} \\(Trần Thị Bình\\)  password: [a-z0-9-]{19}  \\(temporary: [^\\n]+\\)\\n`),
    );
    assert.match(
      out,
      /\n {2}dichvucong {2}secret: [\w-]{43}\n {4}redirect URIs: [^\n]*http:\/\/localhost:8080\/auth\/callback/,
    );
    assert.match(out, /\n {2}vssid\n {4}redirect URIs: [^\n]*http:\/\/127\.0\.0\.1\/callback/);
    await stopWith(started, 'SIGTERM', [port, simPort]);
  });

  it('after a demo password changed, prints only what is still true, and stops everything on SIGINT', async () => {
    const first = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const anPassword = first.members.find((m: { bhxhNumber: string }) => m.bhxhNumber === AN).password;
    const binhPassword = first.members.find((m: { bhxhNumber: string }) => m.bhxhNumber === BINH).password;
    // Bình chooses her own password (as at her first sign-in); the server is stopped, so the CLI may open the folder.
    const chosen = randomPassword();
    const io = { out: () => {}, err: (s: string) => assert.fail(s), env: { DATA_DIR: dataDir, LOG_LEVEL: 'error' } };
    assert.equal(
      await runCli(['accounts', 'set-password', '--bhxh', BINH, '--password-stdin'], {
        ...io,
        stdin: async () => chosen,
      }),
      0,
    );

    started = await startNpm(env, port);
    const out = started.output();
    assert.ok(
      out.includes(`mã số BHXH ${AN} (Nguyễn Văn An)  password: ${anPassword}\n`),
      'An’s password is still hers',
    );
    assert.match(out, new RegExp(`mã số BHXH ${BINH} \\(Trần Thị Bình\\)  password: changed since the first start`));
    assert.ok(!out.includes(binhPassword), 'Bình’s first password is not printed');
    assert.doesNotMatch(out, /temporary/, 'nobody is said to have a temporary password');
    const file = fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8');
    assert.ok(!file.includes(binhPassword), 'the data folder forgets a password that no longer signs in');
    await stopWith(started, 'SIGINT', [port, simPort]);
  });
});
