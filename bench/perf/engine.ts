// The database engine of a run: PostgreSQL when DATABASE_URL is set (a fresh database on that server, dropped at
// the end), else PGlite in a temporary DATA_DIR. `env` is what the CLI and the server child need to reach it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { ROOT } from './child.js';
import { cpuMsOfProcesses } from './proc.js';

export interface Engine {
  kind: 'pglite' | 'postgres';
  /** DATA_DIR, KEYS_ENCRYPTION_KEY and (PostgreSQL) DATABASE_URL for the CLI and the server. */
  env: Record<string, string>;
  /** For the report, e.g. "PostgreSQL 15.2 (database bhxh_bench_…)". Never a password. */
  description: string;
  /** PostgreSQL only: CPU time (ms) so far of the server's processes for the run's database, and its WAL writer and checkpointer. */
  dbCpuMs?(): number;
  /**
   * After a bulk load: PostgreSQL writes the load's dirty pages out now (CHECKPOINT) rather than during the next
   * row. PGlite needs nothing (the CLI closed it, which checkpoints).
   */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

async function openPostgres(adminUrl: string, dataDir: string, key: string): Promise<Engine> {
  const name = `bhxh_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const version = String((await admin.raw('show server_version')).rows[0].server_version);
  await admin.raw(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    env: { DATA_DIR: dataDir, KEYS_ENCRYPTION_KEY: key, DATABASE_URL: url.href },
    description: `PostgreSQL ${version} at ${url.hostname}:${url.port || 5432} (database ${name})`,
    async settle() {
      await admin.raw('checkpoint');
    },
    dbCpuMs: () =>
      cpuMsOfProcesses(
        'postgres',
        (cmdline) => cmdline.includes(` ${name} `) || /walwriter|checkpointer|background writer/.test(cmdline),
      ),
    async dispose() {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens the engine for this run. */
export async function openEngine(databaseUrl: string | undefined): Promise<Engine> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-bench-'));
  const key = crypto.randomBytes(32).toString('base64');
  if (databaseUrl) return openPostgres(databaseUrl, dataDir, key);
  const { version } = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  return {
    kind: 'pglite',
    env: { DATA_DIR: dataDir, KEYS_ENCRYPTION_KEY: key },
    description: `PGlite ${version} in ${dataDir}`,
    async settle() {},
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
