// The code step the account page's email and phone sections share (issue 16, items 4 and 5): a code goes to the new
// address (or to the address on file, to confirm it), the member types it, and only then does the address change.
//
//   section page ──POST …/address (new address; recent sign-in)──▶ account_address(change) ──▶ GET …/code
//   section page ──POST …/confirm (the address on file)──────────▶ account_address(verify) ──▶ GET …/code
//   GET …/code ──POST …/code (right code; a change needs a recent sign-in)──▶ section page ?done=changed|added|verified
//        │  ▲
//        └──┘ wrong code (tries capped) · POST …/resend (a new code, within the limits) · "use another address"
//
// The code, its limits and its binding to the address are src/methods/address-verification/ (the code store of
// recovery); the change itself is src/security/address-change.ts. The pending step (`account_address`, one per
// account and channel) only remembers where the code went and how the page names it; the code is what proves it.
// Nothing here looks at other accounts: the same pages whether or not another account has the address.
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import type { MessageId } from '../../core/i18n.js';
import {
  type AddressVerification,
  parseNewAddress,
  type StartChangeResult,
  type StartResult,
} from '../../methods/address-verification/address-verification.js';
import type { AddressChannel } from '../../security/deliverable-address.js';
import { addressCodePage } from '../../../views/account/address-code.js';
import { confirmIdentity } from '../../../views/account/layout.js';
import type { FlowStore } from '../flow-store.js';
import { isRecent, member, reauthHref } from './account-session.js';
import type { AccountAddressData } from './flow-kinds.js';
import type { SectionTools } from './section.js';

/** What the code step uses. */
export interface AddressStepDeps {
  config: Config;
  clock: Clock;
  flows: FlowStore;
  addressVerification: AddressVerification;
}

/** One section's side of the step: its name, channel and field, how it shows an address, and its own page. */
export interface AddressSection {
  section: 'email' | 'phone';
  channel: AddressChannel;
  /** The form field of the new address. */
  field: 'new_email' | 'new_phone';
  /** How the pages show an address of this channel: from what the member typed, else from the normalised form. */
  shown(address: string, typed?: string): string;
  /** Draws the section's page (the status is set by the caller): an error about the new address, or a notice. */
  render(ctx: Context, options: SectionPageOptions): Promise<void>;
}

export interface SectionPageOptions {
  error?: string;
  /** The error is about the typed address (the field is marked), not a pause in sending codes. */
  fieldInError?: boolean;
  typed?: string;
}

const KIND = 'account_address';
/** How long a pending step waits for its code (the code itself lives RECOVERY_CODE_TTL_SECONDS). */
const PENDING_SECONDS = 30 * 60;

const pendingId = (accountId: string, channel: AddressChannel) => `${accountId}.${channel}`;

/** The code waiting to be entered for this account and channel, if any. */
export async function pendingCode(
  deps: Pick<AddressStepDeps, 'flows'>,
  accountId: string,
  channel: AddressChannel,
): Promise<AccountAddressData | undefined> {
  return (await deps.flows.get(KIND, pendingId(accountId, channel)))?.data;
}

/** Forgets the pending step (the address it names is gone, or the member removed it). */
export async function forgetPendingCode(
  deps: Pick<AddressStepDeps, 'flows'>,
  accountId: string,
  channel: AddressChannel,
): Promise<void> {
  await deps.flows.delete(KIND, pendingId(accountId, channel));
}

/** "Confirm it's you", for a page whose change needs a recent sign-in, when the sign-in is older. */
export function reauthBox(
  deps: Pick<AddressStepDeps, 'clock' | 'config'>,
  ctx: Context,
  section: AddressSection['section'],
) {
  const m = member(ctx);
  if (isRecent(deps, m)) return undefined;
  return confirmIdentity(m.page, {
    href: reauthHref(`/account/${section}`),
    minutes: Math.max(1, Math.round(deps.config.account.reauthSeconds / 60)),
    afterRefusedChange: ctx.query.confirm === '1',
  });
}

function field(ctx: Context, name: string): string {
  const value = (ctx.request as { body?: Record<string, unknown> }).body?.[name];
  return typeof value === 'string' ? value : '';
}

type Refused = Extract<StartResult | StartChangeResult, { ok: false }>;

