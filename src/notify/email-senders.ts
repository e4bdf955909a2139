// The senders the outbox worker delivers through: SMTP (nodemailer) in production, and the dev mailbox (JSON files
// under DATA_DIR/mailbox) in the embedded mode. The real SMS gateway comes with its own issue; only its interface is here.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { systemClock, type Clock } from '../core/clock.js';
import type { Channel, EmailMessage, SmsMessage } from './messages.js';

export interface EmailSender {
  /** Resolves once the message is accepted for delivery; rejects (with a `code` when known) otherwise. */
  send(message: EmailMessage): Promise<void>;
}

export interface SmsSendOptions {
  /** What makes this message distinct from another with the same number and text (the outbox row): `outbox:<id>`. */
  idempotencyKey?: string;
}

export interface SmsSender {
  send(message: SmsMessage, options?: SmsSendOptions): Promise<void>;
}

export interface SmtpSenderOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (TLS from the start). */
  smtpUrl: string;
  /** The From header, for example `BHXH ID <no-reply@example.vn>`. */
  from: string;
  /** Connection, greeting and idle-socket timeout; a whole send is abandoned after three times this. @default 10000 */
  timeoutMs?: number;
  /** Refuse to send unless the connection is encrypted (STARTTLS or smtps). Set it in production. @default false */
  requireTls?: boolean;
  /** Keep a few connections open between messages. @default false */
  pool?: boolean;
}

/** An SMTP sender with bounded waits, so an SMTP outage delays the worker by seconds, never hangs it. */
export function createSmtpSender(options: SmtpSenderOptions): EmailSender & { close(): void } {
  const url = new URL(options.smtpUrl);
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error('the SMTP URL must start with smtp:// or smtps://');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    requireTLS: options.requireTls ?? false,
    ...(options.pool ? { pool: true as const, maxConnections: 2 } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: options.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // NOTE: an overall deadline as well, so a server that trickles bytes cannot hold a claimed row past its lease.
        signal: AbortSignal.timeout(3 * timeoutMs),
      });
    },
    close() {
      transport.close();
    },
  };
}

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
