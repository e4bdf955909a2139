// bhxh-id dev sms: plays the SMS aggregator against a running server — a signed inbound SMS to 8079 — so a newcomer
// can try the BH MK keyword without a carrier. The reply lands in the dev mailbox (/dev/mailbox).
import { sendDevSms } from '../dev-sms.js';
import { CommandError, UsageError, type Command } from '../../cli/command.js';
import { withWebhookSecrets } from '../../channels/webhook-secrets.js';
import { missingSecret } from './missing-secret.js';

export const devSms: Command = {
  name: 'dev sms',
  summary: 'send a signed inbound SMS to a running server (try "BH MK <number>")',
  usage:
    'bhxh-id dev sms --from PHONE --text "BH MK 0123456789" [--server URL]   (SMS_INBOUND_SECRET as the server has it; npm start generates one)',
  options: { from: { type: 'string' }, text: { type: 'string' }, server: { type: 'string' } },
  async run() {
    throw new Error('standalone');
  },
  async standalone(config, v) {
    if (typeof v.from !== 'string' || typeof v.text !== 'string')
      throw new UsageError('--from and --text are required');
    const { secret } = withWebhookSecrets(config, { create: false }).smsInbound;
    if (!secret) throw new UsageError(missingSecret('SMS_INBOUND_SECRET', config.smsInbound.secretFile));
    const baseUrl = typeof v.server === 'string' ? v.server : config.issuer;
    const { status, body } = await sendDevSms({
      baseUrl,
      secret,
      sender: v.from,
      text: v.text,
    });
    if (status !== 200) throw new CommandError(`the server answered ${status}: ${JSON.stringify(body)}`);
    return { sent: true, server: baseUrl, answer: body, reply: `see ${baseUrl.replace(/\/+$/, '')}/dev/mailbox` };
  },
};
