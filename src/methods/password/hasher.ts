// argon2id hashing: verify, upgrade when the configured parameters rise, and a dummy verification that costs the same.
import argon2 from 'argon2';

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
}

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  const options = { type: argon2.argon2id, ...params } as const;
  let dummyHash: Promise<string> | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => argon2.hash(password, options),
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    needsRehash: (hash) => {
      try {
        return argon2.needsRehash(hash, options);
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      dummyHash ??= argon2.hash('dummy password for timing', options);
      await hasher.verify(await dummyHash, password);
    },
  };
  return hasher;
}
