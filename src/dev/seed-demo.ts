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

export interface DemoCredentials {
  members: Array<{ bhxhNumber: string; fullName: string; password: string; temporary: boolean }>;
  clients: Array<{ clientId: string; clientSecret?: string }>;
}

/** A readable random password: four groups of letters and digits. */
function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Creates missing demo members and clients; returns every demo credential known (also saved in the data folder). */
export async function seedDemo(
  deps: { accounts: AccountRepository; clients: ClientRepository; hasher: PasswordHasher },
  issuer: string,
  dataDir: string,
): Promise<DemoCredentials> {
  const file = path.join(dataDir, 'demo-credentials.json');
  const saved: DemoCredentials = fs.existsSync(file)
    ? JSON.parse(fs.readFileSync(file, 'utf8'))
    : { members: [], clients: [] };
  const result: DemoCredentials = { members: [], clients: [] };

  for (const member of DEMO_MEMBERS) {
    const existing = await deps.accounts.findByBhxhNumber(member.bhxhNumber);
    const known = saved.members.find((m) => m.bhxhNumber === member.bhxhNumber);
    if (existing && known) {
      result.members.push(known);
      continue;
    }
    if (existing) continue; // created by someone else (CLI): its password is not ours to print
    const password = generatePassword();
    await deps.accounts.create({ ...member, passwordHash: await deps.hasher.hash(password) });
    result.members.push({
      bhxhNumber: member.bhxhNumber,
      fullName: member.fullName,
      password,
      temporary: member.mustChangePassword,
    });
  }

  for (const { metadata, firstParty } of demoClients(issuer)) {
    const clientId = metadata.client_id!;
    if (await deps.clients.find(clientId)) {
      const known = saved.clients.find((c) => c.clientId === clientId);
      result.clients.push(known ?? { clientId });
      continue;
    }
    const created = await deps.clients.create(metadata, { firstParty });
    result.clients.push(created);
  }

  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(result, null, 2), { mode: 0o600 });
  return result;
}
