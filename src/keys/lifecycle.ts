// The key lifecycle: staged → active → retired → removed, for signing keys (ES256 and RS256, kept in step) and cookie
// secrets, plus emergency revocation.
//
//   rotate ──▶ staged ──(staging period ≥ JWKS max-age: every cache has seen it)──▶ active ──▶ retired
//                                                                 previous active ──┘            │
//   retired ──(longest lifetime of what it signed + margin)──▶ removed (private part wiped)      │
//   revoke KID ──▶ removed at once; an active key is replaced at once (a staged one if there is one)
//
// Every change happens in one transaction under a PostgreSQL advisory lock and sends NOTIFY bhxh_keys, so with many
// nodes racing each step happens exactly once and every node reloads (key-watcher.ts). The internal secret (use
// 'internal') never rotates: codes and CSRF tokens in flight must survive a rotation.
import type { Knex } from 'knex';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../core/clock.js';
import {
  insertKey,
  KEYS_LOCK,
  newSecretKey,
  newSigningKey,
  SIGNING_ALGORITHMS,
  type KeyRow,
  type NewKeyRow,
  type SigningAlgorithm,
} from './key-store.js';
import type { Sealer } from './sealer.js';

export interface LifecyclePolicy {
  /** How long a staged key is published before it signs: at least the JWKS Cache-Control max-age. */
  stagingSeconds: number;
  /** Automatic rotation: a new set is staged when the active keys are this old. 0 = never. */
  rotationIntervalSeconds: number;
  /** Added to every "until it can no longer be alive" wait. */
  marginSeconds: number;
  /** The longest lifetime of anything a signing key signs (ID tokens, JWT access tokens, logout tokens). */
  signedTokenLifetimeSeconds(trx: Knex.Transaction | Db): Promise<number>;
  /** The longest a cookie signed with a cookie key can be alive (the session cookie). */
  cookieLifetimeSeconds: number;
}

export interface Actor {
  /** 'cli', 'admin-api:<client id>', 'schedule' */
  via: string;
  reason?: string;
}

export type Step =
  | { step: 'staged'; kids: string[] }
  | { step: 'activated'; kids: string[]; retired: string[] }
  | { step: 'removed'; kids: string[] }
  | { step: 'revoked'; kid: string; activated: string[]; tokensRevoked: number };

export const KEYS_CHANNEL = 'bhxh_keys';

// What the lifecycle needs of tables other folders own: oidc/ and clients/ import keys/, so keys/ imports neither and
// the composition roots (src/server.ts, src/cli/context.ts) hand these in.

/** The resource servers' longest access token lifetime (src/clients/resource-server-repository.ts). */
export interface ResourceServerLifetimes {
  longestAccessTokenTtl(trx?: Knex.Transaction | Db): Promise<number>;
}

/**
 * Deletes, in `trx`, what was issued between `from` and `to` (epoch seconds) with a cookie key or a signing key;
 * returns how many rows went (src/oidc/revoke-issued.ts).
 */
export type RevokeIssuedBetween = (
  trx: Knex.Transaction,
  issuedWith: 'cookie' | 'signature',
  from: number,
  to: number,
) => Promise<number>;

/** The policy the configuration asks for (the server's schedule and the CLI use the same). */
export function policyFromConfig(config: Config, resourceServers: ResourceServerLifetimes): LifecyclePolicy {
  return {
    stagingSeconds: config.keys.stagingSeconds,
    rotationIntervalSeconds: config.keys.rotationIntervalSeconds,
    marginSeconds: config.keys.marginSeconds,
    cookieLifetimeSeconds: config.ttl.session,
    // ID tokens, JWT access tokens (a resource server may set its own lifetime) and logout tokens (a few minutes).
    async signedTokenLifetimeSeconds(trx) {
      const longestResource = await resourceServers.longestAccessTokenTtl(trx);
      return Math.max(config.ttl.idToken, config.ttl.accessToken, longestResource, 600);
    },
  };
}

