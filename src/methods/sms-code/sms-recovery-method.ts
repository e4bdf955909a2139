// The SMS-code recovery method: the member types the phone number on file (any Vietnamese way of writing it); the
// code goes to the number on file through the outbox (SMS gateway, or the dev mailbox).
import { parsePhoneNumber } from '../../accounts/identifiers.js';
import type { RecoveryMethod } from '../recovery-method.js';
import type { Outbox } from '../../notify/outbox.js';
import { maskPhoneAsTyped } from '../../core/masking.js';

// The masking rule lives with the other masks (src/core/masking.ts); the recovery pages and the account page share it.
export { maskPhoneAsTyped } from '../../core/masking.js';

export function createSmsRecoveryMethod(outbox: Outbox): RecoveryMethod {
  return {
    id: 'sms-code',
    field: 'phone',
    channel: 'sms',
    parseAddress(input) {
      const phone = parsePhoneNumber(input);
      return phone ? { ok: true, address: phone } : { ok: false, error: 'recovery.error.phone_format' };
    },
    shownAddress: (typed) => maskPhoneAsTyped(typed),
    async sendCode(trx, to, code, minutes) {
      await outbox.send({ purpose: 'recovery_code', channel: 'sms', to, params: { code, minutes } }, trx);
    },
  };
}
