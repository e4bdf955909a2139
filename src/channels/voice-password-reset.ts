// The hotline's virtual assistant (1900 9068, key 8): the telephony platform posts each step of a call to our webhook
// and we answer what to say and what to do next. The dialogue's state lives in channel_requests (channel 'voice',
// request id = the call id), locked for the length of each step, so a retried or concurrent webhook for the same call
// sees the state the first one left.
//
//   (new call) ──(caller over its hourly limit)──────────────────────────────▶ done(throttled)
//       │
//       ▼
//   asking_number(1) ──(wrong format)──▶ asking_number(2) ──▶ asking_number(3) ──(wrong format)──▶ done(too_many_attempts)
//       │  (10 digits, at any attempt)
//       ├─ caller, or number (verified owner and everybody else apart), over its hourly limit ▶ done(throttled)
//       ├─ no account, not active, or its verified phone is not the caller ───▶ done(no_match)
//       │  (a phone changed online within the cooling-off is not the caller either)
//       ├─ match, caller ID network-verified and reading aloud allowed ─────▶ done(read_aloud)
//       └─ match otherwise: the password goes by SMS to the number on file ──▶ done(sms_sent)
//
// A step without digits (the call's first webhook, or a retry of it) repeats the current prompt; a retried step with
// digits counts as another entry (at worst the goodbye comes one entry early, and nothing is issued). done(…) answers
// every later webhook of the call, whatever its body, and nothing is issued twice:
//   the same caller (same calling number, same network verification) ─▶ the reply recorded then (a platform retry);
//     a reply that holds the password only within VOICE_REPLAY_SECONDS, its secret-free version after that
//   anyone else with the call id ─────────────────────────────────────▶ "the call has ended", nothing else
// NOTE: the recorded reply may hold the temporary password, so it is sealed (never in clear in the database), kept
// with its expiry beside a secret-free version, and dropped once the window has passed (here, and by the sweeper).
import type { Knex } from 'knex';
import { z } from 'zod';
import { parseBhxhNumber, parsePhoneNumber } from '../accounts/identifiers.js';
import type { AccountRepository } from '../accounts/account-repository.js';
import { provePhoneOwnership } from '../security/phone-ownership.js';
import type { AuditLog, AuditType } from '../audit/audit-log.js';
import type { Sealer } from '../keys/sealer.js';
import { TEMPORARY_ALPHABET, type TemporaryPasswords } from '../methods/temporary-password/temporary-passwords.js';
import type { Clock } from '../core/clock.js';
import { keyedHash } from '../core/keyed-hash.js';
import type { Limit, Throttle } from '../security/throttle.js';
import type { ChannelRequests } from './channel-requests.js';

export const VOICE_CHANNEL = 'voice';
/** Wrong entries of the BHXH number before the assistant says goodbye. */
export const MAX_NUMBER_ATTEMPTS = 3;

