// A self-hosted proof-of-work captcha (ALTCHA v2 challenges, altcha-lib; no third-party service) for forms anyone may
// post, such as the password-reset request.
//
//   with JavaScript:    GET /captcha/challenge → the widget finds the counter in Web Workers → `altcha` field → verify
//   without JavaScript: no `altcha` field → allowed within a small per-address budget (noJsMaxPerHourPerIp)
//
// Challenges are stateless (HMAC-signed, with an expiry); a solution is used up by inserting its challenge signature
// into `captcha_used`, so it counts once on any node.
import crypto from 'node:crypto';
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../core/clock.js';
import type { SafeHtml } from '../../core/html.js';
import type { PageContext } from '../../core/locale.js';
import type { Limit, Throttle } from '../../security/throttle.js';

export interface CaptchaOptions {
  db: Db;
  /** At least 32 secret bytes, shared by every node; separate secrets for challenges and keys are derived from it. */
  hmacKey: Buffer;
  clock: Clock;
  /**
   * The largest counter a challenge asks for; the counter is drawn from [maxNumber / 2, maxNumber], one SHA-256 per
   * counter tried. A low-end phone does about 100k SHA-256/s in WebCrypto, so 50k costs it at most ~0.5 s (well under
   * the 2 s goal, with room for slower phones) while every solution still costs at least 25k hashes.
   * @default 50_000
   */
  maxNumber?: number;
  /** How long a challenge may be solved and submitted. @default 600 */
  expiresSeconds?: number;
  /** Requests without a solution (no JavaScript) allowed per address (IPv6: per /64) per hour. @default 5 */
  noJsMaxPerHourPerIp?: number;
  /** The one throttle (src/security/throttle.ts), built by the composition root. */
  throttle: Throttle;
}

export type CaptchaOutcome = 'ok' | 'invalid' | 'throttled';

export interface Captcha {
  /** A new signed challenge, as JSON for the widget. */
  challenge(): Promise<Challenge>;
  /** Checks the form's `altcha` field; a missing or empty one spends the no-JavaScript budget. Never throws for input. */
  verify(payload: unknown, ip: string): Promise<CaptchaOutcome>;
}

const ALGORITHM = 'SHA-256';
const USED_TABLE = 'captcha_used';
/** A real payload is about 700 characters; anything much longer is not worth decoding. */
const MAX_PAYLOAD_LENGTH = 4096;
// NOTE: used signatures are kept a little past their challenge's expiry, so a node whose clock runs behind the
// node that deletes them still finds a replay.
const KEEP_USED_AFTER_EXPIRY_MS = 5 * 60_000;
const SWEEP_BATCH = 100;

