// The email-code recovery method: the member types the email on file; the code goes there through the outbox.
import type { RecoveryMethod } from '../recovery-method.js';
import type { Outbox } from '../../notify/outbox.js';
import { parseEmailAddress } from '../../core/email-address.js';

export function createEmailRecoveryMethod(outbox: Outbox, issuer: string): RecoveryMethod {
  return {
    id: 'email-code',
    field: 'email',
    channel: 'email',
    parseAddress(input) {
      // The one email rule, the same the CLI and the outbox apply (src/core/email-address.ts).
      const address = parseEmailAddress(input);
      return address ? { ok: true, address } : { ok: false, error: 'recovery.error.email_format' };
    },
    // The address as the one rule normalised it (lower case, punycode): what the mail really goes to.
    shownAddress: (_typed, address) => address,
    async sendCode(trx, to, code, minutes) {
      await outbox.send({ purpose: 'recovery_code', channel: 'email', to, params: { code, minutes, issuer } }, trx);
    },
  };
}
