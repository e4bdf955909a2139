// The notification outbox. A flow enqueues its email or SMS in the same transaction as the change that causes it;
// a worker on any node delivers it later, with retries and backoff. An SMTP outage delays mail but loses none, and
// never changes what the member sees (nothing is sent while a request is being answered).
//
//   pending ──(sent)──▶ sent          (payload cleared)
//      │ ▲
//      │ └──(send failed, attempts < max: next_attempt_at = now + backoff)
//      └──(send failed, attempts = max)──▶ failed   (payload cleared, logged at error)
//
// NOTE: a claim is one statement (SELECT … FOR UPDATE SKIP LOCKED inside an UPDATE) that takes a lease and counts an
// attempt. (id, attempts) then names that claim: every later write is conditional on it, so a worker whose lease
// ran out and was taken over by another node neither sends the rest of its batch nor overwrites the other's result.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { Sealer } from '../keys/sealer.js';
import type { Clock } from '../core/clock.js';
import { parseEmailAddress } from '../core/email-address.js';
import type { EmailSender, SmsSender } from './email-senders.js';
import {
  composeMessage,
  type CatalogueMessage,
  type ChannelOf,
  type MessagePurpose,
  type OutboundMessage,
} from './catalogue.js';
import type { Channel, EmailMessage, SmsMessage } from './messages.js';

const TABLE = 'outbox';

const PURPOSE = /^[a-z][a-z0-9_]{0,63}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * The recipient as the outbox will take it (one plain email address under the one email rule; an E.164 number for
 * SMS), or null when enqueue would refuse it. Callers that must never fail on a stored address ask first.
 */
export function acceptedRecipient(channel: 'email' | 'sms', to: string): string | null {
  if (channel === 'email') return parseEmailAddress(to);
  return E164.test(to) ? to : null;
}

/** What is sealed: the rendered message with its channel and recipient, so a row's payload cannot be redirected. */
type SealedPayload = { v: 1 } & ({ channel: 'email'; message: EmailMessage } | { channel: 'sms'; message: SmsMessage });

const sealContext = (purpose: string) => `outbox:${purpose}`;

export interface Outbox {
  /**
   * Queues a message of the catalogue (src/notify/catalogue.ts), rendered from its template; inside `trx` when given,
   * so it is sent only if the caller's change commits.
   */
  send<P extends MessagePurpose, C extends ChannelOf<P>>(
    message: CatalogueMessage<P, C>,
    trx?: Knex.Transaction | Db,
  ): Promise<void>;
  /** Queues a message already rendered; `send` renders and comes here. */
  enqueue(message: OutboundMessage, trx?: Knex.Transaction | Db): Promise<void>;
}

export function createOutbox(db: Db, sealer: Sealer, clock: Clock): Outbox {
  const outbox: Outbox = {
    send(message, trx) {
      // Through the object's enqueue, the one door to the table (a test may replace it to make delivery fail).
      return outbox.enqueue(composeMessage(message), trx);
    },
    async enqueue(message, trx) {
      // Checked again though the type allows only the catalogue's: it names the row and binds the sealed payload.
      if (!PURPOSE.test(message.purpose))
        throw new Error('outbox: the purpose must be lower-case letters, digits and underscores');
      const payload = toSealedPayload(message);
      const now = clock.now();
      // NOTE: the caller's transaction, never the global db inside it (PGlite has a single connection).
      await (trx ?? db)(TABLE).insert({
        channel: message.channel,
        recipient: payload.message.to,
        payload_sealed: sealer.seal(JSON.stringify(payload), sealContext(message.purpose)),
        purpose: message.purpose,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
      });
    },
  };
  return outbox;
}

function toSealedPayload(message: OutboundMessage): SealedPayload {
  if (message.channel === 'email') {
    // One plain address under the one email rule (src/core/email-address.ts), the rule the CLI and the flows use:
    // a dot-atom has no display name, no list, nothing a mail library would read as several recipients.
    const to = acceptedRecipient('email', message.to);
    if (!to) throw new Error('outbox: the recipient is not one plain email address');
    const { subject, text, html } = message;
    return { v: 1, channel: 'email', message: { to, subject, text, html } };
  }
  if (!acceptedRecipient('sms', message.to)) throw new Error('outbox: the SMS recipient must be an E.164 number');
  return { v: 1, channel: 'sms', message: { to: message.to, text: message.text } };
}

/**
 * Deletes finished rows (sent or failed) created more than `olderThanSeconds` ago, in one batch; returns how many went.
 * Finished rows hold no content, but they still name a recipient: they are kept only as long as they help operators.
 */
