// bhxh-id accounts create: registers a member (with a password from stdin or a temporary one). An address is stored
// unverified unless the operator attests it (--email-verified, --phone-verified): only verified addresses ever receive
// a code or a temporary password (src/security/deliverable-address.ts).
import { AccountExistsError } from '../../accounts/account-repository.js';
import { parseBhxhNumber, parseNationalId, parsePhoneNumber } from '../../accounts/identifiers.js';
import { parseEmailAddress } from '../../core/email-address.js';
import { CommandError, UsageError, type Command } from '../command.js';
import { accountView } from './account-view.js';
import { readPasswordFromStdin, temporaryPassword } from './passwords.js';

export const accountsCreate: Command = {
  name: 'accounts create',
  summary: 'create a member account',
  usage:
    'bhxh-id accounts create --bhxh NUMBER --name "FULL NAME" --birthdate YYYY-MM-DD [--phone PHONE [--phone-verified]] [--email EMAIL [--email-verified]] [--national-id ID] (--password-stdin | --temporary)',
  options: {
    bhxh: { type: 'string' },
    name: { type: 'string' },
    birthdate: { type: 'string' },
    phone: { type: 'string' },
    email: { type: 'string' },
    'phone-verified': { type: 'boolean' },
    'email-verified': { type: 'boolean' },
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
    const email = v.email === undefined ? null : parseEmailAddress(v.email);
    if (v.email !== undefined && !email) throw new UsageError('--email is not a valid email address');
    if (v['phone-verified'] && !phoneNumber) throw new UsageError('--phone-verified needs --phone');
    if (v['email-verified'] && !email) throw new UsageError('--email-verified needs --email');
    const nationalId = v['national-id'] === undefined ? null : parseNationalId(v['national-id']);
    if (v['national-id'] !== undefined && !nationalId) throw new UsageError('--national-id must be 12 digits');
    if (Boolean(v['password-stdin']) === Boolean(v.temporary))
      throw new UsageError('give exactly one of --password-stdin or --temporary');

    const person = { bhxhNumber, phoneNumber, birthdate };
    const temporary = v.temporary ? temporaryPassword() : undefined;
    const password = temporary ?? (await readPasswordFromStdin(ctx, person));
    try {
      const account = await ctx.accounts.create({
        bhxhNumber,
        fullName,
        birthdate,
        phoneNumber,
        // NOTE: the operator's attestation (they checked it in person or on a signed form), nothing else.
        phoneNumberVerified: Boolean(v['phone-verified']),
        email,
        emailVerified: Boolean(v['email-verified']),
        nationalId,
        passwordHash: await ctx.hasher.hash(password),
        mustChangePassword: Boolean(temporary),
      });
      await ctx.audit.record({
        type: 'account.created',
        accountId: account.id,
        detail: {
          via: 'cli',
          temporary: Boolean(temporary),
          emailVerified: account.emailVerified,
          phoneNumberVerified: account.phoneNumberVerified,
        },
      });
      // NOTE: a temporary password is shown once, here, and never stored in clear.
      return { account: accountView(account), ...(temporary ? { temporary_password: temporary } : {}) };
    } catch (err) {
      if (err instanceof AccountExistsError) throw new CommandError(err.message);
      throw err;
    }
  },
};