export class KeyNotFoundError extends Error {
  constructor(readonly kid: string) {
    super(`no key ${kid} that is not already removed`);
    this.name = 'KeyNotFoundError';
  }
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

export function createKeyLifecycle(deps: {
  db: Db;
  sealer: Sealer;
  clock: Clock;
  audit: AuditLog;
  policy: LifecyclePolicy;
  revokeIssuedBetween: RevokeIssuedBetween;
  changed?: () => void;
}) {
  const { db, sealer, clock, audit, policy } = deps;

  /** Runs `work` in a transaction under the keys lock; announces a change when it reports one. */
  async function locked<T>(work: (trx: Knex.Transaction) => Promise<{ result: T; changed: boolean }>): Promise<T> {
    const { result, changed } = await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [KEYS_LOCK]);
      const out = await work(trx);
      if (out.changed) await trx.raw('select pg_notify(?, ?)', [KEYS_CHANNEL, 'changed']);
      return out;
    });
    if (changed) deps.changed?.();
    return result;
  }

  async function stageSet(trx: Knex.Transaction, now: Date, actor: Actor): Promise<string[]> {
    const rows: NewKeyRow[] = [];
    for (const alg of SIGNING_ALGORITHMS) rows.push(await newSigningKey(alg, 'staged', sealer, now));
    rows.push(newSecretKey(sealer, 'staged', now));
    for (const row of rows) await insertKey(trx, row);
    const kids = rows.map((r) => r.kid);
    await audit.record(
      { type: 'key.staged', detail: { kids, via: actor.via, ...(actor.reason ? { reason: actor.reason } : {}) } },
      trx,
    );
    return kids;
  }

  /** Staged keys whose staging period is over become active; the keys they replace retire. */
  async function promoteDue(trx: Knex.Transaction, now: Date): Promise<Step | undefined> {
    const due: KeyRow[] = await trx('keys')
      .where({ state: 'staged' })
      .andWhere('created_at', '<=', new Date(now.getTime() - policy.stagingSeconds * 1000));
    if (!due.length) return undefined;
    const retired: string[] = [];
    for (const key of due) {
      const replaced: Pick<KeyRow, 'kid'>[] = await trx('keys')
        .where({ state: 'active', use: key.use, alg: key.alg })
        .select('kid');
      for (const old of replaced) {
        await trx('keys').where({ kid: old.kid }).update({ state: 'retired', retired_at: now });
        retired.push(old.kid);
      }
      await trx('keys').where({ kid: key.kid }).update({ state: 'active', activated_at: now });
    }
    const kids = due.map((k) => k.kid);
    await audit.record({ type: 'key.activated', detail: { kids, retired, via: 'schedule' } }, trx);
    return { step: 'activated', kids, retired };
  }

  /** Retired keys are removed once nothing they signed can still be alive. */
  async function removeDue(trx: Knex.Transaction, now: Date): Promise<Step | undefined> {
    // NOTE: inside the transaction (PGlite has one connection: the global handle would wait for this transaction).
    const signedFor = (await policy.signedTokenLifetimeSeconds(trx)) + policy.marginSeconds;
    const cookieFor = policy.cookieLifetimeSeconds + policy.marginSeconds;
    const due: Pick<KeyRow, 'kid'>[] = await trx('keys')
      .where({ state: 'retired' })
      .andWhere((q) =>
        q
          .where((s) =>
            s.where({ use: 'sig' }).andWhere('retired_at', '<=', new Date(now.getTime() - signedFor * 1000)),
          )
          .orWhere((c) =>
            c.where({ use: 'cookie' }).andWhere('retired_at', '<=', new Date(now.getTime() - cookieFor * 1000)),
          ),
      )
      .select('kid');
    if (!due.length) return undefined;
    const kids = due.map((k) => k.kid);
    // NOTE: the private part is wiped, not kept: a removed key can never sign again, even from a backup of this row.
    await trx('keys').whereIn('kid', kids).update({ state: 'removed', removed_at: now, private_encrypted: '' });
    await audit.record({ type: 'key.removed', detail: { kids, via: 'schedule' } }, trx);
    return { step: 'removed', kids };
  }

  async function scheduleDue(trx: Knex.Transaction, now: Date): Promise<Step | undefined> {
    if (policy.rotationIntervalSeconds <= 0) return undefined;
    if (await trx('keys').where({ state: 'staged' }).first('kid')) return undefined;
    const newest = await trx('keys').where({ state: 'active', use: 'sig' }).max({ at: 'activated_at' }).first();
    const at = newest?.at ? new Date(newest.at as string) : undefined;
    if (at && at.getTime() + policy.rotationIntervalSeconds * 1000 > now.getTime()) return undefined;
    return { step: 'staged', kids: await stageSet(trx, now, { via: 'schedule', reason: 'rotation interval' }) };
  }

  /** Grants, tokens and sessions issued while the key was in use: a signing key's tokens, a cookie key's sessions. */
  async function revokeIssuedWhile(trx: Knex.Transaction, key: KeyRow, now: Date): Promise<number> {
    const from = epoch(key.activated_at ?? key.created_at);
    const to = epoch(key.retired_at ?? now) + 1; // timestamps carry fractions of a second
    return deps.revokeIssuedBetween(trx, key.use === 'cookie' ? 'cookie' : 'signature', from, to);
  }

  return {
    /** Stages a new set (ES256, RS256, cookie) unless one is already staged; it activates after the staging period. */
    async rotate(actor: Actor): Promise<{ staged: string[]; alreadyStaged: boolean }> {
      return locked<{ staged: string[]; alreadyStaged: boolean }>(async (trx) => {
        const existing: Pick<KeyRow, 'kid'>[] = await trx('keys').where({ state: 'staged' }).select('kid');
        if (existing.length)
          return { result: { staged: existing.map((k) => k.kid), alreadyStaged: true }, changed: false };
        return { result: { staged: await stageSet(trx, clock.now(), actor), alreadyStaged: false }, changed: true };
      });
    },

    /**
     * Emergency: the key leaves JWKS and signing at once. An active key is replaced at once, by the staged key of
     * its kind if there is one (likely already in relying parties' caches), else by a fresh one.
     */
    async revoke(kid: string, actor: Actor & { revokeTokens?: boolean }): Promise<Extract<Step, { step: 'revoked' }>> {
      return locked(async (trx) => {
        const key: KeyRow | undefined = await trx('keys').where({ kid }).whereNot({ state: 'removed' }).first();
        if (!key || key.use === 'internal') throw new KeyNotFoundError(kid);
        const now = clock.now();
        await trx('keys')
          .where({ kid })
          .update({
            state: 'removed',
            removed_at: now,
            private_encrypted: '',
            removal_reason: actor.reason ?? 'revoked',
          });
        const activated: string[] = [];
        if (key.state === 'active') {
          const staged: KeyRow | undefined = await trx('keys')
            .where({ state: 'staged', use: key.use, alg: key.alg })
            .orderBy('created_at', 'desc')
            .first();
          if (staged) {
            await trx('keys').where({ kid: staged.kid }).update({ state: 'active', activated_at: now });
            activated.push(staged.kid);
          } else {
            const fresh =
              key.use === 'sig'
                ? await newSigningKey(key.alg as SigningAlgorithm, 'active', sealer, now)
                : newSecretKey(sealer, 'active', now);
            await insertKey(trx, fresh);
            activated.push(fresh.kid);
          }
        }
        const tokensRevoked = actor.revokeTokens ? await revokeIssuedWhile(trx, key, now) : 0;
        await audit.record(
          {
            type: 'key.revoked',
            detail: {
              kid,
              use: key.use,
              alg: key.alg,
              previousState: key.state,
              activated,
              tokensRevoked,
              via: actor.via,
              reason: actor.reason ?? null,
            },
          },
          trx,
        );
        return { result: { step: 'revoked', kid, activated, tokensRevoked }, changed: true };
      });
    },

    /** One pass of the schedule: whatever is due, done once (any node may call it; they queue on the lock). */
    async tick(): Promise<Step[]> {
      return locked(async (trx) => {
        const now = clock.now();
        const steps = [await promoteDue(trx, now), await removeDue(trx, now), await scheduleDue(trx, now)].filter(
          (s): s is Step => Boolean(s),
        );
        return { result: steps, changed: steps.length > 0 };
      });
    },
  };
}

export type KeyLifecycle = ReturnType<typeof createKeyLifecycle>;
