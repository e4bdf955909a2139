// "Every channel on file hears of it": the notices that carry no secret (password changed, VNeID link made or
// removed) go to the account's email and phone, verified or not (DESIGN.md: a member whose account was taken over
// learns at once). Written in the caller's transaction, so they leave only if the change commits.
import type { Knex } from 'knex';
import type { EmailContent, MessagePurpose, SmsContent } from './messages.js';
import { acceptedRecipient, type Outbox } from './outbox.js';

export interface Notice {
  purpose: MessagePurpose;
  email: EmailContent;
  sms: SmsContent;
}

/**
 * Queues the notice for every address on file. NOTE: an address the outbox's rule refuses (a row written before the
 * one email rule) is skipped, not fatal: a notice must never fail the change it reports. Returns the channels used.
 */
export async function notifyEveryChannel(
  outbox: Outbox,
  trx: Knex.Transaction,
  account: { email: string | null; phoneNumber: string | null },
  notice: Notice,
): Promise<Array<'email' | 'sms'>> {
  const sent: Array<'email' | 'sms'> = [];
  const email = account.email ? acceptedRecipient('email', account.email) : null;
  if (email) {
    await outbox.enqueue({ channel: 'email', to: email, purpose: notice.purpose, ...notice.email }, trx);
    sent.push('email');
  }
  if (account.phoneNumber && acceptedRecipient('sms', account.phoneNumber)) {
    await outbox.enqueue({ channel: 'sms', to: account.phoneNumber, purpose: notice.purpose, ...notice.sms }, trx);
    sent.push('sms');
  }
  return sent;
}
