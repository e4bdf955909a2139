// The password method: checks a member's password with equal cost whether or not the account exists, and upgrades
// a hash made with weaker parameters.
import type { Account, AccountRepository } from '../../accounts/account-repository.js';
import type { PasswordHasher } from './hasher.js';
import type { TemporaryPasswords } from '../temporary-password/temporary-passwords.js';

export type PasswordOutcome =
  | { ok: true; account: Account /** signed in with a temporary password (now used up) */; temporary: boolean }
  /** `accountId`: the account the number named, when there is one (for its own audit trail, never for the page). */
  | { ok: false; reason: 'unknown' | 'wrong_password' | 'disabled' | 'no_password'; accountId?: string };

export async function verifyPassword(
  deps: { accounts: AccountRepository; hasher: PasswordHasher; temporaryPasswords?: TemporaryPasswords },
  bhxhNumber: string,
  password: string,
): Promise<PasswordOutcome> {
  const account = await deps.accounts.findByBhxhNumber(bhxhNumber);
  if (!account?.passwordHash) {
    // NOTE: unknown accounts look like known ones: the same argon2 cost, then the same answer.
    await deps.hasher.verifyDummy(password);
    return account ? { ok: false, reason: 'no_password', accountId: account.id } : { ok: false, reason: 'unknown' };
  }
  const matches = await deps.hasher.verify(account.passwordHash, password);
  if (!matches) {
    // A temporary password (SMS keyword, hotline, office) lives beside the member's own and is used up here.
    if (
      account.status === 'active' &&
      deps.temporaryPasswords &&
      (await deps.temporaryPasswords.consume(account, password))
    ) {
      return { ok: true, account, temporary: true };
    }
    return { ok: false, reason: 'wrong_password', accountId: account.id };
  }
  if (account.status !== 'active') return { ok: false, reason: 'disabled', accountId: account.id };
  if (deps.hasher.needsRehash(account.passwordHash)) {
    await deps.accounts.upgradeHash(account.id, account.passwordHash, await deps.hasher.hash(password));
  }
  return { ok: true, account, temporary: false };
}
