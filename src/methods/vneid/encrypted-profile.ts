// The envelope of VNeID's encrypted OAuth 2.0 profile (issue 15): an AES key wrapped with our RSA public key
// (RSAES-PKCS1-v1_5), and a payload encrypted under it with AES in ECB mode, no IV (key size by length: 16, 24 or
// 32 bytes → AES-128/192/256). It wraps the authorization code (`encrypt_key` + `code`) and the token and userinfo
// bodies (`{"data": "<base64>", "key": "<base64>"}`).
//
// Why node-forge for the RSA step: Node refuses crypto.privateDecrypt with RSA_PKCS1_PADDING unless OpenSSL offers
// implicit rejection (CVE-2023-46809), and `--security-revert` would re-enable it for the whole process. node-forge's
// RSAES-PKCS1-V1_5 decryption (blinded private-key operation) is confined to this module. It is acceptable here because
// the ciphertext arrives over TLS from the one configured upstream, in answer to our own request, not from arbitrary
// senders; and every failure below is ONE outcome (EnvelopeError with a reason code for logs, mapped by the upstream
// client to the same invalid_response page as any other bad upstream answer), so no endpoint can serve as a padding
// oracle. AES-ECB is the upstream's choice, recorded in docs/security.md with its compensating controls.
// NOTE: Node 24 with OpenSSL ≥ 3.2 does allow privateDecrypt with RSA_PKCS1_PADDING (implicit rejection: bad padding
// yields random bytes instead of an error), but Node 22, which we still support, refuses it; one implementation on
// every supported runtime is simpler to test. Switch to Node's once Node 22 is dropped.
import crypto from 'node:crypto';
import forge from 'node-forge';

/** Why a decryption failed: for logs only, never shown, never more than this code. */
export type EnvelopeFailure = 'malformed' | 'key_unwrap' | 'payload';

export class EnvelopeError extends Error {
  constructor(readonly reason: EnvelopeFailure) {
    super('VNeID envelope could not be decrypted');
    this.name = 'EnvelopeError';
  }
}

/** Our RSA private key, parsed once (PEM, PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). */
export interface EnvelopeKey {
  readonly forgeKey: forge.pki.rsa.PrivateKey;
}

/** Throws a one-line Error when the PEM is not an RSA private key. */
export function loadEnvelopeKey(pem: string): EnvelopeKey {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('not a PEM private key (PKCS#1 or PKCS#8)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error('must be an RSA private key');
  // node-forge reads PKCS#1; Node converts whichever form came.
  const pkcs1 = key.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { forgeKey: forge.pki.privateKeyFromPem(pkcs1) };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function base64(value: unknown): Buffer {
  if (typeof value !== 'string') throw new EnvelopeError('malformed');
  // Strict: a `+` that became a space (a form-style decoder) is an error, not something to guess back.
  if (!BASE64.test(value)) throw new EnvelopeError('malformed');
  return Buffer.from(value, 'base64');
}

/** RSAES-PKCS1-v1_5 unwrap of the AES key. */
function unwrapKey(key: EnvelopeKey, wrapped: unknown): Buffer {
  const bytes = base64(wrapped);
  let aesKey: Buffer;
  try {
    aesKey = Buffer.from(key.forgeKey.decrypt(bytes.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
  } catch {
    throw new EnvelopeError('key_unwrap');
  }
  if (![16, 24, 32].includes(aesKey.length)) throw new EnvelopeError('key_unwrap');
  return aesKey;
}

function aesEcbDecrypt(aesKey: Buffer, ciphertext: Buffer): Buffer {
  try {
    const decipher = crypto.createDecipheriv(`aes-${aesKey.length * 8}-ecb`, aesKey, null);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new EnvelopeError('payload');
  }
}

/** The authorization code when the callback carried `encrypt_key` (the code is base64 AES-ECB ciphertext). */
export function decryptCode(key: EnvelopeKey, code: string, encryptKey: string): string {
  const plain = aesEcbDecrypt(unwrapKey(key, encryptKey), base64(code)).toString('utf8');
  if (!plain || /[\s\0]/.test(plain)) throw new EnvelopeError('payload');
  return plain;
}

/** A `{data, key}` body (token or userinfo response) → its JSON object. */
export function decryptBody(key: EnvelopeKey, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new EnvelopeError('malformed');
  const { data, key: wrapped } = body as { data?: unknown; key?: unknown };
  const plain = aesEcbDecrypt(unwrapKey(key, wrapped), base64(data));
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch {
    throw new EnvelopeError('payload');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EnvelopeError('payload');
  return parsed as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------
// The upstream's side (the simulator and the tests): wrap with the public key, encrypt with AES-ECB.

export interface Envelope {
  data: string;
  key: string;
}

/** Encrypts bytes under a fresh AES key (default 256-bit) wrapped with the RSA public key (PEM or KeyObject). */
export function seal(
  publicKey: crypto.KeyObject | string,
  plaintext: Buffer | string,
  aesKey: Buffer = crypto.randomBytes(32),
): Envelope {
  const spki = crypto.createPublicKey(publicKey).export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgePublic = forge.pki.publicKeyFromPem(spki);
  const wrapped = Buffer.from(forgePublic.encrypt(aesKey.toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
  const cipher = crypto.createCipheriv(`aes-${aesKey.length * 8}-ecb`, aesKey, null);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { data: data.toString('base64'), key: wrapped.toString('base64') };
}
