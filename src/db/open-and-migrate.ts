// Opens the configured database for a process (taking the data-folder lock for PGlite) and applies migrations.
import type { Config } from '../config/config.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { migrate, openDatabase, type Db } from './database.js';

export async function openAndMigrate(config: Config): Promise<{ db: Db; release: () => void; applied: string[] }> {
  const release = config.database.kind === 'pglite' ? acquireDataDirLock(config.dataDir) : () => {};
  try {
    const db = openDatabase(config.database);
    const applied = await migrate(db);
    return { db, release, applied };
  } catch (err) {
    release();
    throw err;
  }
}
