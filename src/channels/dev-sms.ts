// Plays the SMS aggregator in development: signs an inbound message the way the aggregator must and posts it to
// POST /channels/sms/inbound. The reply lands in the outbox (the dev mailbox without an SMS gateway).
//
//   SMS_INBOUND_SECRET=… npx tsx src/channels/dev-sms.ts 0912345678 "BH MK 0123456789"
//
// The server's address and the secret come from the same configuration as the server's (src/config/config.ts).
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/config.js';
import { SMS_INBOUND_PATH } from './sms-inbound-routes.js';
import { SHORT_CODE, type InboundSms } from './sms-inbound.js';
import { signWebhook } from './webhook-auth.js';

/** The body and headers of a signed inbound SMS (the exact bytes the signature covers). */
export function signedInboundSms(secret: string, message: InboundSms, timestamp: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(message);
  return { body, headers: { 'content-type': 'application/json', ...signWebhook(secret, body, timestamp) } };
}

/** Posts one inbound SMS to a running server; resolves with the HTTP status and the JSON answer. */
export async function sendDevSms(options: {
  baseUrl: string;
  secret: string;
  sender: string;
  text: string;
  recipient?: string;
  messageId?: string;
  /** Unix seconds; the current time by default. */
  timestamp?: number;
}): Promise<{ status: number; body: unknown }> {
  const message: InboundSms = {
    sender: options.sender,
    recipient: options.recipient ?? SHORT_CODE,
    text: options.text,
    messageId: options.messageId ?? `dev-${crypto.randomUUID()}`,
  };
  const { body, headers } = signedInboundSms(options.secret, message, options.timestamp ?? Math.floor(Date.now() / 1000));
  const response = await fetch(`${options.baseUrl.replace(/\/+$/, '')}${SMS_INBOUND_PATH}`, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: shown as it came
  }
  return { status: response.status, body: parsed };
}

async function main(argv: string[]): Promise<number> {
  const [sender, ...words] = argv;
  if (!sender || !words.length) {
    console.error('usage: tsx src/channels/dev-sms.ts <sender phone> <text…>   (SMS_INBOUND_SECRET must be set, as for the server)');
    return 2;
  }
  const config = loadConfig();
  if (config.production) {
    console.error('dev-sms is a development tool');
    return 2;
  }
  if (!config.smsInbound.secret) {
    console.error('SMS_INBOUND_SECRET is not set: the server answers 404 on the SMS channel without it');
    return 2;
  }
  const result = await sendDevSms({ baseUrl: config.issuer, secret: config.smsInbound.secret, sender, text: words.join(' ') });
  console.log(result.status, JSON.stringify(result.body));
  return result.status === 200 ? 0 : 1;
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
