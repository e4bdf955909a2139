// The knex instance: PostgreSQL when DATABASE_URL is set, otherwise PGlite (Postgres compiled to WASM) in DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config/config.js';

export type Db = Knex;

export const migrationsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** How long opening a PostgreSQL connection may take before the attempt fails. */
const CONNECT_TIMEOUT_MS = 2_000;
/** How long a query waits for a pool connection (all busy, or none can be made) before it fails. */
const ACQUIRE_TIMEOUT_MS = 5_000;

/**
 * Opens the database named by the configuration. For PGlite, `dataDir: null` gives an in-memory database (tests), and
 * `loadDataDir` starts it from a dump (PGlite's dumpDataDir) instead of an empty cluster: tests start each database
 * from one already migrated, which skips initdb (about 1.5 s of CPU each).
 */
export function openDatabase(
  database: Config['database'] | { kind: 'pglite'; dataDir: string | null; loadDataDir?: Blob },
): Db {
  if (database.kind === 'postgres') {
    // While PostgreSQL is unreachable, a request must fail within seconds (503, src/http/unavailable.ts), not wait:
    // - connecting gives up after CONNECT_TIMEOUT_MS (a refused connection fails at once; the pool passes the error
    //   to the waiting request rather than retrying: knex's propagateCreateError);
    // - a request waits at most ACQUIRE_TIMEOUT_MS for a pool connection (KnexTimeoutError);
    // - `min: 0` keeps no connection around for its own sake, and a connection whose socket failed or ended (a
    //   restart sends 57P01 to every session) is marked by knex and destroyed at its next checkout, so when the
    //   database returns the pool simply opens new connections: no restart needed.
    return knexFactory({
      client: 'pg',
      connection: {
        connectionString: database.url,
        application_name: 'bhxh-id',
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        keepAlive: true,
      },
      pool: { min: 0, max: database.poolMax, idleTimeoutMillis: 30_000 },
      acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    });
  }
  let connection: object = {};
  if ('loadDataDir' in database && database.loadDataDir) {
    connection = { pglite: new PGlite({ loadDataDir: database.loadDataDir }) };
  } else if (database.dataDir) {
    const pgdata = path.join(database.dataDir, 'pgdata');
    fs.mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    connection = { filename: pgdata };
  }
  return knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection,
    acquireConnectionTimeout: 60_000,
  });
}

// NOTE: migrations are named without their extension, so the same database works whether the server runs from
// TypeScript sources (tsx) or from the compiled dist/.
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs
      .readdirSync(migrationsDirectory)
      .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.(ts|js)$/, ''))
      .filter((name, i, all) => all.indexOf(name) === i)
      .sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    const file = ['.js', '.ts'].map((ext) => path.join(migrationsDirectory, name + ext)).find((f) => fs.existsSync(f))!;
    return (await import(pathToFileURL(file).href)) as Knex.Migration;
  },
};

/** Applies every pending migration in migrations/. Returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' })) as [
    number,
    string[],
  ];
  return applied;
}

/**
 * The number of rows a delete touched. knex-pglite returns the driver's result object for deletes where the pg
 * dialect returns a number.
 */
export function deletedCount(result: unknown): number {
  if (typeof result === 'number') return result;
  const r = result as { rowCount?: number; affectedRows?: number } | undefined;
  return r?.rowCount ?? r?.affectedRows ?? 0;
}

/** The embedded PGlite instance behind `db` (knex-pglite keeps it on its client), or undefined on PostgreSQL. */
export function pgliteOf(db: Db): PGlite | undefined {
  const pglite = (db.client as { pglite?: unknown }).pglite;
  return pglite instanceof PGlite ? pglite : undefined;
}
