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
import { unsupportedNode } from '../../src/core/node-runtime.js';
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

/** One command line the banner printed (`npx bhxh-id dev sms …`), as the arguments the CLI gets. */
function printedCommand(output: string, command: string): string[] {
  const line = output.split('\n').find((l) => l.trim().startsWith(`npx bhxh-id ${command} `));
  assert.ok(line, `the banner prints bhxh-id ${command}`);
  const words = line.trim().match(/"[^"]*"|\S+/g)!;
  return words.slice(2).map((w) => w.replace(/^"|"$/g, ''));
}

/** What the dev mailbox holds (files under DATA_DIR/mailbox). */
function mailbox(dataDir: string): Array<{ to: string; text: string }> {
  const dir = path.join(dataDir, 'mailbox');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

// In the PostgreSQL pass (TEST_DATABASE_URL set) this file would run exactly what the PGlite pass ran: it skips.
describe('npm start', {
  skip: process.env.TEST_DATABASE_URL
    ? 'npm start always runs the embedded default: covered by the PGlite pass'
    : false,
}, () => {
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

  /** The CLI as a newcomer runs it beside npm start: the same defaults (development, embedded, this data folder). */
  async function cli(args: string[], stdin?: string) {
    let out = '';
    let err = '';
    const code = await runCli(args, {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      env: { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'error' },
      stdin: async () => stdin ?? assert.fail('no stdin in this test'),
    });
    let json: any = {};
    try {
      json = JSON.parse(out);
    } catch {
      /* an error: nothing on stdout */
    }
    return { code, out, err, json };
  }

  it('tells a dev command run before the first start to start the server first', async () => {
    const run = await cli(['dev', 'sms', '--from', '0912345678', '--text', `BH MK ${AN}`]);
    assert.equal(run.code, 2);
    assert.match(run.err, /no SMS_INBOUND_SECRET and none generated yet in \S*sms-inbound\.secret: start the server/);
  });

  it('starts and prints the demo credentials, each client’s redirect URIs and how to try the phone channels', async () => {
    started = await startNpm(env, port);
    const out = started.output();
    // On the project's own Node (the `node` devDependency), whatever Node started the tests and npm.
    const node = /BHXH ID is listening at \S+ \(Node\.js (\S+)\)/.exec(out)?.[1];
    assert.ok(node, 'the banner names the Node it runs on');
    assert.equal(unsupportedNode(node), undefined);
    const projectNode = path.join(root, 'node_modules/.bin/node');
    if (fs.existsSync(projectNode))
      assert.equal(node, execFileSync(projectNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim());
    assert.doesNotMatch(out, /Unsupported runtime/);
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
    assert.match(out, /\n {2}npx bhxh-id dev sms .*BH MK/);
    assert.match(out, /\n {2}npx bhxh-id dev call /);
  });

  it('answers the dev sms and dev call commands it prints at once, with secrets it generated', async () => {
    const out = started!.output();
    const sms = await cli(printedCommand(out, 'dev sms'));
    assert.equal(sms.code, 0, sms.err);
    assert.equal(sms.json.sent, true);
    await until(
      'the BH MK reply in the dev mailbox',
      async () =>
        mailbox(dataDir).some((m) => m.to === '+84912345678' && /Mat khau tam thoi [a-z0-9]{10}/.test(m.text)),
      { timeoutMs: 15_000, everyMs: 200 },
    );
    const call = await cli(printedCommand(out, 'dev call'));
    assert.equal(call.code, 0, call.err);
    const last = call.json.steps.at(-1);
    assert.equal(last.status, 200);
    assert.equal(last.reply.next.action, 'hangup');
    assert.match(last.reply.say, /Mật khẩu sẽ được nhắc lại một lần/, 'the assistant read a temporary password aloud');
    for (const name of ['sms-inbound.secret', 'voice-webhook.secret']) {
      const file = path.join(dataDir, name);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600, name);
      assert.ok(!started!.output().includes(fs.readFileSync(file, 'utf8')), `the ${name} is never printed or logged`);
    }
  });

  it('stops everything on SIGTERM to the PID npm start has', async () => {
    await stopWith(started!, 'SIGTERM', [port, simPort]);
  });

  it('after a demo password changed, prints only what is still true', async () => {
    const first = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));
    const anPassword = first.members.find((m: { bhxhNumber: string }) => m.bhxhNumber === AN).password;
    const binhPassword = first.members.find((m: { bhxhNumber: string }) => m.bhxhNumber === BINH).password;
    // Bình chooses her own password (as at her first sign-in); the server is stopped, so the CLI may open the folder.
    // An got two temporary passwords above (SMS keyword, hotline): they live beside her own, which stays valid.
    const set = await cli(['accounts', 'set-password', '--bhxh', BINH, '--password-stdin'], randomPassword());
    assert.equal(set.code, 0, set.err);

    started = await startNpm(env, port);
    const out = started.output();
    assert.ok(out.includes(`mã số BHXH ${AN} (Nguyễn Văn An)  password: ${anPassword}\n`), 'An’s is still hers');
    assert.match(out, new RegExp(`mã số BHXH ${BINH} \\(Trần Thị Bình\\)  password: changed since the first start`));
    assert.ok(!out.includes(binhPassword), 'Bình’s first password is not printed');
    assert.doesNotMatch(out, /\(temporary:/, 'nobody is said to have a temporary password');
    const file = fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8');
    assert.ok(!file.includes(binhPassword), 'the data folder forgets a password that no longer signs in');
  });

  it('stops everything on SIGINT to the PID npm start has', async () => {
    await stopWith(started!, 'SIGINT', [port, simPort]);
  });
});
