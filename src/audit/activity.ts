// What a member's audit events say in plain words: one sentence per event, in the page's language, for the account
// page's "Hoạt động bảo mật" (src/flows/account/activity.ts) and the operators' `bhxh-id accounts activity` alike.
//
// The detail is read only through this mapping — a few known fields (how one signed in, the channel, the reason),
// each turned into words — and never shown as stored, so nothing an event's writer put in its detail (a call id, an
// issuer, an operator's id) reaches the page unless a sentence here names it. A type this module does not know
// (one added later) gets a generic sentence with its type name: a new event never breaks the page.
import type { MessageId, Translate } from '../core/i18n.js';
import { coarseNetwork } from '../core/coarse-network.js';
import type { StoredAuditEvent } from './audit-log.js';
import { AUTHENTICATOR_CHANGES, type AuthenticatorChangeKind } from './authenticator-changes.js';

/** How long the activity goes back (the issue: "the last 90 days"). */
export const ACTIVITY_DAYS = 90;

export interface ActivityLine {
  id: string;
  at: Date;
  /** The stored type and outcome (the CLI shows them beside the sentence). */
  type: string;
  outcome: 'success' | 'failure';
  sentence: string;
  /** The app's name, when the event names one. */
  app?: string;
  /** The network the request came from (IPv4 /24, IPv6 /48), never the address. */
  network?: string;
}

/** Names an app by its client id (built by the caller: clients/client-names.ts). */
export type AppName = (clientId: string) => string;

type Sentence = { id: MessageId; vars?: Record<string, string> };

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function channelName(t: Translate, value: unknown): string {
  const method = text(value) ?? '';
  return t(method.startsWith('email') ? 'account.activity.channel.email' : 'account.activity.channel.sms');
}

function addressName(t: Translate, value: unknown): string {
  return t(text(value) === 'email' ? 'account.activity.address.email' : 'account.activity.address.phone');
}

function signIn(e: StoredAuditEvent): Sentence {
  const method = text(e.detail.method);
  if (e.outcome === 'success') {
    if (method === 'password') return { id: 'account.activity.event.sign_in.password' };
    if (method === 'vneid') return { id: 'account.activity.event.sign_in.vneid' };
    return { id: 'account.activity.event.sign_in.other' };
  }
  switch (text(e.detail.reason)) {
    case 'wrong_password':
      return { id: 'account.activity.event.sign_in_failed.wrong_password' };
    case 'disabled':
      return { id: 'account.activity.event.sign_in_failed.disabled' };
    case 'no_password':
      return { id: 'account.activity.event.sign_in_failed.no_password' };
    case 'link_level_insufficient':
      return { id: 'account.activity.event.sign_in_failed.link_level' };
  }
  return method === 'vneid'
    ? { id: 'account.activity.event.sign_in_failed.vneid' }
    : { id: 'account.activity.event.sign_in_failed.other' };
}

function passwordChanged(e: StoredAuditEvent): Sentence {
  switch (text(e.detail.via)) {
    case 'recovery': {
      const method = text(e.detail.method);
      if (method === 'email-code') return { id: 'account.activity.event.password_reset.email' };
      if (method === 'sms-code') return { id: 'account.activity.event.password_reset.sms' };
      return { id: 'account.activity.event.password_reset.other' };
    }
    case 'temporary_password':
      return { id: 'account.activity.event.password_after_temporary' };
    case 'must_change_password':
      return { id: 'account.activity.event.password_required_change' };
    case 'cli':
    case 'office':
      return { id: 'account.activity.event.password_by_office' };
  }
  return { id: 'account.activity.event.password_changed' };
}

function linkRemoved(e: StoredAuditEvent): Sentence {
  if (text(e.detail.reason) === 'credential_change') return { id: 'account.activity.event.unlink_password_change' };
  switch (text(e.detail.via)) {
    case 'account':
      return { id: 'account.activity.event.unlink_member' };
    case 'cli':
    case 'office':
      return { id: 'account.activity.event.unlink_office' };
  }
  return { id: 'account.activity.event.unlink_other' };
}

