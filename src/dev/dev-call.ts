// Plays the telephony platform in development: one call to the hotline's virtual assistant, step by step, each
// webhook signed the way the platform must (POST /channels/voice/password-reset), until the assistant hangs up.
//
//   VOICE_WEBHOOK_SECRET=… npx bhxh-id dev call --caller 0912345678 --verified --digits 0123456789#
//
// The server's address and the secret come from the same configuration as the server's (src/config/config.ts).
import crypto from 'node:crypto';
import type { VoiceReply, VoiceRequest } from '../channels/voice-password-reset.js';
import { VOICE_PASSWORD_RESET_PATH } from '../channels/voice-routes.js';
import { postSignedJson } from '../core/webhook-signature.js';

export interface DevCallStep {
  sent: VoiceRequest;
  status: number;
  /** The assistant's reply on a 200; otherwise the error body as it came. */
  reply: VoiceReply | unknown;
}

/**
 * Plays one call: the first webhook without digits, then one per entry (as typed, `#` included or not), stopping at
 * a hang-up or an error. Resolves with every step.
 */
export async function playDevCall(options: {
  baseUrl: string;
  secret: string;
  caller: string;
  callerVerified: boolean;
  entries: string[];
  callId?: string;
  /** The clock the signatures use (the server's window is five minutes); the current time by default. */
  now?: () => Date;
}): Promise<DevCallStep[]> {
  const callId = options.callId ?? `dev-${crypto.randomUUID()}`;
  const now = options.now ?? (() => new Date());
  const url = `${options.baseUrl.replace(/\/+$/, '')}${VOICE_PASSWORD_RESET_PATH}`;
  const steps: DevCallStep[] = [];
  for (const digits of [undefined, ...options.entries]) {
    const sent: VoiceRequest = {
      callId,
      caller: options.caller,
      callerVerified: options.callerVerified,
      ...(digits === undefined ? {} : { digits }),
    };
    const { status, body: reply } = await postSignedJson(url, options.secret, sent, Math.floor(now().getTime() / 1000));
    steps.push({ sent, status, reply });
    if (status !== 200 || (reply as VoiceReply).next?.action !== 'collect_digits') break;
  }
  return steps;
}
