// The key store: signing keys and cookie secrets live in the database, sealed at rest.
// States follow the lifecycle staged → active → retired → removed; this module creates the first active keys and
// loads what a provider needs. Rotation (staging, retiring, removing) is built on the same rows.
import crypto from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../db/database.js';
import type { Sealer } from './sealer.js';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export type KeyState = 'staged' | 'active' | 'retired' | 'removed';

export interface KeyRow {
  kid: string;
  use: 'sig' | 'cookie';
  alg: string;
  state: KeyState;
  public_jwk: JWK | null;
  private_encrypted: string;
  encryption_key_id: string;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
  removed_at: Date | null;
}

export interface ProviderKeys {
  /** Private JWKs in signing order: active keys first, then staged and retired ones (published, not used to sign). */
  jwks: { keys: JWK[] };
  /** Cookie signing secrets, the active one first (older ones still verify). */
  cookieKeys: string[];
}

const STATE_ORDER: Record<KeyState, number> = { active: 0, staged: 1, retired: 2, removed: 3 };

/** Generates a signing key for `alg` and returns its row (not yet stored). */
async function newSigningKey(alg: SigningAlgorithm, state: KeyState, sealer: Sealer): Promise<Omit<KeyRow, 'created_at' | 'retired_at' | 'removed_at'>> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const priv = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(priv, 'sha256');
  const full: JWK = { ...priv, kid, alg, use: 'sig' };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = full;
  return {
    kid,
    use: 'sig',
    alg,
    state,
    public_jwk: pub,
    private_encrypted: sealer.seal(JSON.stringify(full), `key:${kid}`),
    encryption_key_id: sealer.keyId,
    activated_at: state === 'active' ? new Date() : null,
  };
}

function newCookieSecret(sealer: Sealer) {
  const kid = `cookie-${crypto.randomBytes(8).toString('hex')}`;
  return {
    kid,
    use: 'cookie' as const,
    alg: 'HS256',
    state: 'active' as const,
    public_jwk: null,
    private_encrypted: sealer.seal(crypto.randomBytes(32).toString('base64url'), `key:${kid}`),
    encryption_key_id: sealer.keyId,
    activated_at: new Date(),
  };
}

/** Makes sure one active key per signing algorithm and one active cookie secret exist (first start). */
export async function ensureActiveKeys(db: Db, sealer: Sealer): Promise<string[]> {
  const created: string[] = [];
  await db.transaction(async (trx) => {
    // One node at a time creates first keys; others wait and then find them.
    await trx.raw('select pg_advisory_xact_lock(?)', [0x6b657973]);
    const active: Pick<KeyRow, 'use' | 'alg'>[] = await trx('keys').where({ state: 'active' }).select('use', 'alg');
    for (const alg of SIGNING_ALGORITHMS) {
      if (!active.some((k) => k.use === 'sig' && k.alg === alg)) {
        const row = await newSigningKey(alg, 'active', sealer);
        await trx('keys').insert({ ...row, public_jwk: JSON.stringify(row.public_jwk) });
        created.push(row.kid);
      }
    }
    if (!active.some((k) => k.use === 'cookie')) {
      const row = newCookieSecret(sealer);
      await trx('keys').insert(row);
      created.push(row.kid);
    }
  });
  return created;
}

/** Loads the keys a provider is built with. */
export async function loadProviderKeys(db: Db, sealer: Sealer): Promise<ProviderKeys> {
  const rows: KeyRow[] = await db('keys').whereNot({ state: 'removed' }).orderBy('created_at', 'desc');
  rows.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]);
  const jwks: JWK[] = [];
  const cookieKeys: string[] = [];
  for (const row of rows) {
    const secret = sealer.open(row.private_encrypted, `key:${row.kid}`);
    if (row.use === 'sig') jwks.push(JSON.parse(secret) as JWK);
    else if (row.state !== 'staged') cookieKeys.push(secret);
  }
  return { jwks: { keys: jwks }, cookieKeys };
}

/** Lists keys without private material (for the CLI and audit). */
export async function listKeys(db: Db): Promise<Omit<KeyRow, 'private_encrypted'>[]> {
  return db('keys')
    .select('kid', 'use', 'alg', 'state', 'public_jwk', 'encryption_key_id', 'created_at', 'activated_at', 'retired_at', 'removed_at')
    .orderBy('created_at');
}