/** The sentence of one event: by type, then outcome, then the few detail fields that say more. */
function sentenceOf(e: StoredAuditEvent, t: Translate): Sentence {
  const ok = e.outcome === 'success';
  switch (e.type) {
    case 'sign_in':
      return signIn(e);
    case 'sign_in.throttled':
      return { id: 'account.activity.event.sign_in_throttled' };
    case 'logout':
      return { id: 'account.activity.event.logout' };
    case 'federation.logout':
      return { id: 'account.activity.event.vneid_logout' };
    case 'consent.granted':
      return { id: 'account.activity.event.consent' };
    case 'recovery.code_requested':
      return {
        id: ok ? 'account.activity.event.code_requested' : 'account.activity.event.code_requested_refused',
        vars: { channel: channelName(t, e.detail.method) },
      };
    case 'recovery.code_checked':
      return { id: ok ? 'account.activity.event.code_checked' : 'account.activity.event.code_checked_failed' };
    case 'password.changed':
      return passwordChanged(e);
    case 'password.temporary_issued':
      return {
        id:
          text(e.detail.via) === 'office'
            ? 'account.activity.event.temporary_office'
            : 'account.activity.event.temporary_other',
      };
    case 'sms_inbound': {
      const outcome = text(e.detail.outcome);
      if (outcome === 'issued') return { id: 'account.activity.event.sms_keyword_issued' };
      if (outcome === 'mismatch') return { id: 'account.activity.event.sms_keyword_refused' };
      return { id: 'account.activity.event.sms_keyword_other' };
    }
    case 'voice_reset': {
      const result = text(e.detail.result);
      if (ok && result === 'read_aloud') return { id: 'account.activity.event.hotline_read' };
      if (ok && result === 'sms_sent') return { id: 'account.activity.event.hotline_sms' };
      return { id: 'account.activity.event.hotline_refused' };
    }
    case 'address.verification_requested':
      return {
        id: 'account.activity.event.address_code_requested',
        vars: { address: addressName(t, e.detail.channel) },
      };
    case 'address.change_requested':
      return {
        id: 'account.activity.event.address_change_code_requested',
        vars: { address: addressName(t, e.detail.channel) },
      };
    case 'address.verified':
      return {
        id: ok ? 'account.activity.event.address_verified' : 'account.activity.event.address_verify_failed',
        vars: { address: addressName(t, e.detail.channel) },
      };
    case 'address.changed':
      return { id: 'account.activity.event.address_changed', vars: { address: addressName(t, e.detail.channel) } };
    case 'address.removed':
      return { id: 'account.activity.event.address_removed', vars: { address: addressName(t, e.detail.channel) } };
    case 'federation.link': {
      if (!ok) return { id: 'account.activity.event.link_failed' };
      const linkedBy = text(e.detail.linkedBy);
      if (linkedBy === 'national_id') return { id: 'account.activity.event.link_national_id' };
      if (linkedBy === 'password') return { id: 'account.activity.event.link_password' };
      return { id: 'account.activity.event.link_other' };
    }
    case 'federation.unlink':
      return linkRemoved(e);
    case 'federation.confirm':
      return { id: ok ? 'account.activity.event.link_confirmed' : 'account.activity.event.link_confirm_failed' };
    case 'account.created':
      return { id: 'account.activity.event.account_created' };
    case 'account.status_changed':
      return {
        id:
          text(e.detail.status) === 'disabled'
            ? 'account.activity.event.account_disabled'
            : 'account.activity.event.account_enabled',
      };
    case 'session.ended':
      return { id: 'account.activity.event.session_ended' };
    case 'grant.revoked':
      return { id: 'account.activity.event.grant_revoked' };
    case 'data.exported':
      return { id: 'account.activity.event.data_exported' };
    case 'authenticator.changed': {
      const change = text(e.detail.change);
      if (change && (AUTHENTICATOR_CHANGES as readonly string[]).includes(change))
        return { id: `account.activity.event.authenticator.${change as AuthenticatorChangeKind}` };
      return { id: 'account.activity.event.authenticator.other' };
    }
    case 'profile.locale_changed':
      return {
        id: 'account.activity.event.locale_changed',
        vars: {
          language: t(text(e.detail.to) === 'en' ? 'account.activity.language.en' : 'account.activity.language.vi'),
        },
      };
  }
  // A type named only by lower-case words, dots and underscores is shown as such; anything else is not echoed.
  const type = /^[a-z][a-z0-9_.]{0,60}$/.test(e.type) ? e.type : '?';
  return { id: ok ? 'account.activity.event.other' : 'account.activity.event.other_failed', vars: { type } };
}

/** One event in plain words, with the app it names and the network it came from. */
export function describeActivity(event: StoredAuditEvent, t: Translate, appName: AppName): ActivityLine {
  const sentence = sentenceOf(event, t);
  const network = coarseNetwork(event.ip);
  return {
    id: event.id,
    at: event.at,
    type: event.type,
    outcome: event.outcome,
    sentence: t(sentence.id, sentence.vars),
    ...(event.clientId ? { app: appName(event.clientId) } : {}),
    ...(network ? { network } : {}),
  };
}

/** The first moment the activity shows, `days` before `now`. */
export function activitySince(now: Date, days = ACTIVITY_DAYS): Date {
  return new Date(now.getTime() - days * 24 * 3600 * 1000);
}
