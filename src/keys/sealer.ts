// Seals secrets at rest (private keys, client secrets, outbox payloads, hotline replies, upstream ID tokens) with AES-256-GCM under
// KEYS_ENCRYPTION_KEY. During a rotation the keys in KEYS_ENCRYPTION_KEY_PREVIOUS still open what they sealed, until
// `bhxh-id keys reencrypt` (src/keys/reencrypt.ts) has resealed everything under the primary key.
import crypto from 'node:crypto';

export interface Sealer {
  /** Identifies the primary encryption key (not secret): lets a later re-encryption find what is sealed under an old key. */
  readonly keyId: string;
  /** Every key id this sealer opens: the primary's first, then the previous keys' (not secret). */
  readonly keyIds: readonly string[];
  /** Seals under the primary key. */
  seal(plaintext: string, context: string): string;
  /** Opens a value sealed under the primary key or under one of the previous keys (chosen by the key id in the value). */
  open(sealed: string, context: string): string;
}

const KEY_ID = /^[0-9a-f]{16}$/;

/** The context (AAD) of the upstream VNeID ID token kept for logout; re-encryption needs it too. */
export const UPSTREAM_ID_TOKEN_CONTEXT = 'vneid:upstream-id-token';

/** The id of a key: the first 16 hex digits of its SHA-256 (reveals nothing usable about the key). */
function idOf(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The key id a sealed value names (`v1.<keyId>.…`), or undefined when the value is not in the sealed format. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1' || !KEY_ID.test(parts[1]!)) return undefined;
  return parts[1];
}

/**
 * Builds a sealer; `context` is bound as additional authenticated data so a sealed value cannot be moved between rows.
 * New values are sealed under `key`; `previousKeys` (a rotation in progress) only open.
 */
export function createSealer(key: Buffer, previousKeys: readonly Buffer[] = []): Sealer {
  if (key.length !== 32) throw new Error('the keys encryption key must be 32 bytes');
  if (previousKeys.some((k) => k.length !== 32)) throw new Error('a previous keys encryption key must be 32 bytes');
  const keyId = idOf(key);
  const keys = new Map<string, Buffer>([[keyId, key]]);
  for (const previous of previousKeys) {
    const id = idOf(previous);
    if (!keys.has(id)) keys.set(id, previous); // the primary repeated in the previous list changes nothing
  }
  return {
    keyId,
    keyIds: [...keys.keys()],
    seal(plaintext, context) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        keyId,
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const [version, valueKeyId, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || body === undefined || !tag) throw new Error('sealed value has an unknown format');
      const openingKey = valueKeyId === undefined ? undefined : keys.get(valueKeyId);
      if (!openingKey) {
        // NOTE: only the (non-secret) key id is named, and only when it looks like one: nothing else of the value.
        throw new Error(
          `sealed value was made with another encryption key (${KEY_ID.test(valueKeyId ?? '') ? valueKeyId : 'unrecognised key id'})`,
        );
      }
      // NOTE: the tag length is fixed so a truncated tag cannot be accepted.
      const decipher = crypto.createDecipheriv('aes-256-gcm', openingKey, Buffer.from(iv, 'base64url'), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
