// Starts a real BHXH ID server for a test: in-memory PGlite by default, a fresh PostgreSQL database when
// TEST_DATABASE_URL is set. Fixtures (keys, passwords, secrets) are generated at run time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import knexFactory from 'knex';
import type { ClientMetadata } from 'oidc-provider';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { migrate, migrationsDirectory, openDatabase, type Db } from '../../src/db/database.js';
import { buildServer, type Server } from '../../src/app/server.js';
import type { NewAccount } from '../../src/accounts/account-repository.js';
import type { Clock } from '../../src/core/clock.js';

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

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

let template: Promise<Blob> | undefined;

/**
 * A dump of an in-memory PGlite database with every migration applied, made once and kept in the temporary folder
 * (named by a hash of the migrations and the PGlite version, so a changed migration makes a new one) for the other
 * test processes. Starting from it instead of an empty cluster saves initdb, the largest CPU cost of a test file.
 */
export function migratedPgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const hash = crypto.createHash('sha256');
    hash.update(fs.readFileSync(path.join(migrationsDirectory, '../node_modules/@electric-sql/pglite/package.json')));
    for (const file of fs.readdirSync(migrationsDirectory).sort())
      hash.update(file).update(fs.readFileSync(path.join(migrationsDirectory, file)));
    const file = path.join(os.tmpdir(), `bhxh-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
    if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
    const built = openDatabase({ kind: 'pglite', dataDir: null });
    await migrate(built);
    // knex-pglite keeps its PGlite instance on the client.
    const dump = await (built.client as { pglite: PGlite }).pglite.dumpDataDir('none');
    await built.destroy();
    // Written aside and renamed: a test process that reads it meanwhile sees the whole file or none.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(partial, file);
    return dump;
  })();
  return template;
}

/** A database for one test server (or several sharing it): in-memory PGlite, or a new PostgreSQL database. */
export async function createTestDatabase(): Promise<{ db: Db; drop: () => Promise<void>; url?: string }> {
  if (!usingPostgres) {
    const db = openDatabase({ kind: 'pglite', dataDir: null, loadDataDir: await migratedPgliteTemplate() });
    await migrate(db).catch(async (err) => {
      await db.destroy(); // a failed migration must fail the test, not leave it hanging on an open database
      throw err;
    });
    return { db, drop: () => db.destroy() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `bhxh_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = openDatabase({ kind: 'postgres', url: url.href, poolMax: 10 });
  await migrate(db);
  return {
    db,
    url: url.href,
    drop: async () => {
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

/** The postgres:// URL a knex instance of openDatabase() connects to. */
export function databaseUrlOf(db: Db): string {
  const connection = db.client.config.connection as { connectionString?: string } | string;
  return typeof connection === 'string' ? connection : connection.connectionString!;
}

/** A clock tests can move forward. */
export function testClock(start = new Date()): Clock & { advance(seconds: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (s) => (now += s * 1000) };
}

export interface TestServer {
  url: string;
  server: Server;
  db: Db;
  sleeps: number[];
  createMember(
    input?: Partial<NewAccount> & { password?: string },
  ): Promise<{ id: string; bhxhNumber: string; password: string }>;
  createClient(
    metadata: ClientMetadata,
    opts?: { firstParty?: boolean; admin?: boolean },
  ): Promise<{ clientId: string; clientSecret?: string }>;
  close(): Promise<void>;
}

let memberCounter = 0;

/** A random 10-digit BHXH number (unique within a run). */
export function randomBhxhNumber(): string {
  memberCounter += 1;
  return `${String(crypto.randomInt(0, 100000)).padStart(5, '0')}${String(memberCounter).padStart(5, '0')}`;
}

/** A password that passes the policy, generated at run time. */
export function randomPassword(): string {
  return `pw-${crypto.randomBytes(9).toString('base64url')}`;
}

export async function startTestServer(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    db?: Db;
    sleep?: (ms: number) => Promise<void>;
    startWorkers?: boolean;
    port?: number;
  } = {},
): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const owned = options.db ? undefined : await createTestDatabase();
  const db = options.db ?? owned!.db;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${port}`,
    KEYS_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    // The database the server really uses, so its LISTEN connection (change feed) hears that database's NOTIFYs.
    DATABASE_URL: usingPostgres ? databaseUrlOf(db) : undefined,
    LOGIN_DELAY_BASE_MS: '0',
    LOG_LEVEL: 'silent',
    // Each server gets its own data folder (dev mailbox files); the database is passed in below.
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-test-')),
    CAPTCHA_MAX_NUMBER: '1000',
    // Tests read codes and SMS from the dev mailbox; it is off by default outside the embedded development default.
    DEV_MAILBOX: 'true',
    ...options.env,
  });
  const sleeps: number[] = [];
  const server = await buildServer(config, {
    db,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
    sleep: options.sleep ?? (async (ms) => void sleeps.push(ms)),
    // Tests deliver the outbox explicitly with server.outboxWorker.runOnce().
    startWorkers: options.startWorkers ?? false,
  });
  await server.listen(port, '127.0.0.1');
  const { deps } = server;
  return {
    url: config.issuer,
    server,
    db,
    sleeps,
    async createMember(input = {}) {
      const password = input.password ?? randomPassword();
      const bhxhNumber = input.bhxhNumber ?? randomBhxhNumber();
      const { password: _p, ...rest } = input;
      const account = await deps.accounts.create({
        fullName: 'Nguyễn Thị Test',
        birthdate: '1991-02-03',
        // A member's real addresses, checked when the account was opened (codes go to verified addresses only).
        phoneNumber: '+84912000111',
        phoneNumberVerified: true,
        email: 'member@example.vn',
        emailVerified: true,
        ...rest,
        bhxhNumber,
        passwordHash: await deps.hasher.hash(password),
      });
      return { id: account.id, bhxhNumber, password };
    },
    createClient: (metadata, opts) => deps.clients.create(metadata, opts),
    async close() {
      await server.close();
      await owned?.drop();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
