// argon2id hashing: verify, upgrade when the configured parameters rise, and a dummy verification that costs the same.
//
// At most `maxConcurrency` hashes run at once (ARGON2_MAX_CONCURRENCY, default: the CPUs this process may use); the
// rest wait their turn in order. argon2 runs on libuv's thread pool (4 threads), so without a limit a burst of
// sign-ins occupies every pool thread and the WebCrypto signatures of ID tokens (the same pool) wait behind hashes.
// More hashes in flight than cores do not finish sooner: they only share the cores. (Memory: glibc keeps a 19 MiB
// block in every pool thread that ever hashed, whatever this limit; see docs/performance.md, "Memory".)
import argon2 from 'argon2';
import pLimit from 'p-limit';

export interface Argon2Params {
  memoryCost: number; // KiB
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with weaker parameters than the configured ones (upgrade at the next sign-in). */
  needsRehash(hash: string): boolean;
  /** NOTE: runs a full verification against a throwaway hash so an unknown account costs what a known one does. */
  verifyDummy(password: string): Promise<void>;
  /** Hashes running now and waiting for their turn (ARGON2_MAX_CONCURRENCY). */
  load(): { running: number; waiting: number };
}

/**
 * node-argon2 writes its parameters as `m=…,p=…,t=…`; the PHC string format (and strict verifiers such as libsodium's
 * and several Java libraries') require `m=…,t=…,p=…`. We store the standard order; verification accepts both, since
 * node-argon2 parses either; a hash in the old order is rewritten at the member's next sign-in (needsRehash).
 */
export function toStandardPhc(hash: string): string {
  return hash.replace(
    /^(\$argon2(?:id|i|d)\$v=\d+\$)([^$]+)(\$)/,
    (_all, head: string, params: string, tail: string) => {
      const pairs = params.split(',').map((p) => p.split('=') as [string, string]);
      const order = ['m', 't', 'p'];
      const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
      return `${head}${pairs
        .sort((a, b) => rank(a[0]) - rank(b[0]))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}${tail}`;
    },
  );
}

export function createPasswordHasher(params: Argon2Params & { maxConcurrency?: number }): PasswordHasher {
  const { maxConcurrency = 4, ...costs } = params;
  const options = { type: argon2.argon2id, ...costs } as const;
  const limit = pLimit(Math.max(1, maxConcurrency));
  let dummyHash: Promise<string> | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => limit(async () => toStandardPhc(await argon2.hash(password, options))),
    async verify(hash, password) {
      try {
        return await limit(() => argon2.verify(hash, password));
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    needsRehash: (hash) => {
      try {
        // A hash in node-argon2's parameter order is rewritten at the next sign-in too (same cost, standard order).
        return hash !== toStandardPhc(hash) || argon2.needsRehash(hash, options);
      } catch {
        return true;
      }
    },
    load: () => ({ running: limit.activeCount, waiting: limit.pendingCount }),
    async verifyDummy(password) {
      dummyHash ??= argon2.hash('dummy password for timing', options).then(toStandardPhc);
      await hasher.verify(await dummyHash, password);
    },
  };
  return hasher;
}
