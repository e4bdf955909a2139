// The telephony platform's webhook for the hotline's password reset (voice-password-reset.ts has the dialogue).
//
//   POST /channels/voice/password-reset          Content-Type: application/json, signed (core/webhook-signature.ts)
//   { "callId": "…", "caller": "0912345678", "callerVerified": true, "digits": "0123456789" }
//   200 { "say": "…", "next": { "action": "collect_digits", "finishOnKey": "#", "maxDigits": 12, "timeoutSeconds": 10 } }
//   200 { "say": "…", "next": { "action": "hangup" } }
//
// Errors are JSON `{ error }` of the one family (src/core/json-errors.ts), as for the SMS webhook: 404 when the
// hotline is switched off, 415 not JSON (UTF-8), 413 over 4 KiB, 401 bad signature or stale timestamp, 400 not the
// shape above, 503 while the database cannot be reached, 500 (logged) otherwise.
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { ApiError, jsonErrors } from '../core/json-errors.js';
import { voiceRequestSchema, type VoicePasswordReset, type VoiceRequest } from './voice-password-reset.js';
import { verifyWebhook } from '../core/webhook-signature.js';

export const VOICE_PASSWORD_RESET_PATH = '/channels/voice/password-reset';

/** What the hotline's routes use: their own narrow list, not the service bag. */
export type VoiceRouteDeps = {
  config: Config;
  clock: Clock;
  logger: Logger;
  /** The dialogue (voice-password-reset.ts), built by the composition root. */
  voice: VoicePasswordReset;
};

const logOf = (ctx: Context, logger: Logger): Logger => (ctx.state.log as Logger | undefined) ?? logger;

function requireVoiceEnabled(deps: VoiceRouteDeps): Middleware {
  return async (_ctx, next) => {
    if (!deps.config.voice.enabled) throw new ApiError('not_found');
    await next();
  };
}

// NOTE: the body is kept as text until its signature is checked; only then is it parsed.
const parseText = bodyParser({
  enableTypes: ['text'],
  extendTypes: { text: ['application/json'] },
  textLimit: '4kb',
  encoding: 'utf-8',
}) as unknown as Middleware;

async function readRawBody(ctx: Context, next: Next) {
  const charset = ctx.request.charset.toLowerCase();
  if (!ctx.is('application/json') || (charset && charset !== 'utf-8' && charset !== 'utf8'))
    throw new ApiError('unsupported_media_type');
  try {
    await parseText(ctx, async () => {});
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 413) throw new ApiError('payload_too_large');
    if (typeof status === 'number' && status >= 400 && status < 500) throw new ApiError('invalid_request');
    throw err;
  }
  await next();
}

async function parseCallRequest(ctx: Context, next: Next) {
  let json: unknown;
  try {
    json = JSON.parse((ctx.request as { rawBody?: string }).rawBody ?? '');
  } catch {
    throw new ApiError('invalid_request');
  }
  const parsed = voiceRequestSchema.safeParse(json);
  if (!parsed.success) throw new ApiError('invalid_request');
  ctx.state.voiceRequest = parsed.data;
  await next();
}

function answerCall(voice: VoicePasswordReset, logger: Logger): Middleware {
  return async (ctx) => {
    const request = ctx.state.voiceRequest as VoiceRequest;
    const requestId = typeof ctx.state.requestId === 'string' ? ctx.state.requestId : null;
    const { reply, step } = await voice.answer(request, { requestId });
    // NOTE: the reply may hold the password: only the step is logged (no number either).
    logOf(ctx, logger).info({ channel: 'voice', callId: request.callId, step }, 'voice webhook answered');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = reply;
  };
}

/** The hotline webhook; answers 404 while config.voice.enabled is false. */
export function registerVoiceRoutes(router: Router, deps: VoiceRouteDeps): void {
  const { voice } = deps;

  router.post(
    VOICE_PASSWORD_RESET_PATH,
    // Anything unexpected is a JSON 500 for the platform, never a page. Nothing was committed (one transaction per
    // step): the platform's retry starts that step afresh.
    jsonErrors(deps.logger, 'voice webhook'),
    requireVoiceEnabled(deps),
    readRawBody,
    verifyWebhook({ secret: () => deps.config.voice.secret, clock: deps.clock }),
    parseCallRequest,
    answerCall(voice, deps.logger),
  );
}
