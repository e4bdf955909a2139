// The key store: signing keys, cookie secrets and the internal secret live in the database, sealed at rest.
// States follow the lifecycle staged → active → retired → removed (lifecycle.ts moves them); this module creates keys
// and loads what a provider needs.
import crypto from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../db/database.js';
import type { Sealer } from './sealer.js';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export type KeyState = 'staged' | 'active' | 'retired' | 'removed';

export type KeyUse = 'sig' | 'cookie' | 'internal';

export interface KeyRow {
  kid: string;
  use: KeyUse;
  alg: string;
  state: KeyState;
  public_jwk: JWK | null;
  private_encrypted: string;
  encryption_key_id: string;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
  removed_at: Date | null;
  removal_reason: string | null;
}

export type NewKeyRow = Omit<KeyRow, 'retired_at' | 'removed_at' | 'removal_reason'>;

export interface ProviderKeys {
  /** Private JWKs in signing order: active keys first, then staged and retired ones (published, not used to sign). */
  jwks: { keys: JWK[] };
  /** Cookie signing secrets, the active one first (older ones still verify). */
  cookieKeys: string[];
  /** The secret keyed hashes and CSRF tokens derive from: never rotated with the cookie keys (see lifecycle.ts). */
  internalSecret: string;
  /** kid and state of every key, to tell whether a reload changed anything. */
  fingerprint: string;
}

const STATE_ORDER: Record<KeyState, number> = { active: 0, staged: 1, retired: 2, removed: 3 };

/** Generates a signing key for `alg` and returns its row (not yet stored). */
export async function newSigningKey(
  alg: SigningAlgorithm,
  state: KeyState,
  sealer: Sealer,
  now = new Date(),
): Promise<NewKeyRow> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
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
    created_at: now,
    activated_at: state === 'active' ? now : null,
  };
}

/** A cookie signing secret (or, with use 'internal', the internal secret); `secret` reuses an existing value. */
export function newSecretKey(
  sealer: Sealer,
  state: KeyState,
  now = new Date(),
  use: 'cookie' | 'internal' = 'cookie',
  secret?: string,
): NewKeyRow {
  const kid = `${use}-${crypto.randomBytes(8).toString('hex')}`;
  return {
    kid,
    use,
    alg: 'HS256',
    state,
    public_jwk: null,
    private_encrypted: sealer.seal(secret ?? crypto.randomBytes(32).toString('base64url'), `key:${kid}`),
    encryption_key_id: sealer.keyId,
    created_at: now,
    activated_at: state === 'active' ? now : null,
  };
}

export async function insertKey(trx: Db, row: NewKeyRow): Promise<void> {
  await trx('keys').insert({ ...row, public_jwk: row.public_jwk ? JSON.stringify(row.public_jwk) : null });
}

/** Serialises key changes across nodes (PostgreSQL advisory lock, held to the end of the transaction). */
export const KEYS_LOCK = 0x6b657973;

/**
 * Makes sure one active key per signing algorithm, one active cookie secret and the internal secret exist (first
 * start). An install from before the internal secret existed derived its hashes from the active cookie secret: the
 * internal secret takes that value, so codes and CSRF tokens in flight stay valid.
 */
export async function ensureActiveKeys(db: Db, sealer: Sealer, now = new Date()): Promise<string[]> {
  const created: string[] = [];
  await db.transaction(async (trx) => {
    // One node at a time creates first keys; others wait and then find them.
    await trx.raw('select pg_advisory_xact_lock(?)', [KEYS_LOCK]);
    const active: Pick<KeyRow, 'kid' | 'use' | 'alg' | 'private_encrypted'>[] = await trx('keys')
      .where({ state: 'active' })
      .select('kid', 'use', 'alg', 'private_encrypted');
    for (const alg of SIGNING_ALGORITHMS) {
      if (!active.some((k) => k.use === 'sig' && k.alg === alg)) {
        const row = await newSigningKey(alg, 'active', sealer, now);
        await insertKey(trx, row);
        created.push(row.kid);
      }
    }
    const cookie = active.find((k) => k.use === 'cookie');
    if (!active.some((k) => k.use === 'internal')) {
      const inherited = cookie ? sealer.open(cookie.private_encrypted, `key:${cookie.kid}`) : undefined;
      const row = newSecretKey(sealer, 'active', now, 'internal', inherited);
      await insertKey(trx, row);
      created.push(row.kid);
    }
    if (!cookie) {
      const row = newSecretKey(sealer, 'active', now);
      await insertKey(trx, row);
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
  let internalSecret: string | undefined;
  for (const row of rows) {
    const secret = sealer.open(row.private_encrypted, `key:${row.kid}`);
    if (row.use === 'sig') jwks.push(JSON.parse(secret) as JWK);
    else if (row.use === 'internal') internalSecret ??= secret;
    else if (row.state !== 'staged') cookieKeys.push(secret);
  }
  if (!internalSecret) throw new Error('key store: no internal secret (run ensureActiveKeys first)');
  return { jwks: { keys: jwks }, cookieKeys, internalSecret, fingerprint: fingerprintOf(rows) };
}

function fingerprintOf(rows: Pick<KeyRow, 'kid' | 'state'>[]): string {
  return rows
    .map((r) => `${r.kid}:${r.state}`)
    .sort()
    .join(',');
}

/** kid:state of every key not removed: cheap to poll, changes with every lifecycle step. */
export async function keysFingerprint(db: Db): Promise<string> {
  return fingerprintOf(await db('keys').whereNot({ state: 'removed' }).select('kid', 'state'));
}

/** Lists keys without private material (for the CLI and audit). */
export async function listKeys(db: Db): Promise<Omit<KeyRow, 'private_encrypted'>[]> {
  return db('keys')
    .select(
      'kid',
      'use',
      'alg',
      'state',
      'public_jwk',
      'encryption_key_id',
      'created_at',
      'activated_at',
      'retired_at',
      'removed_at',
      'removal_reason',
    )
    .orderBy('created_at');
}