/** The sentence for a request the limits refused, or undefined for any other refusal. */
function limitMessage(ctx: Context, s: AddressSection['section'], refused: Refused, perHour: number) {
  const { t } = member(ctx).page;
  switch (refused.reason) {
    case 'ip_limit':
      return t(`account.${s}.error.ip_limit`);
    case 'cooldown':
      return t(`account.${s}.error.wait`, { seconds: refused.retryAfterSeconds ?? 60 });
    case 'account_limit':
      return t(`account.${s}.error.hour_limit`, {
        perHour,
        minutes: Math.max(1, Math.ceil((refused.retryAfterSeconds ?? 3600) / 60)),
      });
    default:
      return undefined;
  }
}

export function registerAddressStep(
  router: Router,
  deps: AddressStepDeps,
  tools: SectionTools,
  section: AddressSection,
): void {
  const { channel } = section;
  const s = section.section;
  const base = `/account/${s}`;
  const codes = deps.config.recovery;
  const redirect = (ctx: Context, to: string) => {
    ctx.status = 303;
    ctx.redirect(to);
  };
  const remember = (ctx: Context, data: Omit<AccountAddressData, 'channel'>) =>
    deps.flows.put({
      kind: KIND,
      id: pendingId(member(ctx).account.id, channel),
      state: 'awaiting_code',
      data: { ...data, channel },
      expiresAt: new Date(deps.clock.now().getTime() + PENDING_SECONDS * 1000),
    });

  /** The code page, with an error or a notice; `status` 200 unless told. */
  const showCode = (
    ctx: Context,
    pending: AccountAddressData,
    options: { status?: number; error?: MessageId; errorText?: string; notice?: string } = {},
  ) => {
    const m = member(ctx);
    ctx.status = options.status ?? 200;
    ctx.type = 'html';
    const reauth = pending.mode === 'change' ? reauthBox(deps, ctx, s) : undefined;
    const error = options.error ? m.page.t(options.error) : options.errorText;
    ctx.body = addressCodePage(tools.frame(ctx), {
      section: s,
      csrfToken: m.csrfToken,
      address: pending.shown,
      minutes: Math.max(1, Math.round(codes.ttlSeconds / 60)),
      cooldownSeconds: codes.cooldownSeconds,
      perHour: codes.perAccountPerHour,
      ...(reauth ? { reauth } : {}),
      ...(options.notice ? { notice: options.notice } : {}),
      ...(error ? { error, codeInError: Boolean(options.error) } : {}),
    });
  };

  /** Loads the pending step into ctx.state (none: back to the section's page). */
  const loadPending: Middleware = async (ctx: Context, next: Next) => {
    const pending = await pendingCode(deps, member(ctx).account.id, channel);
    if (!pending) return redirect(ctx, base);
    ctx.state.pending = pending;
    await next();
  };
  const pendingOf = (ctx: Context) => ctx.state.pending as AccountAddressData;
  /** A step that would change the address needs a recent sign-in; confirming the address on file does not. */
  const recentForChange = tools.recentSignIn(base);
  const recentIfChange: Middleware = async (ctx, next) =>
    pendingOf(ctx).mode === 'change' ? recentForChange(ctx, next) : next();

  // A new address: the code goes there; nothing is written to the account until the code comes back.
  router.post(`${base}/address`, tools.signedIn, tools.parseForm, tools.csrf, tools.recentSignIn(base), async (ctx) => {
    const m = member(ctx);
    const typed = field(ctx, section.field);
    const keep = Array.from(typed).slice(0, 254).join('');
    const address = parseNewAddress(channel, typed);
    if (!address) {
      ctx.status = 400;
      return section.render(ctx, { error: m.page.t(`account.${s}.error.format`), fieldInError: true, typed: keep });
    }
    const started = await deps.addressVerification.startChange({
      accountId: m.account.id,
      channel,
      address,
      ip: ctx.ip,
      requestId: ctx.state.requestId,
    });
    if (!started.ok) {
      if (started.reason === 'unchanged') {
        ctx.status = 422;
        return section.render(ctx, {
          error: m.page.t(`account.${s}.error.unchanged`),
          fieldInError: true,
          typed: keep,
        });
      }
      const limited = limitMessage(ctx, s, started, codes.perAccountPerHour);
      if (!limited) return redirect(ctx, '/account');
      ctx.status = 429;
      return section.render(ctx, { error: limited, typed: keep });
    }
    await remember(ctx, { mode: 'change', address, shown: section.shown(address, typed) });
    redirect(ctx, `${base}/code`);
  });

  // The address on file, not yet confirmed: a code goes there (src/methods/address-verification, `start`).
  router.post(`${base}/confirm`, tools.signedIn, tools.parseForm, tools.csrf, async (ctx) => {
    const m = member(ctx);
    const started = await deps.addressVerification.start({
      accountId: m.account.id,
      channel,
      ip: ctx.ip,
      requestId: ctx.state.requestId,
    });
    if (!started.ok) {
      const limited = limitMessage(ctx, s, started, codes.perAccountPerHour);
      if (!limited) return redirect(ctx, base); // already confirmed, or nothing on file any more
      ctx.status = 429;
      return section.render(ctx, { error: limited });
    }
    await remember(ctx, { mode: 'verify', address: started.address, shown: section.shown(started.address) });
    redirect(ctx, `${base}/code`);
  });

  router.get(`${base}/code`, tools.signedIn, loadPending, async (ctx) => {
    showCode(
      ctx,
      pendingOf(ctx),
      ctx.query.sent === '1' ? { notice: member(ctx).page.t(`account.${s}.code.resent`) } : {},
    );
  });

  router.post(`${base}/code`, tools.signedIn, tools.parseForm, tools.csrf, loadPending, recentIfChange, async (ctx) => {
    const m = member(ctx);
    const pending = pendingOf(ctx);
    const code = field(ctx, 'code');
    const who = { accountId: m.account.id, channel, code, ip: ctx.ip, requestId: ctx.state.requestId };
    if (pending.mode === 'change') {
      const changed = await deps.addressVerification.confirmChange({ ...who, address: pending.address });
      if (changed.ok) {
        await forgetPendingCode(deps, m.account.id, channel);
        // The same address as on file, unconfirmed until now, was only confirmed.
        const done = changed.previous === changed.address ? 'verified' : changed.previous ? 'changed' : 'added';
        return redirect(ctx, `${base}?done=${done}`);
      }
      if (changed.reason === 'no_account') return redirect(ctx, '/account');
      return showCode(ctx, pending, {
        status: 400,
        error: changed.reason === 'wrong' ? 'recovery.code.error.wrong' : 'recovery.code.error.dead',
      });
    }
    const verified = await deps.addressVerification.confirm(who);
    if (verified.ok) {
      await forgetPendingCode(deps, m.account.id, channel);
      return redirect(ctx, `${base}?done=verified`);
    }
    if (verified.reason === 'wrong' || verified.reason === 'dead') {
      return showCode(ctx, pending, {
        status: 400,
        error: verified.reason === 'wrong' ? 'recovery.code.error.wrong' : 'recovery.code.error.dead',
      });
    }
    // The address on file changed (or went) since the code was sent: nothing to confirm any more.
    await forgetPendingCode(deps, m.account.id, channel);
    redirect(ctx, base);
  });

  // A new code to the same address (the earlier one dies), under the same limits.
  router.post(
    `${base}/resend`,
    tools.signedIn,
    tools.parseForm,
    tools.csrf,
    loadPending,
    recentIfChange,
    async (ctx) => {
      const m = member(ctx);
      const pending = pendingOf(ctx);
      const request = { accountId: m.account.id, channel, ip: ctx.ip, requestId: ctx.state.requestId };
      const started =
        pending.mode === 'change'
          ? await deps.addressVerification.startChange({ ...request, address: pending.address })
          : await deps.addressVerification.start(request);
      if (started.ok) {
        if (started.address !== pending.address)
          await remember(ctx, { ...pending, address: started.address, shown: section.shown(started.address) });
        return redirect(ctx, `${base}/code?sent=1`);
      }
      if (started.reason === 'cooldown') {
        // Nothing new was sent and nothing died: the code sent before still works.
        return showCode(ctx, pending, {
          status: 429,
          notice: m.page.t(`account.${s}.code.wait`, { seconds: started.retryAfterSeconds ?? 60 }),
        });
      }
      const limited = limitMessage(ctx, s, started, codes.perAccountPerHour);
      if (limited) return showCode(ctx, pending, { status: 429, errorText: limited });
      // Confirmed meanwhile, or the address on file is gone: the section's page says how things are.
      await forgetPendingCode(deps, m.account.id, channel);
      redirect(ctx, base);
    },
  );
}
