// What commands work with: the configured database (PGlite with its lock, or PostgreSQL) and the services the server
// builds too (src/app/services.ts: repositories, hasher, outbox, temporary passwords, federated identities, key
// lifecycle), on the system clock. Commands construct no service.
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Db } from '../db/database.js';
import { openAndMigrate } from '../db/open-and-migrate.js';
import { resolveEncryptionKey } from '../keys/encryption-key.js';
import type { KeyLifecycle } from '../keys/lifecycle.js';
import { createSealer, type Sealer } from '../keys/sealer.js';
import { revokeAccount } from '../oidc/revoke-account.js';
import { type AccountSessions, createAccountSessions } from '../oidc/account-sessions.js';
import { createSessionDevices } from '../oidc/session-devices.js';
import { buildSharedServices, type SharedServices } from './services.js';

export interface CliContext extends Omit<SharedServices, 'keyLifecycle'> {
  config: Config;
  db: Db;
  sealer: Sealer;
  logger: Logger;
  clock: Clock;
  keyLifecycle: KeyLifecycle;
  /** Ends an account's sessions, grants and tokens; without a provider here, so no back-channel logout. */
  revokeAccount(accountId: string): Promise<{ sessions: number; artifacts: number }>;
  /** A member's sessions and apps with access (src/oidc/account-sessions.ts, as on the account page); no provider
   * here, so ending them sends no back-channel logout. */
  accountSessions: AccountSessions;
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
  const services = buildSharedServices(config, { db, sealer, clock });
  const devices = createSessionDevices(db, clock);
  return {
    ...services,
    config,
    db,
    sealer,
    logger,
    clock,
    keyLifecycle: services.keyLifecycle(),
    revokeAccount: (accountId) => revokeAccount({ db, logger, devices }, accountId),
    accountSessions: createAccountSessions({
      db,
      clock,
      logger,
      audit: services.audit,
      outbox: services.outbox,
      issuer: config.issuer,
      devices,
      clients: services.clients,
    }),
    migrationsApplied: applied,
    readStdin,
    async close() {
      await db.destroy();
      release();
    },
  };
}
