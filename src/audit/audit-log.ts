// The audit trail: one row per security-relevant event. Never a secret in it (no password, code, token or key).
import type { Db } from '../db/database.js';

export type AuditType =
  | 'sign_in'
  | 'sign_in.throttled'
  | 'password.changed'
  | 'password.temporary_issued'
  | 'account.created'
  | 'account.status_changed'
  | 'client.created'
  | 'client.deleted'
  | 'resource_server.created'
  | 'resource_server.deleted'
  | 'key.created'
  | 'keys.reencrypted'
  | 'key.staged'
  | 'key.activated'
  | 'key.removed'
  | 'key.revoked'
  | 'admin.keys'
  | 'consent.granted'
  | 'recovery.code_requested'
  | 'recovery.code_checked'
  | 'address.verification_requested'
  | 'address.verified'
  | 'logout'
  | 'federation.link'
  | 'federation.unlink'
  | 'federation.confirm'
  | 'federation.logout'
  | 'sms_inbound'
  | 'voice_reset'
  // The account page's email and phone sections (src/security/address-change.ts).
  | 'address.change_requested'
  | 'address.changed'
  | 'address.removed';

export interface AuditEvent {
  type: AuditType;
  outcome?: 'success' | 'failure';
  accountId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

export function createAuditLog(db: Db) {
  return {
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
