// Demo data for the embedded mode: two members and the two relying parties, created when missing (idempotent).
// Passwords are generated at first seed and kept only in the data folder, never in the repository.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClientMetadata } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { ClientRepository } from '../clients/client-repository.js';
import type { PasswordHasher } from '../methods/password/hasher.js';

export const DEMO_MEMBERS = [
  {
    bhxhNumber: '0123456789',
    fullName: 'Nguyễn Văn An',
    birthdate: '1990-05-15',
    phoneNumber: '+84912345678',
    phoneNumberVerified: true,
    email: 'an.nguyen@example.vn',
    emailVerified: true,
    nationalId: '001090012345',
    mustChangePassword: false,
  },
  {
    bhxhNumber: '7901234567',
    fullName: 'Trần Thị Bình',
    birthdate: '1985-11-02',
    phoneNumber: '+84387654321',
    phoneNumberVerified: true,
    email: null,
    emailVerified: false,
    nationalId: '079185054321',
    // The second member signs in with a temporary password and must choose her own.
    mustChangePassword: true,
  },
] as const;

export function demoClients(_issuer: string): Array<{ metadata: ClientMetadata; firstParty: boolean }> {
  return [
    {
      firstParty: true,
      metadata: {
        client_id: 'vssid',
        client_name: 'VssID – Bảo hiểm xã hội số',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['vn.gov.baohiemxahoi.vssid:/oauth2redirect', 'http://127.0.0.1/callback'],
        post_logout_redirect_uris: ['vn.gov.baohiemxahoi.vssid:/logout', 'http://127.0.0.1/logout'],
      },
    },
    {
      firstParty: true,
      metadata: {
        client_id: 'dichvucong',
        client_name: 'Cổng dịch vụ công BHXH',
        application_type: 'web',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://dichvucong.baohiemxahoi.gov.vn/auth/callback', 'http://localhost:8080/auth/callback'],
        post_logout_redirect_uris: ['https://dichvucong.baohiemxahoi.gov.vn/', 'http://localhost:8080/'],
        backchannel_logout_uri: 'http://localhost:8080/auth/backchannel-logout',
        backchannel_logout_session_required: true,
      },
    },
  ];
}

/**
 * What the banner may print about a demo member: the password the seed set, only while it still signs in (checked
 * against the stored hash at every start), or that it has changed since (a new password, a temporary one, a reset).
 */
export type DemoMember = {
  bhxhNumber: string;
  fullName: string;
  /** The phone on file (E.164), for the SMS keyword and the hotline. */
  phoneNumber: string | null;
} & (
  | {
      /** The seeded password, still the account's. */
      password: string;
      /** The account must choose a new password at its next sign-in. */
      temporary: boolean;
      /** The account is disabled (`bhxh-id accounts disable`): the password is right but does not sign in. */
      disabled?: boolean;
    }
  | { changed: true }
);

export interface DemoClient {
  clientId: string;
  /** The secret the seed registered, only while it is still the client's. */
  clientSecret?: string;
  /** The client has a secret, but not the one the seed registered (it was registered again): not ours to print. */
  secretUnknown?: true;
  /** The client's registered redirect URIs, as stored now. */
  redirectUris: string[];
}

export interface DemoCredentials {
  members: DemoMember[];
  clients: DemoClient[];
}

/** A readable random password: four groups of letters and digits. */
function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

interface SavedCredentials {
  members?: unknown[];
  clients?: Array<{ clientId?: unknown; clientSecret?: unknown }>;
}

/** The data folder's entry for a demo member: its seeded password, unless it changed since (older files: always). */
function savedMember(saved: SavedCredentials, bhxhNumber: string): { password?: unknown } | undefined {
  return (saved.members ?? []).find(
    (m): m is { bhxhNumber: string; password?: unknown } =>
      typeof m === 'object' && m !== null && (m as { bhxhNumber?: unknown }).bhxhNumber === bhxhNumber,
  );
}

/**
 * Creates missing demo members and clients, and returns what is true of them now (also saved in the data folder,
 * 0600). A member's seeded password is returned only while it still verifies against the stored hash, so a restart
 * after the member (or an operator, or a temporary password) changed it says so instead of printing a stale one; the
 * file then forgets it. Accounts and clients that exist without a seeded secret (made by the CLI) are left alone.
 */
export async function seedDemo(
  deps: { accounts: AccountRepository; clients: ClientRepository; hasher: PasswordHasher },
  issuer: string,
  dataDir: string,
): Promise<DemoCredentials> {
  const file = path.join(dataDir, 'demo-credentials.json');
  // Written by this seed (or an older one, whose entries lack `phoneNumber` and `changed`): read defensively.
  const saved: SavedCredentials = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const result: DemoCredentials = { members: [], clients: [] };

  for (const member of DEMO_MEMBERS) {
    const { bhxhNumber, fullName } = member;
    const existing = await deps.accounts.findByBhxhNumber(bhxhNumber);
    if (existing) {
      const entry = savedMember(saved, bhxhNumber);
      if (!entry) continue; // created by someone else (CLI): its password is not ours to print
      const password = typeof entry.password === 'string' ? entry.password : undefined;
      const stillValid =
        password !== undefined &&
        existing.passwordHash !== null &&
        (await deps.hasher.verify(existing.passwordHash, password));
      result.members.push(
        stillValid
          ? {
              bhxhNumber,
              fullName,
              phoneNumber: existing.phoneNumber,
              password,
              temporary: existing.mustChangePassword,
              ...(existing.status === 'active' ? {} : { disabled: true }),
            }
          : { bhxhNumber, fullName, phoneNumber: existing.phoneNumber, changed: true },
      );
      continue;
    }
    const password = generatePassword();
    await deps.accounts.create({ ...member, passwordHash: await deps.hasher.hash(password) });
    result.members.push({
      bhxhNumber,
      fullName,
      phoneNumber: member.phoneNumber,
      password,
      temporary: member.mustChangePassword,
    });
  }

  for (const { metadata, firstParty } of demoClients(issuer)) {
    const clientId = metadata.client_id!;
    let stored = await deps.clients.findForProvider(clientId);
    let clientSecret: string | undefined;
    if (stored) {
      const known = saved.clients?.find((c) => c.clientId === clientId)?.clientSecret;
      // Printed only while it is the client's secret (a client deleted and registered again has another).
      if (typeof known === 'string' && known === stored.client_secret) clientSecret = known;
    } else {
      clientSecret = (await deps.clients.create(metadata, { firstParty })).clientSecret;
      stored = await deps.clients.findForProvider(clientId);
    }
    result.clients.push({
      clientId,
      ...(clientSecret ? { clientSecret } : stored?.client_secret ? { secretUnknown: true as const } : {}),
      redirectUris: (stored?.redirect_uris as string[] | undefined) ?? [],
    });
  }

  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(result, null, 2), { mode: 0o600 });
  return result;
}