export async function sweepFinishedOutbox(
  db: Db,
  clock: Clock,
  olderThanSeconds = 30 * 24 * 3600,
  batch = 1000,
): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - olderThanSeconds * 1000);
  const deleted = await db(TABLE)
    .whereIn(
      'id',
      db(TABLE).select('id').whereIn('status', ['sent', 'failed']).andWhere('created_at', '<', cutoff).limit(batch),
    )
    .delete()
    .returning('id');
  return deleted.length;
}

export interface OutboxWorkerOptions {
  /** How often an idle worker looks for due messages. @default 2000 */
  pollIntervalMs: number;
  /** Messages claimed per run. @default 10 */
  batchSize: number;
  /** Attempts before a message is given up as 'failed'. @default 10 */
  maxAttempts: number;
  /** How long a claim keeps other workers away; must exceed the longest send (the SMTP sender gives up after 3 × its timeout). @default 120 */
  leaseSeconds: number;
  /** The wait after the first failure; it doubles at each further failure. @default 30 */
  baseBackoffSeconds: number;
  /** The longest wait between two attempts. @default 3600 */
  maxBackoffSeconds: number;
}

export const defaultOutboxWorkerOptions: OutboxWorkerOptions = {
  pollIntervalMs: 2000,
  batchSize: 10,
  maxAttempts: 10,
  leaseSeconds: 120,
  baseBackoffSeconds: 30,
  maxBackoffSeconds: 3600,
};

export interface OutboxWorkerDeps {
  db: Db;
  sealer: Sealer;
  clock: Clock;
  senders: { email?: EmailSender; sms?: SmsSender };
  logger: Logger;
  options?: Partial<OutboxWorkerOptions>;
}

export interface RunResult {
  sent: number;
  retried: number;
  failed: number;
}

export interface OutboxWorker {
  /** Polls every pollIntervalMs (an unref'd timer; runs never overlap). */
  start(): void;
  /** Stops polling and waits for a run in progress. */
  stop(): Promise<void>;
  /** Claims due messages once and delivers them. Runs of one worker are serialised. */
  runOnce(): Promise<RunResult>;
}

interface ClaimedRow {
  id: string | number;
  channel: Channel;
  recipient: string;
  payload_sealed: string | null;
  purpose: string;
  attempts: number;
}

/** A failure whose class we name ourselves (no sender, unreadable payload). */
class DeliveryError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'DeliveryError';
  }
}

/** The delay before the next attempt: base · 2^(attempts − 1), at most max. Deterministic (no jitter). */
export function backoffSeconds(
  attempts: number,
  options: Pick<OutboxWorkerOptions, 'baseBackoffSeconds' | 'maxBackoffSeconds'>,
): number {
  return Math.min(options.baseBackoffSeconds * 2 ** Math.max(0, attempts - 1), options.maxBackoffSeconds);
}

/**
 * A short class for last_error and the logs: the library's error code, the original errno and the SMTP reply code.
 * NOTE: never the error message, which may repeat the address or the server's reply about the content.
 */
