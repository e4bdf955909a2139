// bhxh-id accounts create: registers a member (with a password from stdin or a temporary one).
import { AccountExistsError } from '../../accounts/account-repository.js';
import { parseBhxhNumber, parseNationalId, parsePhoneNumber } from '../../accounts/identifiers.js';
import { CommandError, UsageError, type Command } from '../command.js';
import { accountView } from './account-view.js';
import { readPasswordFromStdin, temporaryPassword } from './passwords.js';

export const accountsCreate: Command = {
  name: 'accounts create',
  summary: 'create a member account',
  usage:
    'bhxh-id accounts create --bhxh NUMBER --name "FULL NAME" --birthdate YYYY-MM-DD [--phone PHONE] [--email EMAIL] [--national-id ID] (--password-stdin | --temporary)',
  options: {
    bhxh: { type: 'string' },
    name: { type: 'string' },
    birthdate: { type: 'string' },
    phone: { type: 'string' },
    email: { type: 'string' },
    'national-id': { type: 'string' },
    'password-stdin': { type: 'boolean' },
    temporary: { type: 'boolean' },
  },
  async run(ctx, v) {
    const bhxhNumber = parseBhxhNumber(v.bhxh);
    if (!bhxhNumber) throw new UsageError('--bhxh must be a 10-digit BHXH number');
    const fullName = typeof v.name === 'string' ? v.name.trim() : '';
    if (!fullName || fullName.length > 200) throw new UsageError('--name is required (at most 200 characters)');
    const birthdate = typeof v.birthdate === 'string' ? v.birthdate : '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(birthdate) || Number.isNaN(Date.parse(`${birthdate}T00:00:00Z`))) {
      throw new UsageError('--birthdate must be a date as YYYY-MM-DD');
    }
    const phoneNumber = v.phone === undefined ? null : parsePhoneNumber(v.phone);
    if (v.phone !== undefined && !phoneNumber) throw new UsageError('--phone is not a valid phone number');
    const email = typeof v.email === 'string' ? v.email.trim().toLowerCase() : null;
    if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('--email is not a valid email address');
    const nationalId = v['national-id'] === undefined ? null : parseNationalId(v['national-id']);
    if (v['national-id'] !== undefined && !nationalId) throw new UsageError('--national-id must be 12 digits');
    if (Boolean(v['password-stdin']) === Boolean(v.temporary)) throw new UsageError('give exactly one of --password-stdin or --temporary');

    const person = { bhxhNumber, phoneNumber, birthdate };
    const temporary = v.temporary ? temporaryPassword() : undefined;
    const password = temporary ?? (await readPasswordFromStdin(ctx, person));
    try {
      const account = await ctx.accounts.create({
        bhxhNumber,
        fullName,
        birthdate,
        phoneNumber,
        email,
        emailVerified: false,
        nationalId,
        passwordHash: await ctx.hasher.hash(password),
        mustChangePassword: Boolean(temporary),
      });
      await ctx.audit.record({ type: 'account.created', accountId: account.id, detail: { via: 'cli', temporary: Boolean(temporary) } });
      // NOTE: a temporary password is shown once, here, and never stored in clear.
      return { account: accountView(account), ...(temporary ? { temporary_password: temporary } : {}) };
    } catch (err) {
      if (err instanceof AccountExistsError) throw new CommandError(err.message);
      throw err;
    }
  },
};
