// The SMS-code recovery method: the member types the phone number on file (any Vietnamese way of writing it); the
// code goes to the number on file through the outbox (SMS gateway, or the dev mailbox).
import { parsePhoneNumber } from '../../accounts/identifiers.js';
import type { RecoveryMethod } from '../recovery-method.js';
import type { Outbox } from '../../notify/outbox.js';

/** Digits shown at each end of a masked number. */
const SHOWN_FIRST = 4;
const SHOWN_LAST = 3;

/**
 * A phone number masked in the form the member typed it: every digit but the first four and the last three becomes
 * "•", and everything else (spaces, dots, dashes, a leading +) stays where it was, so `0168 765 4321` reads
 * `0168 ••• •321` and `0912.345.678` reads `0912.•••.678`. Runs of spaces become one.
 * NOTE: the start shows the network prefix the member recognises (in her own old or new form); the middle, which
 * tells one subscriber from another, is hidden from anyone looking at the screen.
 */
export function maskPhoneAsTyped(typed: string): string {
  const text = typed.trim().replace(/\s+/g, ' ');
  const digits = text.replace(/[^0-9]/g, '').length;
  let seen = 0;
  return text.replace(/[0-9]/g, (digit) => {
    seen += 1;
    return seen <= SHOWN_FIRST || seen > digits - SHOWN_LAST ? digit : '•';
  });
}

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
