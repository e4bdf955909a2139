// Plays the telephony platform in development: one call to the hotline's virtual assistant, step by step, each
// webhook signed the way the platform must (POST /channels/voice/password-reset), until the assistant hangs up.
//
//   VOICE_WEBHOOK_SECRET=… npx tsx src/channels/dev-call.ts 0912345678 --verified 0123456789#
//
// The server's address and the secret come from the same configuration as the server's (src/config/config.ts).
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/config.js';
import type { VoiceReply, VoiceRequest } from './voice-password-reset.js';
import { VOICE_PASSWORD_RESET_PATH } from './voice-routes.js';
import { signWebhook } from './webhook-auth.js';

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
    const sent: VoiceRequest = { callId, caller: options.caller, callerVerified: options.callerVerified, ...(digits === undefined ? {} : { digits }) };
    const body = JSON.stringify(sent);
    const headers = { 'content-type': 'application/json', ...signWebhook(options.secret, body, Math.floor(now().getTime() / 1000)) };
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    let reply: unknown = text;
    try {
      reply = JSON.parse(text);
    } catch {
      // not JSON: shown as it came
    }
    steps.push({ sent, status: response.status, reply });
    if (response.status !== 200 || (reply as VoiceReply).next?.action !== 'collect_digits') break;
  }
  return steps;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { verified: { type: 'boolean', default: false } } });
  const [caller, ...entries] = positionals;
  if (!caller) {
    console.error('usage: tsx src/channels/dev-call.ts <caller phone> [--verified] [digits…]   (VOICE_WEBHOOK_SECRET must be set, as for the server)');
    return 2;
  }
  const config = loadConfig();
  if (config.production) {
    console.error('dev-call is a development tool');
    return 2;
  }
  if (!config.voice.secret) {
    console.error('VOICE_WEBHOOK_SECRET is not set: the server answers 404 on the hotline webhook without it');
    return 2;
  }
  const steps = await playDevCall({ baseUrl: config.issuer, secret: config.voice.secret, caller, callerVerified: values.verified ?? false, entries });
  for (const step of steps) {
    console.log(`> ${step.sent.digits === undefined ? '(call starts)' : step.sent.digits}`);
    console.log(`< ${step.status} ${JSON.stringify(step.reply)}`);
  }
  return steps.every((s) => s.status === 200) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
