// Temporary passwords, one module for every channel (SMS keyword, hotline, office): random, 10 characters from an
// alphabet without look-alikes (easy to read aloud and to type), stored only as an argon2id hash beside the member's
// own password, single use, valid 10 minutes, and good only to sign in and choose a new password at once.
// NOTE (issue 14, item 4): an account holds one temporary password at a time, so a new one, from any channel, ends the
// one before it. We chose that over keeping each valid for its stated life (several live passwords would each be a way
// in, and "a newer one ends the older steps" is what the credential version already says); instead the new one's
// message says so when it replaces one still live: "Mật khẩu tạm thời cấp trước đó không còn dùng được", on every
// channel (SMS, email, the hotline's voice, the office desk: `replaced`).
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Account, AccountRepository } from '../../accounts/account-repository.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../core/clock.js';
import type { PasswordHasher } from '../password/hasher.js';
import type { Outbox } from '../../notify/outbox.js';

/** No 0/o, 1/l/i: nothing a member could misread or mishear. */
export const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const TEMPORARY_LENGTH = 10;

export function generateTemporaryPassword(length = TEMPORARY_LENGTH): string {
  return Array.from({ length }, () => TEMPORARY_ALPHABET[crypto.randomInt(TEMPORARY_ALPHABET.length)]).join('');
}

/** A new temporary password, returned once; `replaced`: it ended an earlier one that was still live. */
export interface IssuedTemporaryPassword {
  password: string;
  expiresAt: Date;
  replaced: boolean;
}

export interface TemporaryPasswordOptions {
  ttlSeconds: number;
}

/** Where a new temporary password goes: an SMS or an email to an address on file, or nowhere (the hotline reads it
 * aloud, the office prints it at the desk). The caller has checked the address (deliverable-address.ts). */
export type TemporaryDelivery = { channel: 'sms' | 'email'; to: string } | null;

/** What delivering needs: the outbox, and the issuer named in the email. */
export interface TemporaryPasswordDelivery {
  outbox: Pick<Outbox, 'send'>;
  issuer: string;
}

export function createTemporaryPasswords(
  accounts: Pick<
    AccountRepository,
    'moveCredentialVersion' | 'temporaryPassword' | 'useTemporaryPassword' | 'lockTemporaryPassword'
  >,
  hasher: PasswordHasher,
  clock: Clock,
  options: TemporaryPasswordOptions,
  delivery?: TemporaryPasswordDelivery,
) {
  /** How long a temporary password lasts, in whole minutes as members are told (never more than it lasts). */
  const minutes = Math.max(1, Math.floor(options.ttlSeconds / 60));
  const issue = async (accountId: string, trx?: Knex.Transaction | Db): Promise<IssuedTemporaryPassword> => {
    const password = generateTemporaryPassword();
    const hash = await hasher.hash(password);
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000);
    // In the caller's transaction (every channel gives one), the row lock holds from reading the earlier password to
    // replacing it: of two channels issuing at once, the second is told.
    const earlier = await accounts.lockTemporaryPassword(accountId, trx);
    await accounts.moveCredentialVersion(
      accountId,
      { temporary_password_hash: hash, temporary_password_expires_at: expiresAt },
      trx ? { trx } : {},
    );
    return { password, expiresAt, replaced: Boolean(earlier && earlier.expiresAt > now) };
  };
  return {
    options,
    minutes,
    /**
     * Issues a new temporary password for the account (the previous one, if any, dies: `replaced` says whether one was
     * still live) and returns it once. It moves the credential version: a step begun with an older one ends. The
     * member's sessions stay (her password works).
     */
    issue,

    /**
     * The one way every channel hands out a temporary password: issues it (as `issue`) and, in the same transaction,
     * queues it for the address given. Returns the password once, for a channel that says it (hotline, office desk).
     */
    async issueAndDeliver(
      accountId: string,
      to: TemporaryDelivery,
      trx: Knex.Transaction,
    ): Promise<IssuedTemporaryPassword> {
      const issued = await issue(accountId, trx);
      if (!to) return issued;
      if (!delivery) throw new Error('temporary passwords were created without an outbox');
      await delivery.outbox.send(
        {
          purpose: 'temporary_password',
          channel: to.channel,
          to: to.to,
          params: { password: issued.password, minutes, issuer: delivery.issuer, replacesEarlier: issued.replaced },
        },
        trx,
      );
      return issued;
    },

    /**
     * Checks a typed password against the account's live temporary password and, on a match, uses it up in the same
     * conditional update (single use: a second sign-in with it fails).
     */
    async consume(account: Account & { temporaryPasswordHash?: string | null }, typed: string): Promise<boolean> {
      const live = await accounts.temporaryPassword(account.id);
      if (!live) return false;
      if (live.expiresAt.getTime() <= clock.now().getTime()) return false;
      if (!(await hasher.verify(live.hash, typed))) return false;
      return accounts.useTemporaryPassword(account.id, live.hash);
    },
  };
}

export type TemporaryPasswords = ReturnType<typeof createTemporaryPasswords>;
