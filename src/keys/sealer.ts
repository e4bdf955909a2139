// Seals secrets at rest (private keys, client secrets) with AES-256-GCM under KEYS_ENCRYPTION_KEY.
import crypto from 'node:crypto';

export interface Sealer {
  /** Identifies the encryption key (not secret): lets a later re-encryption find what is sealed under an old key. */
  readonly keyId: string;
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** Builds a sealer; `context` is bound as additional authenticated data so a sealed value cannot be moved between rows. */
export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('the keys encryption key must be 32 bytes');
  const keyId = crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', keyId, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(sealed, context) {
      const [version, sealedKeyId, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || !iv || body === undefined || !tag) throw new Error('sealed value has an unknown format');
      if (sealedKeyId !== keyId) throw new Error(`sealed value was made with another encryption key (${sealedKeyId})`);
      // NOTE: the tag length is fixed so a truncated tag cannot be accepted.
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