export function errorClass(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; originalCode?: unknown; responseCode?: unknown; name?: unknown };
  const token = (v: unknown) => (typeof v === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(v) ? v : undefined);
  const parts = [token(e.code) ?? token(e.name) ?? 'Error'];
  const original = token(e.originalCode);
  if (original && original !== parts[0]) parts.push(original);
  if (typeof e.responseCode === 'number' && Number.isInteger(e.responseCode)) parts.push(String(e.responseCode));
  return parts.join('/');
}

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { db, sealer, clock, senders, logger } = deps;
  const options = { ...defaultOutboxWorkerOptions, ...deps.options };
  const log = logger.child({ component: 'outbox' });

  async function claim(): Promise<ClaimedRow[]> {
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + options.leaseSeconds * 1000);
    // NOTE: the due rows are chosen in a MATERIALIZED CTE so the locking subquery runs exactly once (an IN (…)
    // subquery may be re-evaluated by the planner and claim more than `limit`).
    const result = (await db.raw(
      `with due as materialized (
         select id from outbox
          where status = 'pending' and next_attempt_at <= :now and (locked_until is null or locked_until <= :now)
          order by id
          limit :limit
          for update skip locked
       )
       update outbox set locked_until = :leaseUntil, attempts = outbox.attempts + 1
         from due
        where outbox.id = due.id
       returning outbox.id, outbox.channel, outbox.recipient, outbox.payload_sealed, outbox.purpose, outbox.attempts`,
      { now, leaseUntil, limit: options.batchSize },
    )) as { rows?: ClaimedRow[] };
    return (result.rows ?? []).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** The rows of this claim only: still pending and not claimed again since. */
  const ours = (row: ClaimedRow) => db(TABLE).where({ id: row.id, attempts: row.attempts, status: 'pending' });

  /** Renews the lease just before sending; false when another worker has claimed the row since. */
  async function renewLease(row: ClaimedRow): Promise<boolean> {
    const leaseUntil = new Date(clock.now().getTime() + options.leaseSeconds * 1000);
    const updated = await ours(row).update({ locked_until: leaseUntil }).returning('id');
    return updated.length === 1;
  }

  function openPayload(row: ClaimedRow): SealedPayload {
    if (!row.payload_sealed) throw new DeliveryError('payload_missing');
    let payload: SealedPayload;
    try {
      payload = JSON.parse(sealer.open(row.payload_sealed, sealContext(row.purpose))) as SealedPayload;
    } catch {
      throw new DeliveryError('payload_unreadable');
    }
    if (payload.v !== 1 || payload.channel !== row.channel || payload.message.to !== row.recipient)
      throw new DeliveryError('payload_mismatch');
    return payload;
  }

  async function deliver(payload: SealedPayload, row: ClaimedRow): Promise<void> {
    if (payload.channel === 'email') {
      if (!senders.email) throw new DeliveryError('no_email_sender');
      return senders.email.send(payload.message);
    }
    if (!senders.sms) throw new DeliveryError('no_sms_sender');
    // The row id lets a gateway drop a retry it already handed on (the same id on every attempt).
    return senders.sms.send(payload.message, { idempotencyKey: `outbox:${row.id}` });
  }

  async function processRow(row: ClaimedRow, result: RunResult): Promise<void> {
    const entry = { outboxId: String(row.id), purpose: row.purpose, channel: row.channel, attempts: row.attempts };
    if (!(await renewLease(row))) {
      log.warn(entry, 'outbox: claim taken over by another worker before sending; skipped');
      return;
    }
    let failure: string | undefined;
    try {
      await deliver(openPayload(row), row);
    } catch (err) {
      failure = errorClass(err);
    }
    const now = clock.now();
    if (failure === undefined) {
      const updated = await ours(row)
        .update({ status: 'sent', sent_at: now, payload_sealed: null, locked_until: null, last_error: null })
        .returning('id');
      if (updated.length === 1) result.sent += 1;
      else log.warn(entry, 'outbox: sent after the claim was taken over by another worker (it may be delivered twice)');
      return;
    }
    if (row.attempts >= options.maxAttempts) {
      const updated = await ours(row)
        .update({ status: 'failed', payload_sealed: null, locked_until: null, last_error: failure })
        .returning('id');
      if (updated.length === 1) {
        result.failed += 1;
        log.error({ ...entry, error: failure }, 'outbox: message given up after the last attempt');
      }
      return;
    }
    const delay = backoffSeconds(row.attempts, options);
    const updated = await ours(row)
      .update({ next_attempt_at: new Date(now.getTime() + delay * 1000), locked_until: null, last_error: failure })
      .returning('id');
    if (updated.length === 1) {
      result.retried += 1;
      log.warn({ ...entry, error: failure, retryInSeconds: delay }, 'outbox: delivery failed; will retry');
    }
  }

  async function run(): Promise<RunResult> {
    const result: RunResult = { sent: 0, retried: 0, failed: 0 };
    // One at a time: a batch goes out in order, and a slow server is not hit by a burst.
    for (const row of await claim()) await processRow(row, result);
    return result;
  }

  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let generation = 0; // a stop() then start() must not leave the old loop running beside the new one

  function runOnce(): Promise<RunResult> {
    const next = chain.then(run);
    chain = next.catch(() => {});
    return next;
  }

  function schedule(delayMs: number, loop = generation) {
    if (!polling || loop !== generation) return;
    timer = setTimeout(() => {
      timer = undefined;
      runOnce()
        .then(
          (r) => r.sent + r.retried + r.failed >= options.batchSize,
          (err: unknown) => {
            log.error({ err }, 'outbox: run failed');
            return false;
          },
        )
        .then((more) => {
          // A full batch suggests more are due: look again at once rather than after the interval.
          schedule(more ? 0 : options.pollIntervalMs, loop);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (polling) return;
      polling = true;
      generation += 1;
      schedule(0);
    },
    async stop() {
      polling = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
    },
    runOnce,
  };
}
