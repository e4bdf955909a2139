// The senders the outbox worker delivers through: SMTP (nodemailer) in production. The dev mailbox (JSON files under
// DATA_DIR/mailbox, the embedded mode's sender) is dev-only code in src/dev/mailbox.ts. The real SMS gateway comes with
// its own issue; only its interface is here.
import nodemailer from 'nodemailer';
import type { EmailMessage, SmsMessage } from './messages.js';

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
