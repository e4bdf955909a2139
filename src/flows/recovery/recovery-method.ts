// A recovery method: how the member proves control of an address on file (email now, phone next). The flow owns
// the states; a method only parses its address, checks it against the account and sends the code.
import type { Knex } from 'knex';
import type { Account } from '../../accounts/account-repository.js';
import type { MessageId } from '../../i18n/messages.js';

export type RecoveryMethodId = 'email-code' | 'sms-code';

export interface RecoveryMethod {
  id: RecoveryMethodId;
  /** The name of the address field on the form. */
  field: 'email' | 'phone';
  /** Where the code goes. */
  channel: 'email' | 'sms';
  /** Normalises what the member typed, or says what is wrong with its format. */
  parseAddress(input: string): { ok: true; address: string } | { ok: false; error: MessageId };
  /** True when the typed address is the one on file for this account. */
  matches(account: Account, address: string): boolean;
  /** Puts the code message in the outbox, inside the transaction that issued the code. */
  sendCode(trx: Knex.Transaction, account: Account, code: string, minutes: number): Promise<void>;
}
