// The account page's "Dữ liệu của tôi" (issue 16, item 11): a JSON download of everything BHXH ID stores about the
// member — account fields, addresses, VNeID links, live sessions and grants, every audit event of the account — the
// right of access of the Personal Data Protection Law (91/2025/QH15) and Decree 356/2025. Each part is read by the
// repository that owns its table; this module only assembles them.
//
// What is left out, and why, is written into the file itself (`notes`, `left_out`): the password hash and temporary
// password, the credential version, session ids, tokens and codes. Account columns are exported from an allow-list:
// a column added later is not exported until someone decides (test/account/data.test.ts fails until it is listed
// here, exported or left out). Sensitive (a sign-in within ACCOUNT_REAUTH_SECONDS); audited `data.exported`.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Account, AccountRepository } from '../../accounts/account-repository.js';
import type { FederatedIdentities } from '../../accounts/federated-identities.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { appNamer } from '../../clients/client-names.js';
import type { ClientRepository } from '../../clients/client-repository.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../core/clock.js';
import { translator, type Translate } from '../../core/i18n.js';
import type { Db } from '../../db/database.js';
import { accountGrants, accountSessions } from '../../oidc/account-artifacts.js';
import { confirmIdentity } from '../../../views/account/layout.js';
import { dataPage } from '../../../views/account/data.js';
import { isRecent, member, reauthHref } from './account-session.js';
import type { SectionTools } from './section.js';

export interface DataSectionDeps {
  db: Db;
  config: Config;
  clock: Clock;
  accounts: Pick<AccountRepository, 'findById'>;
  federatedIdentities: Pick<FederatedIdentities, 'listForAccount'>;
  audit: Pick<AuditLog, 'allForAccount' | 'record'>;
  clients: Pick<ClientRepository, 'find'>;
}

const SECTION = '/account/data';

/** Columns of `accounts` the file leaves out, each with the reason written into the file. */
export const LEFT_OUT_ACCOUNT_COLUMNS = {
  password_hash: 'a secret: the password in hashed form',
  temporary_password_hash: 'a secret: a pending temporary password in hashed form',
  temporary_password_expires_at: 'part of a pending temporary password',
  credential_version: 'an internal counter that moves with each password change; it says nothing about you',
} as const;

/** The account's own fields, by column name (the addresses are a part of their own). */
function accountPart(a: Account) {
  return {
    id: a.id,
    bhxh_number: a.bhxhNumber,
    national_id: a.nationalId,
    full_name: a.fullName,
    birthdate: a.birthdate,
    status: a.status,
    locale: a.locale,
    must_change_password: a.mustChangePassword,
    has_password: Boolean(a.passwordHash),
    password_changed_at: a.passwordChangedAt,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

function addressesPart(a: Account) {
  return {
    email: a.email,
    email_verified: a.emailVerified,
    phone_number: a.phoneNumber,
    phone_number_verified: a.phoneNumberVerified,
    // When the number was last changed on the account page (the SIM-swap cooling-off counts from it).
    phone_changed_at: a.phoneChangedAt,
  };
}

/** A detail field whose name says it could hold a secret (none should: audit/audit-log.ts forbids it). */
const SECRET_NAME = /password|secret|token|hash|otp|^code$|private/i;

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key]) => !SECRET_NAME.test(key))
        .map(([key, v]) => [key, withoutSecrets(v)]),
    );
  return value;
}

/** The document the member downloads. */
export async function personalData(deps: DataSectionDeps, accountId: string, now: Date) {
  const account = await deps.accounts.findById(accountId);
  if (!account) throw new Error('personal data: no such account');
  const [links, sessions, grants, events] = await Promise.all([
    deps.federatedIdentities.listForAccount(accountId),
    accountSessions(deps.db, accountId, now),
    accountGrants(deps.db, accountId, now),
    deps.audit.allForAccount(accountId),
  ]);
  // Names as registered (the account page's own in Vietnamese, the file's first language).
  const appName = await appNamer(
    deps.clients,
    [...grants.map((g) => g.clientId), ...sessions.flatMap((s) => s.clientIds)],
    translator('vi'),
  );
  const notes = (t: Translate) => [
    t('account.data.note.format'),
    t('account.data.note.secrets'),
    t('account.data.note.events'),
    t('account.data.note.hashed'),
  ];
  return {
    format: 'bhxh-id-personal-data/1',
    exported_at: now.toISOString(),
    notes: { vi: notes(translator('vi')), en: notes(translator('en')) },
    left_out: {
      account_columns: LEFT_OUT_ACCOUNT_COLUMNS,
      sessions: 'the session id (it is the value of the session cookie)',
      grants: 'the grant id, and the tokens and codes issued under it',
      audit_events: `detail fields whose name matches ${SECRET_NAME} (none are written: a guard)`,
    },
    account: accountPart(account),
    addresses: addressesPart(account),
    vneid_links: links.map((l) => ({
      issuer: l.issuer,
      subject: l.subject,
      national_id: l.nationalId,
      linked_by: l.linkedBy,
      linked_at: l.createdAt,
      last_used_at: l.lastUsedAt,
    })),
    sessions: sessions.map((s) => ({
      uid: s.uid,
      signed_in_at: s.loginAt,
      expires_at: s.expiresAt,
      acr: s.acr,
      amr: s.amr,
      apps: s.clientIds.map((id) => ({ client_id: id, name: appName(id) })),
      device: s.device && {
        user_agent: s.device.userAgent,
        network: s.device.network,
        first_seen_at: s.device.firstSeenAt,
        last_seen_at: s.device.lastSeenAt,
      },
    })),
    grants: grants.map((g) => ({
      client_id: g.clientId,
      client_name: appName(g.clientId),
      scopes: g.scopes,
      resources: g.resources,
      granted_at: g.grantedAt,
    })),
    audit_events: events.map((e) => ({
      at: e.at,
      type: e.type,
      outcome: e.outcome,
      client_id: e.clientId,
      ip: e.ip,
      request_id: e.requestId,
      detail: withoutSecrets(e.detail),
    })),
  };
}

/** "2026-12-04" in Vietnam's time zone, for the file name. */
function vietnamDay(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(now);
}

export function registerDataSection(router: Router, deps: DataSectionDeps, tools: SectionTools): void {
  router.get(SECTION, tools.signedIn, async (ctx) => {
    const m = member(ctx);
    ctx.body = dataPage(tools.frame(ctx), {
      csrfToken: m.csrfToken,
      confirm: isRecent(deps, m)
        ? undefined
        : confirmIdentity(m.page, {
            href: reauthHref(SECTION),
            minutes: Math.ceil(deps.config.account.reauthSeconds / 60),
            afterRefusedChange: ctx.query.confirm === '1',
          }),
    });
  });

  router.post(
    `${SECTION}/download`,
    tools.signedIn,
    tools.parseForm,
    tools.csrf,
    tools.recentSignIn(SECTION),
    async (ctx: Context) => {
      const m = member(ctx);
      const now = deps.clock.now();
      const document = await personalData(deps, m.account.id, now);
      await deps.audit.record({
        type: 'data.exported',
        accountId: m.account.id,
        ip: ctx.ip,
        requestId: ctx.state.requestId as string | undefined,
        detail: { events: document.audit_events.length },
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Content-Disposition', `attachment; filename="bhxh-id-${vietnamDay(now)}.json"`);
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = `${JSON.stringify(document, null, 2)}\n`;
    },
  );
}
