// The carrier webhooks' shared secrets in the embedded development default. When SMS_INBOUND_SECRET or
// VOICE_WEBHOOK_SECRET is not set there, the configuration names a file in DATA_DIR instead (config.smsInbound.secretFile,
// config.voice.secretFile; never outside that default): the server generates it at its first start, as it does the
// encryption key (keys/encryption-key.ts), and `bhxh-id dev sms|call` reads it, so both sign with the same secret.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';

interface WebhookChannel {
  enabled: boolean;
  secret?: string;
  secretFile?: string;
}

/** The secret kept in `file`; made first (32 random bytes, base64url, mode 0600) when `create` and there is none. */
function secretIn(file: string, create: boolean): { secret?: string; created: boolean } {
  let created = false;
  if (create && !fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (!fs.existsSync(file)) return { created };
  return { secret: fs.readFileSync(file, 'utf8').trim() || undefined, created };
}

function resolveChannel<T extends WebhookChannel>(channel: T, variable: string, create: boolean, logger?: Logger): T {
  if (!channel.enabled || channel.secret || !channel.secretFile) return channel;
  const { secret, created } = secretIn(channel.secretFile, create);
  if (created)
    logger?.info(
      { file: channel.secretFile },
      `${variable} is not set: generated one in the data folder (embedded development default only)`,
    );
  return { ...channel, secret };
}

/**
 * The configuration with each webhook's generated secret filled in. The server passes `create: true` (it makes a
 * missing file); the dev commands only read, so before the server's first start they find none and say so.
 */
export function withWebhookSecrets(config: Config, options: { create: boolean; logger?: Logger }): Config {
  return {
    ...config,
    smsInbound: resolveChannel(config.smsInbound, 'SMS_INBOUND_SECRET', options.create, options.logger),
    voice: resolveChannel(config.voice, 'VOICE_WEBHOOK_SECRET', options.create, options.logger),
  };
}
