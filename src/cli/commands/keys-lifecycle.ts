// bhxh-id keys rotate | revoke: the security team's key operations (the admin API offers the same, nothing more).
// Every running node picks a change up within seconds (NOTIFY bhxh_keys, polling as a fallback).
import { KeyNotFoundError } from '../../keys/lifecycle.js';
import { CommandError, UsageError, type Command } from '../command.js';
import type { CliContext } from '../../app/cli-context.js';

function lifecycle(ctx: CliContext) {
  return ctx.keyLifecycle;
}

export const keysRotate: Command = {
  name: 'keys rotate',
  summary: 'stage a new signing key set (ES256, RS256) and cookie secret; they activate after the staging period',
  usage: 'bhxh-id keys rotate [--reason TEXT]',
  options: { reason: { type: 'string' } },
  async run(ctx, v) {
    const out = await lifecycle(ctx).rotate({
      via: 'cli',
      ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
    });
    const activatesAfter = new Date(Date.now() + ctx.config.keys.stagingSeconds * 1000);
    return {
      staged: out.staged,
      already_staged: out.alreadyStaged,
      activates_after: out.alreadyStaged ? undefined : activatesAfter,
    };
  },
};

export const keysRevoke: Command = {
  name: 'keys revoke',
  summary: 'remove a key at once from JWKS and signing (an active key is replaced at once)',
  usage: 'bhxh-id keys revoke KID --reason TEXT [--revoke-tokens]',
  options: { reason: { type: 'string' }, 'revoke-tokens': { type: 'boolean' } },
  positionals: 1,
  async run(ctx, v, positionals) {
    const kid = positionals[0];
    if (!kid) throw new UsageError('name the key: bhxh-id keys revoke KID --reason TEXT');
    if (typeof v.reason !== 'string' || !v.reason.trim())
      throw new UsageError('--reason is required (it goes to the audit log)');
    try {
      const out = await lifecycle(ctx).revoke(kid, {
        via: 'cli',
        reason: v.reason.trim(),
        revokeTokens: v['revoke-tokens'] === true,
      });
      return { revoked: out.kid, activated: out.activated, tokens_revoked: out.tokensRevoked };
    } catch (err) {
      if (err instanceof KeyNotFoundError) throw new CommandError(err.message);
      throw err;
    }
  },
};
