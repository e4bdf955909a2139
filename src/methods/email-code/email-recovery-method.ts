// The email-code recovery method: the member types the email on file; the code goes there through the outbox.
import type { RecoveryMethod } from '../../flows/recovery/recovery-method.js';
import type { Outbox } from '../../notify/outbox.js';
import { recoveryCodeEmail } from '../../notify/templates.js';

// No spaces, no second @, no control characters (a NUL would not even reach the database).
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]{1,190}\.[^\s@\p{Cc}]{2,63}$/u;

export function createEmailRecoveryMethod(outbox: Outbox, issuer: string): RecoveryMethod {
  return {
    id: 'email-code',
    field: 'email',
    channel: 'email',
    parseAddress(input) {
      const address = input.trim().toLowerCase();
      return EMAIL.test(address) && address.length <= 254 ? { ok: true, address } : { ok: false, error: 'recovery.error.email_format' };
    },
    matches: (account, address) => Boolean(account.email) && account.email!.trim().toLowerCase() === address,
    async sendCode(trx, account, code, minutes) {
      await outbox.enqueue({ channel: 'email', to: account.email!, purpose: 'recovery_code', ...recoveryCodeEmail({ code, minutes, issuer }) }, trx);
    },
  };
}
