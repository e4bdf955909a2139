// What commands work with: the configured database (PGlite with its lock, or PostgreSQL), repositories, hasher, and
// the services commands share (outbox, temporary passwords, federated identities, key lifecycle), built here once on the
// system clock, so no command constructs a service.
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
import { systemClock, type Clock } from '../core/clock.js';
import { createOutbox, type Outbox } from '../notify/outbox.js';
import {
  createTemporaryPasswords,
  type TemporaryPasswords,
} from '../methods/temporary-password/temporary-passwords.js';
import { createFederatedIdentities, type FederatedIdentities } from '../accounts/federated-identities.js';
import { createKeyLifecycle, type KeyLifecycle, policyFromConfig } from '../keys/lifecycle.js';
import { revokeIssuedBetween } from '../oidc/revoke-issued.js';

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
  clock: Clock;
  outbox: Outbox;
  temporaryPasswords: TemporaryPasswords;
  federatedIdentities: FederatedIdentities;
  keyLifecycle: KeyLifecycle;
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
  const clock = systemClock;
  const audit = createAuditLog(db);
  const hasher = createPasswordHasher(config.argon2);
  const outbox = createOutbox(db, sealer, clock);
  return {
    config,
    db,
    sealer,
    logger,
    accounts: createAccountRepository(db),
    clients: createClientRepository(db, sealer),
    resourceServers: createResourceServerRepository(db),
    audit,
    hasher,
    clock,
    outbox,
    temporaryPasswords: createTemporaryPasswords(db, hasher, clock, config.temporaryPasswords, {
      outbox,
      issuer: config.issuer,
    }),
    federatedIdentities: createFederatedIdentities(db, clock),
    keyLifecycle: createKeyLifecycle({
      db,
      sealer,
      clock,
      audit,
      policy: policyFromConfig(config, createResourceServerRepository(db)),
      revokeIssuedBetween,
    }),
    migrationsApplied: applied,
    readStdin,
    async close() {
      await db.destroy();
      release();
    },
  };
}
