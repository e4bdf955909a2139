// Password input for commands: from standard input only (never an argument), checked by the one policy.
import type { Account } from '../../accounts/account-repository.js';
import { checkPassword } from '../../methods/password/policy.js';
import { CommandError, UsageError } from '../command.js';
import type { CliContext } from '../../app/cli-context.js';
import { generateTemporaryPassword } from '../../methods/temporary-password/temporary-passwords.js';

/** Reads the password from stdin (first line) and applies the policy. */
export async function readPasswordFromStdin(
  ctx: CliContext,
  person: Pick<Account, 'bhxhNumber' | 'phoneNumber' | 'birthdate'>,
): Promise<string> {
  const input = await ctx.readStdin();
  const password = input.replace(/\r?\n$/, '');
  if (!password) throw new UsageError('no password on standard input');
  const problem = checkPassword(password, person);
  if (problem) throw new CommandError(`password rejected by the policy: ${problem.replace(/_/g, ' ')}`);
  return password;
}

/** A temporary password an operator hands over once: 12 characters from the look-alike-free alphabet. */
export function temporaryPassword(): string {
  return generateTemporaryPassword(12);
}
