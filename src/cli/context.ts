// What commands work with: the configured database (PGlite with its lock, or PostgreSQL), repositories, hasher.
import type { Logger } from 'pino';
import { createAccountRepository } from '../accounts/account-repository.js';
import { createAuditLog } from '../audit/audit-log.js';
import { createClientRepository } from '../clients/client-repository.js';
import { createResourceServerRepository } from '../clients/resource-server-repository.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import { createSealer, type Sealer } from '../keys/sealer.js';
import { createPasswordHasher } from '../methods/password/hasher.js';
import { openAndMigrate } from '../db/open-and-migrate.js';
import { resolveEncryptionKey } from '../keys/encryption-key.js';

export interface CliContext {
  config: Config;
  db: Db;
  sealer: Sealer;
  logger: Logger;
  accounts: ReturnType<typeof createAccountRepository>;
  clients: ReturnType<typeof createClientRepository>;
  resourceServers: ReturnType<typeof createResourceServerRepository>;
  audit: ReturnType<typeof createAuditLog>;
  hasher: ReturnType<typeof createPasswordHasher>;
  /** Migrations applied when the context opened. */
  migrationsApplied: string[];
  readStdin(): Promise<string>;
  close(): Promise<void>;
}

export async function openCliContext(
  config: Config,
  logger: Logger,
  readStdin: () => Promise<string>,
): Promise<CliContext> {
  const { db, release, applied } = await openAndMigrate(config);
  // Previous keys (a rotation in progress) still open what they sealed; new values are sealed under the primary.
  const sealer = createSealer(resolveEncryptionKey(config, logger), config.previousKeysEncryptionKeys);
  return {
    config,
    db,
    sealer,
    logger,
    accounts: createAccountRepository(db),
    clients: createClientRepository(db, sealer),
    resourceServers: createResourceServerRepository(db),
    audit: createAuditLog(db),
    hasher: createPasswordHasher(config.argon2),
    migrationsApplied: applied,
    readStdin,
    async close() {
      await db.destroy();
      release();
    },
  };
}
