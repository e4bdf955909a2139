// bhxh-id keys reencrypt: after a KEYS_ENCRYPTION_KEY rotation, reseals every secret at rest under the new key (the
// old one given in KEYS_ENCRYPTION_KEY_PREVIOUS), so the old key can be retired. Safe to run while servers run and to
// run again; prints counts and key ids only (never a key, a secret or a sealed value).
import { reencryptAll } from '../../keys/reencrypt.js';
import { CommandError, UsageError, type Command } from '../command.js';

export const keysReencrypt: Command = {
  name: 'keys reencrypt',
  summary:
    'reseal secrets at rest under KEYS_ENCRYPTION_KEY (after a rotation; old keys in KEYS_ENCRYPTION_KEY_PREVIOUS)',
  usage: 'bhxh-id keys reencrypt [--batch-size N]',
  options: { 'batch-size': { type: 'string' } },
  async run(ctx, v) {
    let batchSize: number | undefined;
    if (v['batch-size'] !== undefined) {
      batchSize = Number(v['batch-size']);
      if (!/^[0-9]+$/.test(String(v['batch-size'])) || batchSize < 1 || batchSize > 10_000)
        throw new UsageError('--batch-size must be a whole number from 1 to 10000');
    }
    const encryptionKeyId = ctx.sealer.keyId;
    const { reencrypted, remaining, unreadable } = await reencryptAll(
      ctx.db,
      ctx.sealer,
      batchSize === undefined ? {} : { batchSize },
    );
    await ctx.audit.record({
      type: 'keys.reencrypted',
      outcome: remaining === 0 ? 'success' : 'failure',
      detail: { via: 'cli', counts: reencrypted, remaining, encryption_key_id: encryptionKeyId },
    });
    if (remaining > 0) {
      const done = Object.values(reencrypted).reduce((a, b) => a + b, 0);
      const unopened = Object.values(unreadable).reduce((a, b) => a + b, 0);
      throw new CommandError(
        `${remaining} sealed values are still not under encryption key ${encryptionKeyId} (${done} resealed by this run` +
          (unopened
            ? `; ${unopened} could not be opened with KEYS_ENCRYPTION_KEY or KEYS_ENCRYPTION_KEY_PREVIOUS`
            : '') +
          '); run bhxh-id keys reencrypt again',
      );
    }
    return { reencrypted, remaining, encryption_key_id: encryptionKeyId };
  },
};