const hex = z.string().regex(/^(?:[0-9a-f]{2})+$/);
const PayloadSchema = z.object({
  challenge: z.object({
    // Loose: every parameter is covered by the signature and has to reach verifySolution unchanged.
    parameters: z.looseObject({
      algorithm: z.literal(ALGORITHM),
      nonce: hex,
      salt: hex,
      keyPrefix: hex,
      keySignature: hex,
      cost: z.number().int().positive(),
      keyLength: z.number().int().positive(),
      expiresAt: z.number().int().positive(),
    }),
    signature: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  solution: z.object({
    counter: z.number().int().min(0).max(0xffffffff),
    derivedKey: hex,
    time: z.number().optional(),
  }),
});
type Payload = z.infer<typeof PayloadSchema>;

/** The widget's field: base64 of JSON. Anything else is null. */
function decodePayload(payload: string): Payload | null {
  if (payload.length > MAX_PAYLOAD_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = PayloadSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function assertInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`captcha: ${name} must be an integer from ${min} to ${max} (got ${value})`);
}

export function createCaptcha({
  db,
  hmacKey,
  clock,
  maxNumber = 50_000,
  expiresSeconds = 600,
  noJsMaxPerHourPerIp = 5,
  throttle,
}: CaptchaOptions): Captcha {
  if (hmacKey.length < 32) throw new Error('captcha: hmacKey must be at least 32 bytes');
  assertInteger('maxNumber', maxNumber, 2, 0xffffffff);
  assertInteger('expiresSeconds', expiresSeconds, 1);
  assertInteger('noJsMaxPerHourPerIp', noJsMaxPerHourPerIp, 0);

  const secret = (purpose: string) =>
    crypto.createHmac('sha256', hmacKey).update(`bhxh-id captcha ${purpose}`).digest('hex');
  const hmacSignatureSecret = secret('challenge signature');
  const hmacKeySignatureSecret = secret('key signature');

  const noJsBudget: Limit = { name: 'captcha_nojs', max: noJsMaxPerHourPerIp, windowSeconds: 3600 };

  /** Takes one request from the address's hourly budget (IPv6: its /64); parallel requests cannot overspend it. */
  async function spendNoJsBudget(ip: string): Promise<CaptchaOutcome> {
    if (noJsMaxPerHourPerIp === 0) return 'throttled';
    const taken = await db.transaction((trx) => throttle.take(trx, noJsBudget, { address: ip }));
    return taken.allowed ? 'ok' : 'throttled';
  }

  /** The payload when it solves an unexpired challenge we signed; null for anything else. */
  async function checkSolution(payload: string): Promise<Payload | null> {
    const decoded = decodePayload(payload);
    if (!decoded) return null;
    // NOTE: expiry is checked against our clock here; verifySolution checks it again against Date.now() (it takes no
    // clock), so a challenge is accepted only while both say it is fresh. In production both are the system clock.
    if (decoded.challenge.parameters.expiresAt * 1000 <= clock.now().getTime()) return null;
    try {
      const result = await verifySolution({
        challenge: decoded.challenge,
        solution: decoded.solution,
        deriveKey,
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
      return result.verified ? decoded : null;
    } catch {
      return null; // the library throws on some malformed values (for example odd hex); that is an invalid payload
    }
  }

  /** Records the challenge as used; false when it already was (a replay). Sweeps a few expired rows on the way. */
  async function useUp(solved: Payload): Promise<boolean> {
    const inserted = await db(USED_TABLE)
      .insert({
        signature: solved.challenge.signature,
        expires_at: new Date(solved.challenge.parameters.expiresAt * 1000),
      })
      .onConflict('signature')
      .ignore()
      .returning('signature');
    if (inserted.length === 0) return false;
    const cutoff = new Date(clock.now().getTime() - KEEP_USED_AFTER_EXPIRY_MS);
    await db(USED_TABLE)
      .whereIn('signature', db(USED_TABLE).select('signature').where('expires_at', '<', cutoff).limit(SWEEP_BATCH))
      .delete();
    return true;
  }

  return {
    challenge: () =>
      createChallenge({
        algorithm: ALGORITHM,
        cost: 1,
        counter: randomInt(maxNumber, Math.ceil(maxNumber / 2)),
        deriveKey,
        expiresAt: Math.floor(clock.now().getTime() / 1000) + expiresSeconds,
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      }),

    async verify(payload, ip) {
      // An empty field is the widget that has not finished (or a script that failed): treated like no JavaScript.
      if (payload === undefined || payload === null || payload === '') return spendNoJsBudget(ip);
      if (typeof payload !== 'string') return 'invalid';
      const solved = await checkSolution(payload);
      if (!solved) return 'invalid';
      return (await useUp(solved)) ? 'ok' : 'invalid';
    },
  };
}

/** What a form with a captcha uses: check an answer, and draw the field (the composition root binds the widget). */
export interface CaptchaGate {
  verify(payload: unknown, ip: string): Promise<'ok' | 'invalid' | 'throttled'>;
  /** The captcha element for a form, in the page's language. */
  field(page: PageContext): SafeHtml;
}
