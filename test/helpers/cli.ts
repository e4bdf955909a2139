// The operator CLI in tests: a private database (a PGlite data folder, or a new PostgreSQL database when
// TEST_DATABASE_URL is set) and `run(args)` capturing what an operator would see.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knexFactory from 'knex';
import { runCli } from '../../src/cli/main.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migratedPgliteTemplate, usingPostgres } from './server.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON ({} when it is not). */
  json: Record<string, any>;
}

export interface CliSandbox {
  /** DATA_DIR, LOG_LEVEL and (on PostgreSQL) DATABASE_URL; commands add KEYS_ENCRYPTION_KEY etc. */
  env: Record<string, string | undefined>;
  dataDir: string;
  run(args: string[], options?: { stdin?: string; env?: Record<string, string | undefined> }): Promise<CliRun>;
  /** Opens the database directly (only while no command holds it: PGlite is single-process). */
  openDb(): Db;
  close(): Promise<void>;
}

/** `emptyDatabase`: start from an empty data folder (a test of `migrate` itself) instead of the migrated template. */
export async function createCliSandbox(
  label: string,
  { emptyDatabase = false }: { emptyDatabase?: boolean } = {},
): Promise<CliSandbox> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bhxh-${label}-`));
  const env: Record<string, string | undefined> = { DATA_DIR: dataDir, LOG_LEVEL: 'error' };
  let dropDatabase = async () => {};
  if (!usingPostgres && !emptyDatabase) {
    // The data folder starts from the migrated template (helpers/server.ts) instead of an empty one: the first open
    // of an empty PGlite folder runs initdb, about 6 s of CPU. Commands then find the schema up to date.
    const pglite = new PGlite(path.join(dataDir, 'pgdata'), { loadDataDir: await migratedPgliteTemplate() });
    await pglite.close();
  }
  if (usingPostgres) {
    const name = `bhxh_${label.replace(/\W/g, '_')}_${crypto.randomBytes(5).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: process.env.TEST_DATABASE_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`create database ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.href;
    dropDatabase = async () => {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    };
  }
  return {
    env,
    dataDir,
    async run(args, options = {}) {
      let out = '';
      let err = '';
      const code = await runCli(args, {
        out: (s) => void (out += s),
        err: (s) => void (err += s),
        env: { ...env, ...options.env },
        stdin: async () => {
          if (options.stdin === undefined) throw new Error('no stdin in this test');
          return options.stdin;
        },
      });
      let json = {};
      try {
        json = JSON.parse(out);
      } catch {
        /* an error: nothing (or not JSON) on stdout */
      }
      return { code, out, err, json };
    },
    openDb() {
      return openDatabase(
        env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL, poolMax: 1 } : { kind: 'pglite', dataDir },
      );
    },
    async close() {
      await dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
