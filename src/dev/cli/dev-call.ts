// bhxh-id dev call: plays the telephony platform against a running server — a call to 1900 9068, key 8 — step by
// step, printing what the assistant says at each step, so a newcomer can try the hotline without a carrier.
import { playDevCall } from '../dev-call.js';
import { UsageError, type Command } from '../../cli/command.js';
import { withWebhookSecrets } from '../../channels/webhook-secrets.js';
import { missingSecret } from './missing-secret.js';

export const devCall: Command = {
  name: 'dev call',
  summary: 'play a hotline call against a running server (the assistant asks for the BHXH number)',
  usage:
    'bhxh-id dev call --caller PHONE --digits 0123456789# [--digits …] [--verified] [--server URL]   (VOICE_WEBHOOK_SECRET as the server has it; npm start generates one)',
  options: {
    caller: { type: 'string' },
    digits: { type: 'string', multiple: true },
    verified: { type: 'boolean' },
    server: { type: 'string' },
  },
  async run() {
    throw new Error('standalone');
  },
  async standalone(config, v) {
    if (typeof v.caller !== 'string') throw new UsageError('--caller is required');
    const { secret } = withWebhookSecrets(config, { create: false }).voice;
    if (!secret) throw new UsageError(missingSecret('VOICE_WEBHOOK_SECRET', config.voice.secretFile));
    const entries = ((v as Record<string, unknown>).digits as string[] | undefined) ?? [];
    const baseUrl = typeof v.server === 'string' ? v.server : config.issuer;
    const steps = await playDevCall({
      baseUrl,
      secret,
      caller: v.caller,
      callerVerified: Boolean(v.verified),
      entries,
    });
    return { server: baseUrl, steps };
  },
};
