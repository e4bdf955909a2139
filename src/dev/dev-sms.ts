// Plays the SMS aggregator in development: signs an inbound message the way the aggregator must and posts it to
// POST /channels/sms/inbound. The reply lands in the outbox (the dev mailbox without an SMS gateway).
//
//   SMS_INBOUND_SECRET=… npx bhxh-id dev sms --from 0912345678 --text "BH MK 0123456789"
//
// The CLI command (src/dev/cli/dev-sms.ts) takes the address and the secret from the same configuration.
import crypto from 'node:crypto';
import { SMS_INBOUND_PATH } from '../channels/sms-inbound-routes.js';
import { SHORT_CODE, type InboundSms } from '../channels/sms-inbound.js';
import { postSignedJson, signWebhook } from '../core/webhook-signature.js';

/** The body and headers of a signed inbound SMS (the exact bytes the signature covers). */
export function signedInboundSms(
  secret: string,
  message: InboundSms,
  timestamp: number,
): { body: string; headers: Record<string, string> } {
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
  const url = `${options.baseUrl.replace(/\/+$/, '')}${SMS_INBOUND_PATH}`;
  return postSignedJson(url, options.secret, message, options.timestamp ?? Math.floor(Date.now() / 1000));
}