/** One webhook from the telephony platform. Unknown fields are ignored. */
export const voiceRequestSchema = z.object({
  /** The platform's id for the call; the same for every step and every retry of it. */
  callId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/),
  /** The calling number as the platform has it (empty or a word such as "anonymous" when withheld). */
  caller: z
    .string()
    .max(40)
    .regex(/^[\x20-\x7e]*$/),
  /** True only when the platform vouches that the caller ID is network-verified (not spoofable). */
  callerVerified: z.boolean(),
  /** The keypad digits collected by the last prompt; absent on the call's first webhook. */
  digits: z
    .string()
    .max(32)
    .regex(/^[0-9*#]*$/)
    .optional(),
});
export type VoiceRequest = z.infer<typeof voiceRequestSchema>;

export type VoiceNext =
  | { action: 'collect_digits'; finishOnKey: '#'; maxDigits: 12; timeoutSeconds: 10 }
  | { action: 'hangup' };
export interface VoiceReply {
  /** Vietnamese text for the speech engine. */
  say: string;
  next: VoiceNext;
}

const COLLECT_NUMBER: VoiceNext = { action: 'collect_digits', finishOnKey: '#', maxDigits: 12, timeoutSeconds: 10 };
const HANG_UP: VoiceNext = { action: 'hangup' };

export type VoiceOutcome =
  | 'read_aloud'
  | 'sms_sent'
  | 'no_match'
  | 'throttled'
  | 'too_many_attempts'
  | 'caller_changed';
type VoiceState =
  | { step: 'asking_number'; attempt: number; callerKey: string }
  | {
      step: 'done';
      outcome: VoiceOutcome;
      /** Who heard the reply: only the same caller, verified the same way, hears it again. */
      callerKey: string;
      callerVerified: boolean;
      /** The reply without any secret: what the same caller hears once the secret-bearing one is gone. */
      publicReply: VoiceReply;
      /** The reply with the password read aloud, sealed, until `secretUntil` (ISO time); absent for other outcomes. */
      sealedReply?: string;
      secretUntil?: string;
    };

/** What the webhook reports for the logs: where the call went with this step (never a secret). */
export type VoiceStep = VoiceOutcome | 'asking_number' | 'replayed';

/** The exact sentence of the issue for a number that does not belong to the caller (or to nobody). */
export const MISMATCH_SENTENCE =
  'Số điện thoại và mã số bảo hiểm không khớp hoặc chưa đăng ký với cơ quan Bảo hiểm xã hội';

const GOODBYE = 'Xin cảm ơn quý khách đã gọi đến tổng đài Bảo hiểm xã hội Việt Nam.';
const SAY = {
  greeting:
    'Bảo hiểm xã hội Việt Nam xin kính chào quý khách. Đây là dịch vụ cấp mật khẩu tạm thời cho tài khoản BHXH ID.',
  ask: 'Vui lòng nhập mã số bảo hiểm xã hội gồm 10 chữ số, kết thúc bằng phím thăng.',
  askAgain: 'Mã số bảo hiểm xã hội chưa đúng. Vui lòng nhập lại 10 chữ số, kết thúc bằng phím thăng.',
  tooManyAttempts: `Quý khách đã nhập sai ${MAX_NUMBER_ATTEMPTS} lần. Vui lòng kiểm tra lại mã số bảo hiểm xã hội và gọi lại sau. ${GOODBYE}`,
  throttled: `Quý khách đã yêu cầu quá nhiều lần. Vui lòng thử lại sau. ${GOODBYE}`,
  callerChanged: `Cuộc gọi không hợp lệ. ${GOODBYE}`,
  callEnded: `Cuộc gọi này đã kết thúc. ${GOODBYE}`,
  repeated: 'Mật khẩu sẽ được nhắc lại một lần.',
  validity: (minutes: number) =>
    `Mật khẩu có hiệu lực trong ${minutes} phút, chỉ dùng một lần để đăng nhập và đặt mật khẩu mới. Tuyệt đối không cung cấp mật khẩu này cho bất kỳ ai, kể cả người tự xưng là cán bộ Bảo hiểm xã hội.`,
  sentBySms: 'Mật khẩu tạm thời đã được gửi bằng tin nhắn SMS đến số điện thoại quý khách đã đăng ký.',
  /** Said when the new password ended one still live (methods/temporary-password: one at a time). */
  replacesEarlier: 'Mật khẩu tạm thời cấp trước đó không còn dùng được.',
};

/**
 * How each character of a temporary password is spoken: letters by their Vietnamese names (the foreign letters f, j,
 * w, z by their usual readings), digits as Vietnamese words. The alphabet has no 0/o or 1/l/i, so none of them is here.
 * TODO: confirm g "giê" / j "gi" with the call centre's scripts (close when spoken; the repetition helps).
 */
export const SPOKEN_CHARACTERS: Readonly<Record<string, string>> = {
  a: 'a',
  b: 'bê',
  c: 'xê',
  d: 'dê',
  e: 'e',
  f: 'ép',
  g: 'giê',
  h: 'hát',
  j: 'gi',
  k: 'ca',
  m: 'em mờ',
  n: 'en nờ',
  p: 'pê',
  q: 'quy',
  r: 'e rờ',
  s: 'ét xì',
  t: 'tê',
  u: 'u',
  v: 'vê',
  w: 'vê kép',
  x: 'ích xì',
  y: 'i dài',
  z: 'dét',
  '2': 'hai',
  '3': 'ba',
  '4': 'bốn',
  '5': 'năm',
  '6': 'sáu',
  '7': 'bảy',
  '8': 'tám',
  '9': 'chín',
};

/** Spells a temporary password for the speech engine, one character at a time: "a, bê, ba, năm". */
export function spellForSpeech(secret: string): string {
  return Array.from(secret, (c) => {
    const spoken = SPOKEN_CHARACTERS[c];
    if (!spoken || !TEMPORARY_ALPHABET.includes(c))
      throw new Error('voice: a character outside the temporary password alphabet');
    return spoken;
  }).join(', ');
}

export interface VoicePasswordResetOptions {
  /** False: the password is never read aloud, always sent by SMS. */
  readAloud: boolean;
  /** Number checks per calling number per hour. */
  perCallerPerHour: number;
  /** Number checks per BHXH number per hour; the owner's network-verified calls and every other call are counted apart. */
  perNumberPerHour: number;
  /** How long a reply holding the password is repeated to the same verified caller. @default 120 */
  replaySeconds?: number;
}

export interface VoicePasswordResetDeps {
  clock: Clock;
  accounts: Pick<AccountRepository, 'phoneOnFile'>;
  channelRequests: ChannelRequests;
  temporaryPasswords: Pick<TemporaryPasswords, 'issueAndDeliver' | 'minutes'>;
  audit: Pick<AuditLog, 'record'>;
  sealer: Sealer;
  /** Keys the hashes under which calling and BHXH numbers are counted in voice_checks (src/app/server.ts: derive('voice')). */
  key: Buffer;
  options: VoicePasswordResetOptions;
  /** The one throttle (src/security/throttle.ts). */
  throttle: Throttle;
  /** A phone changed online this recently proves nothing (`config.account.phoneCoolingSeconds`; SIM-swap cooling-off). */
  phoneCoolingSeconds: number;
}

const AUDIT_TYPE: AuditType = 'voice_reset';

type Step = { state: VoiceState; result: { reply: VoiceReply; step: VoiceStep } };

interface Call extends VoiceRequest {
  callerKey: string;
  requestId: string | null;
}

export function createVoicePasswordReset(deps: VoicePasswordResetDeps) {
  const { clock, channelRequests, temporaryPasswords, audit, sealer, options } = deps;
  const keyOf = (kind: 'caller' | 'number', value: string) => keyedHash(deps.key, 'voice', `${kind}:${value}`);
  const sealContext = (callId: string) => `voice:reply:${callId}`;
  const { minutes } = temporaryPasswords;
  const replaySeconds = options.replaySeconds ?? 120;
  const { throttle } = deps;
  const perCaller: Limit = { name: 'voice_caller', max: options.perCallerPerHour, windowSeconds: 3600 };
  // NOTE: per number, the owner's phone and everybody else have separate budgets: strangers naming a number use up
  // only the mismatch answers for it, never the passwords its owner may ask for.
  const perNumber = (matched: boolean): Limit => ({
    name: matched ? 'voice_number_owner' : 'voice_number_other',
    max: options.perNumberPerHour,
    windowSeconds: 3600,
  });
  // NOTE: a caller ID the network does not vouch for may be spoofed: such calls count as "everybody else" for the
  // number, and per caller under a key of their own, so they never use up the verified owner's budgets.
  const callerBudget = (call: Call) => ({ id: call.callerVerified ? call.callerKey : `unverified:${call.callerKey}` });
  const ownerCall = (call: Call, matched: boolean) => matched && call.callerVerified;

  // NOTE: every query below runs on `trx` (the dialogue row's transaction): PGlite has a single connection.
  /** A finished number check: kept in voice_checks for operators, and counted against the caller and the number. */
  async function recordCheck(
    trx: Knex.Transaction,
    call: Call,
    check: { bhxhNumber: string; numberKey: string; matched: boolean },
    outcome: 'read_aloud' | 'sms_sent' | 'no_match',
  ) {
    await trx('voice_checks').insert({
      call_id: call.callId,
      caller_key: call.callerKey,
      number_key: check.numberKey,
      matched: check.matched,
      outcome,
      created_at: clock.now(),
    });
    await throttle.hit(trx, perCaller, callerBudget(call));
    await throttle.hit(trx, perNumber(ownerCall(call, check.matched)), { id: check.bhxhNumber });
  }

  function prompt(attempt: number, state: VoiceState): Step {
    const say = attempt === 1 ? `${SAY.greeting} ${SAY.ask}` : SAY.askAgain;
    return { state, result: { reply: { say, next: COLLECT_NUMBER }, step: 'asking_number' } };
  }

  /**
   * Ends the call: audits the outcome (never the password) and records the reply for the same caller's retries: a
   * reply holding a secret sealed until the replay window ends, beside `publicSay`, its version without the secret.
   */
  async function finish(
    trx: Knex.Transaction,
    call: Call,
    outcome: VoiceOutcome,
    say: string,
    audited: { accountId?: string | null; reason?: string } = {},
    publicSay?: string,
  ): Promise<Step> {
    const reply: VoiceReply = { say, next: HANG_UP };
    await audit.record(
      {
        type: AUDIT_TYPE,
        outcome: outcome === 'read_aloud' || outcome === 'sms_sent' ? 'success' : 'failure',
        // The account named, matched or not (a stranger asking for it is worth seeing); never the number or the phone.
        accountId: audited.accountId ?? null,
        requestId: call.requestId,
        detail: {
          channel: VOICE_CHANNEL,
          callId: call.callId,
          result: outcome,
          ...(audited.reason ? { reason: audited.reason } : {}),
          callerVerified: call.callerVerified,
        },
      },
      trx,
    );
    const done = { step: 'done' as const, outcome, callerKey: call.callerKey, callerVerified: call.callerVerified };
    if (publicSay === undefined) return { state: { ...done, publicReply: reply }, result: { reply, step: outcome } };
    const secret = {
      sealedReply: sealer.seal(JSON.stringify(reply), sealContext(call.callId)),
      secretUntil: new Date(clock.now().getTime() + replaySeconds * 1000).toISOString(),
    };
    return {
      state: { ...done, publicReply: { say: publicSay, next: HANG_UP }, ...secret },
      result: { reply, step: outcome },
    };
  }

  /** A later webhook of a finished call: the recorded reply for the same caller (the secret only within the window). */
  function replay(stored: Extract<VoiceState, { step: 'done' }>, call: Call): Step {
    const sameCaller = stored.callerKey === call.callerKey && stored.callerVerified === call.callerVerified;
    if (!sameCaller)
      return { state: stored, result: { reply: { say: SAY.callEnded, next: HANG_UP }, step: 'replayed' } };
    const { sealedReply, secretUntil, ...secretFree } = stored;
    if (sealedReply && secretUntil && call.callerVerified && clock.now().getTime() < new Date(secretUntil).getTime()) {
      const reply = JSON.parse(sealer.open(sealedReply, sealContext(call.callId))) as VoiceReply;
      return { state: stored, result: { reply, step: 'replayed' } };
    }
    // Past the window: the row keeps only the secret-free reply from now on.
    return { state: secretFree, result: { reply: stored.publicReply, step: 'replayed' } };
  }

  /** A well-formed number: checked against the calling number, limited, then the password issued. */
  async function checkNumber(trx: Knex.Transaction, call: Call, bhxhNumber: string): Promise<Step> {
    // Whether the calling number is that member's verified phone (src/security/phone-ownership.ts, every channel's rule).
    const ownership = await provePhoneOwnership(deps.accounts, trx, bhxhNumber, parsePhoneNumber(call.caller), {
      now: clock.now(),
      seconds: deps.phoneCoolingSeconds,
    });
    const { matched, account } = ownership;

    // Limits (src/security/throttle.ts), inside this transaction: only finished checks count (recordCheck). Always the
    // caller's budget before the number's: two calls never wait on each other in a cycle.
    const check = { bhxhNumber, numberKey: keyOf('number', bhxhNumber), matched };
    const byCaller = await throttle.count(trx, perCaller, callerBudget(call));
    const byNumber = await throttle.count(trx, perNumber(ownerCall(call, matched)), { id: bhxhNumber });
    if (byCaller.over || byNumber.over) {
      return finish(trx, call, 'throttled', SAY.throttled, { accountId: account?.id ?? null });
    }

    if (!ownership.matched) {
      await recordCheck(trx, call, check, 'no_match');
      return finish(trx, call, 'no_match', MISMATCH_SENTENCE, {
        accountId: account?.id ?? null,
        reason: ownership.reason,
      });
    }
    const { onFile } = ownership;

    const readAloud = call.callerVerified && options.readAloud;
    // Caller ID not vouched for (it may be spoofed), or reading aloud switched off: only the number on file gets it.
    const { password, replaced } = await temporaryPasswords.issueAndDeliver(
      ownership.account.id,
      readAloud ? null : { channel: 'sms', to: onFile },
      trx,
    );
    const earlier = replaced ? ` ${SAY.replacesEarlier}` : '';
    if (readAloud) {
      await recordCheck(trx, call, check, 'read_aloud');
      const spelled = spellForSpeech(password);
      const say = `Mật khẩu tạm thời của quý khách là: ${spelled}. ${SAY.repeated} ${spelled}. ${SAY.validity(minutes)}${earlier} ${GOODBYE}`;
      return finish(trx, call, 'read_aloud', say, { accountId: ownership.account.id }, SAY.callEnded);
    }
    await recordCheck(trx, call, check, 'sms_sent');
    return finish(trx, call, 'sms_sent', `${SAY.sentBySms} ${SAY.validity(minutes)}${earlier} ${GOODBYE}`, {
      accountId: ownership.account.id,
    });
  }

  return {
    /** Answers one webhook of a call. */
    async answer(
      request: VoiceRequest,
      meta: { requestId?: string | null } = {},
    ): Promise<{ reply: VoiceReply; step: VoiceStep }> {
      const call: Call = {
        ...request,
        callerKey: keyOf('caller', parsePhoneNumber(request.caller) ?? `raw:${request.caller}`),
        requestId: meta.requestId ?? null,
      };
      return channelRequests.withState<VoiceState, { reply: VoiceReply; step: VoiceStep }>(
        VOICE_CHANNEL,
        request.callId,
        async (stored, trx) => {
          if (stored?.step === 'done') return replay(stored, call);
          let state = stored;
          if (!state) {
            // A caller already at its limit hears so at once rather than after typing the number.
            if ((await throttle.count(trx, perCaller, callerBudget(call))).over) {
              return finish(trx, call, 'throttled', SAY.throttled);
            }
            state = { step: 'asking_number', attempt: 1, callerKey: call.callerKey };
          }
          // The platform must not change a call's number midway; if it does, nothing is checked for it.
          if (state.callerKey !== call.callerKey) return finish(trx, call, 'caller_changed', SAY.callerChanged);
          if (request.digits === undefined) return prompt(state.attempt, state);

          const bhxhNumber = parseBhxhNumber(request.digits.replace(/#$/, ''));
          if (bhxhNumber) return checkNumber(trx, call, bhxhNumber);
          if (state.attempt >= MAX_NUMBER_ATTEMPTS) return finish(trx, call, 'too_many_attempts', SAY.tooManyAttempts);
          const next: VoiceState = { ...state, attempt: state.attempt + 1 };
          return prompt(next.attempt, next);
        },
      );
    },
  };
}

export type VoicePasswordReset = ReturnType<typeof createVoicePasswordReset>;

/**
 * Deletes what the hotline no longer needs: number checks past the hour they count for (kept a day for operators),
 * and finished calls' dialogue rows past any platform retry; and scrubs every sealed reply (a password read aloud)
 * whose replay window has passed, leaving its secret-free version. Returns how many rows went or were scrubbed.
 */
export async function sweepVoiceCalls(
  db: Knex,
  clock: Clock,
  { checksOlderThanSeconds = 24 * 3600, callsOlderThanSeconds = 24 * 3600, batch = 1000 } = {},
): Promise<number> {
  const now = clock.now().getTime();
  const checks = await db('voice_checks')
    .whereIn(
      'id',
      db('voice_checks')
        .select('id')
        .where('created_at', '<', new Date(now - checksOlderThanSeconds * 1000))
        .limit(batch),
    )
    .delete()
    .returning('id');
  const calls = await db('channel_requests')
    .where({ channel: VOICE_CHANNEL })
    .whereIn(
      'request_id',
      db('channel_requests')
        .select('request_id')
        .where({ channel: VOICE_CHANNEL })
        .andWhere('created_at', '<', new Date(now - callsOlderThanSeconds * 1000))
        .limit(batch),
    )
    .delete()
    .returning('request_id');
  const scrubbed = await db('channel_requests')
    .where({ channel: VOICE_CHANNEL })
    .whereIn(
      'request_id',
      db('channel_requests')
        .select('request_id')
        .where({ channel: VOICE_CHANNEL })
        .whereRaw("state->>'sealedReply' is not null")
        // Rows from before the window existed have no expiry: they are scrubbed at once.
        .andWhere((q) =>
          q
            .whereRaw("state->>'secretUntil' is null")
            .orWhereRaw("(state->>'secretUntil')::timestamptz <= ?", [new Date(now)]),
        )
        .limit(batch),
    )
    .update({ state: db.raw("state - 'sealedReply' - 'secretUntil'") })
    .returning('request_id');
  return checks.length + calls.length + scrubbed.length;
}
