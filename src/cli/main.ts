// bhxh-id: the operator CLI. JSON on stdout; errors are one line on stderr with a non-zero exit; --help everywhere.
// A password is never a command-line argument (only --password-stdin).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { pino } from 'pino';
import { CommandError, UsageError, type Command } from './command.js';
import { openCliContext } from '../app/cli-context.js';
import { isMissingModule } from '../core/dev-code.js';
import { accountsCreate } from './commands/accounts-create.js';
import { accountsSetPassword } from './commands/accounts-set-password.js';
import { accountsResetPassword } from './commands/accounts-reset-password.js';
import { accountsShow } from './commands/accounts-show.js';
import { accountsDisable, accountsEnable } from './commands/accounts-status.js';
import { accountsUnlinkVneid } from './commands/accounts-unlink-vneid.js';
import { accountsConfirmVneid } from './commands/accounts-confirm-vneid.js';
import { accountsActivity } from './commands/accounts-activity.js';
import { accountsSessions } from './commands/accounts-sessions.js';
import { accountsEndSessions } from './commands/accounts-end-sessions.js';
import { accountsGrants } from './commands/accounts-grants.js';
import { accountsRevokeGrant } from './commands/accounts-revoke-grant.js';
import { clientsCreate } from './commands/clients-create.js';
import { clientsDelete, clientsList, clientsShow } from './commands/clients-read.js';
import { keysList } from './commands/keys-list.js';
import { keysReencrypt } from './commands/keys-reencrypt.js';
import { keysRevoke, keysRotate } from './commands/keys-lifecycle.js';
import { migrateCommand } from './commands/migrate.js';
import { resourcesCreate, resourcesDelete, resourcesList } from './commands/resources.js';

export const COMMANDS: Command[] = [
  migrateCommand,
  accountsCreate,
  accountsShow,
  accountsSetPassword,
  accountsResetPassword,
  accountsDisable,
  accountsEnable,
  accountsUnlinkVneid,
  accountsConfirmVneid,
  accountsActivity,
  accountsSessions,
  accountsEndSessions,
  accountsGrants,
  accountsRevokeGrant,
  clientsCreate,
  clientsList,
  clientsShow,
  clientsDelete,
  resourcesCreate,
  resourcesList,
  resourcesDelete,
  keysList,
  keysRotate,
  keysRevoke,
  keysReencrypt,
];

/**
 * The operator commands, then the dev-only ones (bhxh-id dev sms, dev call, dev seed-accounts): those live in
 * src/dev/cli/ and are registered here through a dynamic import, so a build without src/dev (production) lists none.
 */
async function allCommands(): Promise<Command[]> {
  try {
    const { DEV_COMMANDS } = await import('../dev/cli/commands.js');
    return [...COMMANDS, ...DEV_COMMANDS];
  } catch (err) {
    if (isMissingModule(err)) return COMMANDS;
    throw err;
  }
}

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: bhxh-id COMMAND [options]    (bhxh-id COMMAND --help for its options)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from the environment (DATABASE_URL, DATA_DIR, KEYS_ENCRYPTION_KEY, …), as for the server.',
  ].join('\n');
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError('expected input on standard input (for example: printf %s "$PASSWORD" | bhxh-id …)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs the CLI; returns the exit code. Output goes through the given writers (tests capture them). */
export async function runCli(
  argv: string[],
  io: {
    out: (s: string) => void;
    err: (s: string) => void;
    env?: Record<string, string | undefined>;
    stdin?: () => Promise<string>;
  } = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): Promise<number> {
  const commands = await allCommands();
  const words = argv.filter((a) => !a.startsWith('-'));
  const command =
    commands.find((c) => c.name === words.slice(0, 2).join(' ')) ??
    commands.find((c) => c.name === words[0] && !c.name.includes(' '));
  if (!command) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
      io.out(`${overview(commands)}\n`);
      return argv.length === 0 ? 2 : 0;
    }
    io.err(`error: unknown command "${words.slice(0, 2).join(' ')}"; run bhxh-id --help\n`);
    return 2;
  }
  const rest = argv.slice(argv.indexOf(command.name.split(' ').at(-1)!) + 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: attachValues(rest, command.options),
      options: command.options,
      allowPositionals: true,
      strict: true,
    }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
    if (positionals.length > (command.positionals ?? 0))
      throw new UsageError(`unexpected argument "${positionals[command.positionals ?? 0]}"`);
  } catch (err) {
    // node's parseArgs explains over several lines (a value beginning with "-" needs --option=VALUE): one line here.
    io.err(`error: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}; usage: ${command.usage}\n`);
    return 2;
  }

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`error: ${err.problems.join('; ')}\n`);
      return 2;
    }
    throw err;
  }
  // Logs go to stderr (stdout is the command's JSON); only warnings unless LOG_LEVEL asks for more.
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  if (command.standalone) {
    try {
      io.out(`${JSON.stringify(await command.standalone(config, values, positionals), null, 2)}\n`);
      return 0;
    } catch (err) {
      io.err(
        `error: ${err instanceof UsageError || err instanceof CommandError ? err.message : `${command.name} failed: ${(err as Error).message.split('\n')[0]}`}\n`,
      );
      return err instanceof UsageError ? 2 : 1;
    }
  }
  let ctx: Awaited<ReturnType<typeof openCliContext>>;
  try {
    ctx = await openCliContext(config, logger, io.stdin ?? readStdin);
  } catch (err) {
    io.err(
      `error: ${err instanceof DataDirLockedError ? err.message : `cannot open the database: ${(err as Error).message.split('\n')[0]}`}\n`,
    );
    return 1;
  }
  try {
    const result = await command.run(ctx, values, positionals);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}; usage: ${command.usage}\n`);
      return 2;
    }
    if (err instanceof CommandError) {
      io.err(`error: ${err.message}\n`);
      return 1;
    }
    logger.debug({ err }, 'command failed');
    io.err(`error: ${command.name} failed unexpectedly: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

/**
 * `--id -Xb3…` → `--id=-Xb3…`: ids are random base64url and may begin with "-", which node's parseArgs would take for
 * a missing value. The token after a string option is its value unless it is one of the command's own options.
 */
function attachValues(args: string[], options: Record<string, { type: 'string' | 'boolean' }> = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    const nextIsOption = next?.startsWith('--') && next.slice(2).split('=')[0]! in options;
    if (name && options[name]?.type === 'string' && next?.startsWith('-') && !nextIsOption) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

const invokedDirectly = process.argv[1] && /(?:bhxh-id(?:\.js)?|cli[\\/]main\.(?:ts|js))$/.test(process.argv[1]);
if (invokedDirectly) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
