// bhxh-id dev seed-accounts: fills the accounts table with many synthetic members for load tests (bench/), fast:
// set-based SQL (`insert … select … from generate_series`: AccountRepository.insertSynthetic), in chunks, so both PGlite and PostgreSQL cope with a
// million rows. Every seeded member gets the same argon2id hash of one password read from standard input. Never in
// production.
import { CommandError, UsageError, type Command } from '../../cli/command.js';
import type { CliContext } from '../../app/cli-context.js';
import { readPasswordFromStdin } from '../../cli/commands/passwords.js';

/** Rows per statement: small enough for PGlite's memory, large enough that statement overhead does not matter. */
const CHUNK = 100_000;
const DEFAULT_PREFIX = '9';

// Names are combined from these by the row number, so the table looks like real members (all valid, varied).
const FAMILY = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Thanh', 'Quốc'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Giang',
  'Hà',
  'Hải',
  'Hạnh',
  'Hùng',
  'Hương',
  'Khánh',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Nga',
  'Phúc',
  'Quang',
  'Sơn',
  'Tâm',
  'Thảo',
  'Trang',
  'Tuấn',
  'Vy',
];

function parseOptions(v: Record<string, string | boolean | undefined>): { count: number; prefix: string } {
  const count = typeof v.count === 'string' && /^\d+$/.test(v.count) ? Number(v.count) : NaN;
  const prefix = typeof v.prefix === 'string' ? v.prefix : DEFAULT_PREFIX;
  if (!/^\d{1,9}$/.test(prefix)) throw new UsageError('--prefix must be 1 to 9 digits');
  const capacity = 10 ** (10 - prefix.length);
  if (!Number.isSafeInteger(count) || count < 1 || count > capacity)
    throw new UsageError(`--count must be a whole number from 1 to ${capacity} (with --prefix ${prefix})`);
  if (!v['password-stdin'])
    throw new UsageError('--password-stdin is required (the one password every seeded member gets)');
  return { count, prefix };
}

async function seed(ctx: CliContext, count: number, prefix: string, hash: string): Promise<number> {
  let created = 0;
  for (let from = 0; from < count; from += CHUNK) {
    created += await ctx.accounts.insertSynthetic({
      prefix,
      from,
      to: Math.min(from + CHUNK, count) - 1,
      passwordHash: hash,
      names: { family: FAMILY, middle: MIDDLE, given: GIVEN },
    });
  }
  await ctx.accounts.vacuumAnalyze();
  return created;
}

export const devSeedAccounts: Command = {
  name: 'dev seed-accounts',
  summary: 'development only: create COUNT synthetic members sharing one password (load tests)',
  usage:
    'bhxh-id dev seed-accounts --count N [--prefix DIGITS] --password-stdin   (numbers are PREFIX + zero-padded index; default prefix 9)',
  options: { count: { type: 'string' }, prefix: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  async run(ctx, v) {
    if (ctx.config.production)
      throw new CommandError('dev seed-accounts is refused in production (NODE_ENV=production)');
    const { count, prefix } = parseOptions(v);
    const first = prefix.padEnd(10, '0');
    const last = prefix + String(count - 1).padStart(10 - prefix.length, '0');
    const password = await readPasswordFromStdin(ctx, {
      bhxhNumber: first,
      phoneNumber: null,
      birthdate: '1950-01-01',
    });
    const started = Date.now();
    const hash = await ctx.hasher.hash(password);
    const created = await seed(ctx, count, prefix, hash);
    const ms = Date.now() - started;
    await ctx.audit.record({
      type: 'account.created',
      detail: { via: 'cli dev seed-accounts', count: created, first, last },
    });
    return { created, skipped: count - created, first, last, ms };
  },
};
