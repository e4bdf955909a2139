// The dev mailbox: the sender the embedded mode delivers through when there is no real transport (no SMTP_URL, no
// SMS_GATEWAY_URL). Each message becomes a JSON file under DATA_DIR/mailbox, shown at /dev/mailbox (./mailbox-routes.ts).
// Dev-only: src/server.ts loads it by dynamic import when config.devMailbox is on outside production.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { EmailSender, SmsSender } from '../notify/email-senders.js';
import type { Channel } from '../notify/messages.js';

export interface MailboxEntry {
  id: string;
  channel: Channel;
  to: string;
  subject?: string;
  text: string;
  html?: string;
  /** ISO 8601. */
  at: string;
}

export interface DevMailbox {
  email: EmailSender;
  sms: SmsSender;
  /** The newest messages first. */
  list(limit?: number): Promise<MailboxEntry[]>;
  /** One message, or undefined when the id is unknown or not a mailbox id at all. */
  read(id: string): Promise<MailboxEntry | undefined>;
}

/** Mailbox ids: 13-digit epoch milliseconds, a 6-digit sequence, 8 hex digits. Nothing else reaches the file system. */
export const MAILBOX_ID = /^\d{13}-\d{6}-[0-9a-f]{8}$/;

/**
 * A sender for development: each message becomes a JSON file (mode 0600) in `dir`, readable at /dev/mailbox.
 * NOTE: files hold one-time codes in clear; this is never wired in production.
 */
export function createDevMailbox(dir: string, clock: Clock = systemClock): DevMailbox {
  let sequence = 0;
  let ready: Promise<unknown> | undefined;

  async function write(entry: Omit<MailboxEntry, 'id' | 'at'>): Promise<void> {
    ready ??= fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await ready;
    const at = clock.now();
    sequence = (sequence + 1) % 1_000_000;
    const id = `${String(at.getTime()).padStart(13, '0')}-${String(sequence).padStart(6, '0')}-${crypto.randomBytes(4).toString('hex')}`;
    const file: MailboxEntry = { id, ...entry, at: at.toISOString() };
    await fs.writeFile(path.join(dir, `${id}.json`), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }

  async function readFile(id: string): Promise<MailboxEntry | undefined> {
    if (!MAILBOX_ID.test(id)) return undefined;
    try {
      return JSON.parse(await fs.readFile(path.join(dir, `${id}.json`), 'utf8')) as MailboxEntry;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  return {
    email: {
      send: (m) => write({ channel: 'email', to: m.to, subject: m.subject, text: m.text, html: m.html }),
    },
    sms: {
      send: (m) => write({ channel: 'sms', to: m.to, text: m.text }),
    },
    async list(limit = 200) {
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      // The id starts with the time and a sequence, so the name order is the arrival order.
      const ids = names
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -'.json'.length))
        .filter((id) => MAILBOX_ID.test(id))
        .sort()
        .reverse()
        .slice(0, limit);
      const entries = await Promise.all(ids.map(readFile));
      return entries.filter((e): e is MailboxEntry => e !== undefined);
    },
    read: readFile,
  };
}
