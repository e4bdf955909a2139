// The key that seals private keys and client secrets at rest.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';

/**
 * KEYS_ENCRYPTION_KEY when set. In the embedded mode without it, one is generated into the data folder (with a
 * warning); production requires the variable (checked by the configuration).
 */
export function resolveEncryptionKey(config: Config, logger: Logger): Buffer {
  if (config.keysEncryptionKey) return config.keysEncryptionKey;
  if (config.database.kind !== 'pglite') throw new Error('KEYS_ENCRYPTION_KEY: is required with DATABASE_URL');
  const file = path.join(config.dataDir, 'keys-encryption.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    logger.warn(
      { file },
      'KEYS_ENCRYPTION_KEY is not set: generated one in the data folder. Set KEYS_ENCRYPTION_KEY for anything but local development.',
    );
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
}
