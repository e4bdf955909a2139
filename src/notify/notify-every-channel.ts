// "Every channel on file hears of it": the notices that carry no secret (password changed, VNeID link made or
// removed) go to the account's email and phone, verified or not (DESIGN.md: a member whose account was taken over
// learns at once). Written in the caller's transaction, so they leave only if the change commits.
import type { Knex } from 'knex';
import type { CatalogueMessage, MessageParams, NoticePurpose } from './catalogue.js';
import type { Channel } from './messages.js';
import { acceptedRecipient, type Outbox } from './outbox.js';

/**
 * Queues the notice for every address on file. Only a purpose of the catalogue on both channels and without a secret
 * (`NoticePurpose`): an unverified address may hear it. NOTE: an address the outbox's rule refuses (a row written
 * before the one email rule) is skipped, not fatal: a notice must never fail the change it reports. Returns the
 * channels used.
 */
export async function notifyEveryChannel<P extends NoticePurpose>(
  outbox: Pick<Outbox, 'send'>,
  trx: Knex.Transaction,
  account: { email: string | null; phoneNumber: string | null },
  purpose: P,
  params: MessageParams<P, Channel>,
): Promise<Channel[]> {
  // A notice purpose has both channels; the compiler cannot see that for a P not yet known.
  const notice = (channel: Channel, to: string) =>
    ({ purpose, channel, to, params }) as unknown as CatalogueMessage<NoticePurpose, Channel>;
  const sent: Channel[] = [];
  const email = account.email ? acceptedRecipient('email', account.email) : null;
  if (email) {
    await outbox.send(notice('email', email), trx);
    sent.push('email');
  }
  if (account.phoneNumber && acceptedRecipient('sms', account.phoneNumber)) {
    await outbox.send(notice('sms', account.phoneNumber), trx);
    sent.push('sms');
  }
  return sent;
}
