// The audit trail: one row per security-relevant event. Never a secret in it (no password, code, token or key).
import type { Db } from '../db/database.js';

/** Every kind of audit event (a list, so a test can ask that each member-facing one reads as a sentence). */
export const AUDIT_TYPES = [
  'sign_in',
  'sign_in.throttled',
  'password.changed',
  'password.temporary_issued',
  'account.created',
  'account.status_changed',
  'client.created',
  'client.deleted',
  'resource_server.created',
  'resource_server.deleted',
  'key.created',
  'keys.reencrypted',
  'key.staged',
  'key.activated',
  'key.removed',
  'key.revoked',
  'admin.keys',
  'consent.granted',
  'recovery.code_requested',
  'recovery.code_checked',
  'address.verification_requested',
  'address.verified',
  'logout',
  'federation.link',
  'federation.unlink',
  'federation.confirm',
  'federation.logout',
  'sms_inbound',
  'voice_reset',
  // The account page's profile, VNeID, activity and data sections (issue 16); the VNeID removal is federation.unlink.
  'profile.locale_changed',
  'data.exported',
  // The account page's sessions and apps (issue 16; the CLI's end-sessions and revoke-grant too). A password changed
  // on the account page is 'password.changed' with via 'account'.
  'session.ended',
  'grant.revoked',
  // The account page's email and phone sections (src/security/address-change.ts).
  'address.change_requested',
  'address.changed',
  'address.removed',
  // Second factors and passkeys (src/security/authenticator-change.ts): detail.change says which change.
  'authenticator.changed',
] as const;

export type AuditType = (typeof AUDIT_TYPES)[number];

export interface AuditEvent {
  type: AuditType;
  outcome?: 'success' | 'failure';
  accountId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** An event as stored, for the member it concerns (the account page's activity and data, the CLI's activity). */
export interface StoredAuditEvent {
  /** The row's id (a bigint, as text): newest events have the largest. */
  id: string;
  at: Date;
  type: string;
  outcome: 'success' | 'failure';
  clientId: string | null;
  ip: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

interface AuditRow {
  id: string | number;
  at: Date | string;
  type: string;
  outcome: 'success' | 'failure';
  account_id: string | null;
  client_id: string | null;
  ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown> | string | null;
}

const fromRow = (r: AuditRow): StoredAuditEvent => ({
  id: String(r.id),
  at: new Date(r.at),
  type: r.type,
  outcome: r.outcome,
  clientId: r.client_id,
  ip: r.ip,
  requestId: r.request_id,
  detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) ?? {},
});

export function createAuditLog(db: Db) {
  return {
    /**
     * An account's own events since `since`, newest first (by time, then id), at most `limit`; `before` (an event
     * id) continues a list where its previous page ended.
     */
    async forAccount(
      accountId: string,
      options: { since: Date; limit: number; before?: string | undefined },
    ): Promise<StoredAuditEvent[]> {
      const query = db<AuditRow>('audit_events')
        .where({ account_id: accountId })
        .andWhere('at', '>=', options.since)
        .orderBy([
          { column: 'at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(options.limit);
      // After the event `before` in that order (none when it is not this account's: an empty page).
      if (options.before !== undefined)
        query.andWhereRaw('(at, id) < (select e.at, e.id from audit_events e where e.id = ? and e.account_id = ?)', [
          options.before,
          accountId,
        ]);
      return (await query).map(fromRow);
    },

    /** Every event of an account, oldest first (the member's data download). */
    async allForAccount(accountId: string): Promise<StoredAuditEvent[]> {
      return (await db<AuditRow>('audit_events').where({ account_id: accountId }).orderBy('id', 'asc')).map(fromRow);
    },

    async record(event: AuditEvent, trx: Db = db): Promise<void> {
      await trx('audit_events').insert({
        type: event.type,
        outcome: event.outcome ?? 'success',
        account_id: event.accountId ?? null,
        client_id: event.clientId ?? null,
        ip: event.ip ?? null,
        request_id: event.requestId ?? null,
        detail: JSON.stringify(event.detail ?? {}),
      });
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
