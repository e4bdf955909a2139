// The dev-only CLI commands (bhxh-id dev …). src/cli/main.ts registers them through a dynamic import of this module,
// so a build without src/dev (the production build and image) still has a working CLI, only without them.
import type { Command } from '../../cli/command.js';
import { devCall } from './dev-call.js';
import { devSeedAccounts } from './dev-seed-accounts.js';
import { devSms } from './dev-sms.js';

export const DEV_COMMANDS: Command[] = [devSms, devCall, devSeedAccounts];
