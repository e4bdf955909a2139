// A recovery method: how the member proves control of an address on file (email, phone). The recovery flow owns
// the states; a method only parses its address and sends the code. Whether the typed address may receive it is not
// the method's call: the flow asks src/security/deliverable-address.ts (verified addresses only).
import type { Knex } from 'knex';
import type { MessageId } from '../core/i18n.js';

export type RecoveryMethodId = 'email-code' | 'sms-code';

export interface RecoveryMethod {
  id: RecoveryMethodId;
  /** The name of the address field on the form. */
  field: 'email' | 'phone';
  /** Where the code goes. */
  channel: 'email' | 'sms';
  /** Normalises what the member typed, or says what is wrong with its format. */
  parseAddress(input: string): { ok: true; address: string } | { ok: false; error: MessageId };
  /**
   * How the code page names the address: from what the member typed (accepted by `parseAddress`) and its normalised
   * form. Computed from the typed text only, never from the account, so it reads the same whether or not it matched.
   */
  shownAddress(typed: string, address: string): string;
  /** Puts the code message for `to` (the verified address on file) in the outbox, inside the code's transaction. */
  sendCode(trx: Knex.Transaction, to: string, code: string, minutes: number): Promise<void>;
}
