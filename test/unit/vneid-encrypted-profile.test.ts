// The envelope of VNeID's encrypted OAuth 2.0 profile (issue 15): RSAES-PKCS1-v1_5 key unwrap + AES-ECB, with keys
// and ciphertexts made at run time. Every failure is an EnvelopeError carrying only a reason code.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import {
  decryptBody,
  decryptCode,
  EnvelopeError,
  loadEnvelopeKey,
  seal,
} from '../../src/methods/vneid/encrypted-profile.js';
import { rawQueryParams, UpstreamError } from '../../src/methods/vneid/upstream-client.js';

const pair = (type: 'pkcs1' | 'pkcs8' = 'pkcs8') =>
  crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type, format: 'pem' },
  });

const ours = pair();
const key = loadEnvelopeKey(ours.privateKey);

function flipLast(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[bytes.length - 1]! ^= 1;
  return bytes.toString('base64');
}

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof EnvelopeError, `an EnvelopeError, not ${String(err)}`);
    assert.equal(err.message, 'VNeID envelope could not be decrypted', 'no detail in the message');
    return err.reason;
  }
  assert.fail('expected a failure');
}

describe('VNeID encrypted profile: the envelope', () => {
  it('opens {data, key} bodies under AES-128, -192 and -256 (the size by the unwrapped key length)', () => {
    for (const size of [16, 24, 32]) {
      const envelope = seal(
        ours.publicKey,
        JSON.stringify({ access_token: `at-${size}`, n: 1 }),
        crypto.randomBytes(size),
      );
      assert.deepEqual(decryptBody(key, envelope), { access_token: `at-${size}`, n: 1 });
    }
  });

  it('reads PKCS#1 and PKCS#8 private keys, and refuses non-RSA or non-PEM input', () => {
    const p1 = pair('pkcs1');
    assert.match(p1.privateKey, /BEGIN RSA PRIVATE KEY/);
    assert.deepEqual(decryptBody(loadEnvelopeKey(p1.privateKey), seal(p1.publicKey, '{"a":1}')), { a: 1 });
    assert.throws(() => loadEnvelopeKey('nope'), /not a PEM private key/);
    const ec = crypto
      .generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' });
    assert.throws(() => loadEnvelopeKey(String(ec)), /RSA/);
  });

  it('decrypts an encrypted code with its encrypt_key', () => {
    const { data, key: encryptKey } = seal(ours.publicKey, 'the-real-code');
    assert.equal(decryptCode(key, data, encryptKey), 'the-real-code');
  });

  it('every failure is one error kind with a reason code only: corrupted data, corrupted key, wrong RSA key', () => {
    const envelope = seal(ours.publicKey, JSON.stringify({ access_token: 'x' }));
    assert.equal(
      reason(() => decryptBody(key, { ...envelope, data: flipLast(envelope.data) })),
      'payload',
    );
    assert.equal(
      reason(() => decryptBody(key, { ...envelope, key: flipLast(envelope.key) })),
      'key_unwrap',
    );
    const theirs = seal(pair().publicKey, JSON.stringify({ access_token: 'x' }));
    assert.equal(
      reason(() => decryptBody(key, theirs)),
      'key_unwrap',
    );
    assert.equal(
      reason(() => decryptBody(key, { data: envelope.data })),
      'malformed',
    );
    assert.equal(
      reason(() => decryptBody(key, [envelope])),
      'malformed',
    );
    assert.equal(
      reason(() => decryptBody(key, { ...envelope, data: 'not base64!' })),
      'malformed',
    );
    // A wrapped key of another length than 16, 24 or 32 bytes is no AES key.
    const rsa = forge.pki.publicKeyFromPem(
      crypto.createPublicKey(ours.publicKey).export({ type: 'pkcs1', format: 'pem' }).toString(),
    );
    const wrong = Buffer.from(rsa.encrypt(crypto.randomBytes(20).toString('binary'), 'RSAES-PKCS1-V1_5'), 'binary');
    assert.equal(
      reason(() => decryptBody(key, { ...envelope, key: wrong.toString('base64') })),
      'key_unwrap',
    );
    // Valid ciphertext of something that is not a JSON object.
    assert.equal(
      reason(() => decryptBody(key, seal(ours.publicKey, '[1,2]'))),
      'payload',
    );
    assert.equal(
      reason(() => decryptBody(key, seal(ours.publicKey, 'not json'))),
      'payload',
    );
  });

  it('a code whose + became a space is malformed (no guessing)', () => {
    let sealed = seal(ours.publicKey, 'code');
    while (!sealed.data.includes('+')) sealed = seal(ours.publicKey, 'code');
    assert.equal(
      reason(() => decryptCode(key, sealed.data.replaceAll('+', ' '), sealed.key)),
      'malformed',
    );
  });
});

describe('VNeID encrypted profile: the raw callback query', () => {
  it('keeps + as +, percent-decodes the rest, and refuses repeated or undecodable parameters', () => {
    const params = rawQueryParams('?state=s1&code=ab+c/d==&encrypt_key=x%2By');
    assert.equal(params.get('code'), 'ab+c/d==');
    assert.equal(params.get('encrypt_key'), 'x+y');
    assert.equal(params.get('state'), 's1');
    assert.throws(
      () => rawQueryParams('?code=a&code=b'),
      (e) => e instanceof UpstreamError && e.kind === 'invalid_response',
    );
    assert.throws(
      () => rawQueryParams('?code=%E0%A4%A'),
      (e) => e instanceof UpstreamError && e.kind === 'invalid_response',
    );
  });
});
