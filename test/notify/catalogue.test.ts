// The message catalogue: every purpose fits the outbox's rule, renders its own template, and refuses wrong
// combinations (at compile time: the @ts-expect-error lines below fail `npm run typecheck` once they compile).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CATALOGUE,
  composeMessage,
  type CatalogueMessage,
  type MessagePurpose,
  type NoticePurpose,
} from '../../src/notify/catalogue.js';
import type { Outbox } from '../../src/notify/outbox.js';
import { recoveryCodeEmail, smsHelpReply, temporaryPasswordSms } from '../../src/notify/templates.js';

const ISSUER = 'https://id.baohiemxahoi.test';

describe('message catalogue', () => {
  it('names every purpose as the outbox stores it: lower-case letters, digits and underscores', () => {
    for (const purpose of Object.keys(CATALOGUE)) assert.match(purpose, /^[a-z][a-z0-9_]{0,63}$/);
  });

  it('renders the template of the purpose on the channel asked for, with the recipient and the purpose', () => {
    assert.deepEqual(
      composeMessage({
        purpose: 'recovery_code',
        channel: 'email',
        to: 'member@example.vn',
        params: { code: '482913', minutes: 10, issuer: ISSUER },
      }),
      {
        channel: 'email',
        to: 'member@example.vn',
        purpose: 'recovery_code',
        ...recoveryCodeEmail({ code: '482913', minutes: 10, issuer: ISSUER }),
      },
    );
    const channel = 'sms' as 'sms' | 'email';
    assert.deepEqual(
      composeMessage({
        purpose: 'temporary_password',
        channel,
        to: '+84912000111',
        params: { password: 'abcdefgh23', minutes: 10, issuer: ISSUER },
      }),
      {
        channel: 'sms',
        to: '+84912000111',
        purpose: 'temporary_password',
        ...temporaryPasswordSms({ password: 'abcdefgh23', minutes: 10 }),
      },
    );
    assert.deepEqual(composeMessage({ purpose: 'sms_inbound_help', channel: 'sms', to: '+84912000111' }), {
      channel: 'sms',
      to: '+84912000111',
      purpose: 'sms_inbound_help',
      ...smsHelpReply(),
    });
  });

  it('refuses a purpose on a channel it does not have, from a caller that is not type-checked', () => {
    const wrong = { purpose: 'sms_inbound_help', channel: 'email', to: 'member@example.vn' };
    assert.throws(() => composeMessage(wrong as unknown as CatalogueMessage<'sms_inbound_help', 'sms'>), /no email/);
  });

  it('marks the purposes that carry a code or a password as secret', () => {
    const secret = Object.entries(CATALOGUE)
      .filter(([, entry]) => entry.secret)
      .map(([purpose]) => purpose)
      .sort();
    assert.deepEqual(secret, ['address_verification', 'recovery_code', 'temporary_password']);
  });
});

// Never called: what the compiler must refuse.
export function wrongCombinations(outbox: Outbox): void {
  // @ts-expect-error: the help reply goes by SMS only
  void outbox.send({ purpose: 'sms_inbound_help', channel: 'email', to: 'member@example.vn' });
  void outbox.send({
    purpose: 'recovery_code',
    channel: 'email',
    to: 'a@example.vn',
    // @ts-expect-error: the email names the issuer
    params: { code: '1', minutes: 1 },
  });
  // @ts-expect-error: a code needs its parameters
  void outbox.send({ purpose: 'recovery_code', channel: 'sms', to: '+84912000111' });
  // @ts-expect-error: not a purpose of the catalogue
  void outbox.send({ purpose: 'newsletter', channel: 'sms', to: '+84912000111' });
  void outbox.send({
    purpose: 'temporary_password',
    channel: 'sms' as 'sms' | 'email',
    to: '+84912000111',
    // @ts-expect-error: a channel known only as 'sms' | 'email' needs what both templates take
    params: { password: 'abcdefgh23', minutes: 10 },
  });
  const notices: NoticePurpose[] = ['password_changed', 'vneid_linked', 'vneid_link_removed'];
  // @ts-expect-error: a code is never a notice to every address on file
  const secret: NoticePurpose = 'recovery_code';
  // @ts-expect-error: on one channel only
  const smsOnly: NoticePurpose = 'sms_inbound_mismatch';
  const purposes: MessagePurpose[] = [...notices, secret, smsOnly];
  void purposes;
}
