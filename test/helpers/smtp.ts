// A real SMTP server (smtp-server) that keeps what it receives, parsed by mailparser, for tests to read.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Inbox {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** The same list as `messages`: a message is here before the server answers 250. */
  received: ParsedMail[];
  /** Resolves once `count` messages have arrived in all; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Resolves with the next message for `to` (or already received and not yet taken), within `timeoutMs`. */
  next(to: string, timeoutMs?: number): Promise<ParsedMail>;
  /** Messages for `to` received so far (not consumed). */
  for(to: string): ParsedMail[];
  close(): Promise<void>;
  /** Stops listening (the port stays reserved for restart()). */
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startInbox(port = 0): Promise<Inbox> {
  const messages: ParsedMail[] = [];
  const taken = new Set<ParsedMail>();
  const waiters: Array<{ to: string; resolve: (m: ParsedMail) => void }> = [];
  const counters: Array<{ count: number; resolve: () => void }> = [];
  const recipients = (m: ParsedMail) =>
    (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address?.toLowerCase()));

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            messages.push(mail);
            for (const c of counters.filter((c) => messages.length >= c.count)) {
              counters.splice(counters.indexOf(c), 1);
              c.resolve();
            }
            const i = waiters.findIndex((w) => recipients(mail).includes(w.to));
            if (i >= 0) {
              taken.add(mail);
              waiters.splice(i, 1)[0]!.resolve(mail);
            }
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
  let server = make();
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
    });
  const boundPort = await listen(port);
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));

  return {
    url: `smtp://127.0.0.1:${boundPort}`,
    port: boundPort,
    messages,
    received: messages,
    waitFor(count, timeoutMs = 5000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} messages within ${timeoutMs} ms, got ${messages.length}`)),
          timeoutMs,
        );
        counters.push({ count, resolve: () => (clearTimeout(timer), resolve(messages)) });
      });
    },
    for: (to) => messages.filter((m) => recipients(m).includes(to.toLowerCase())),
    next(to, timeoutMs = 5000) {
      const address = to.toLowerCase();
      const waiting = messages.find((m) => !taken.has(m) && recipients(m).includes(address));
      if (waiting) {
        taken.add(waiting);
        return Promise.resolve(waiting);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail for ${to} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ to: address, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    close: stop,
    stop,
    async restart() {
      server = make();
      await listen(boundPort);
    },
  };
}

/** The 6-digit code in a recovery email. */
export function codeIn(mail: ParsedMail): string {
  const match = (mail.text ?? '').match(/\b(\d{6})\b/);
  if (!match) throw new Error(`no code in mail: ${mail.subject}`);
  return match[1]!;
}
