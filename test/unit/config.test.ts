// loadConfig: defaults, one line per problem naming the variable, and the production guard rails.
import assert from 'node:assert/strict';
import os from 'node:os';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const key = () => crypto.randomBytes(32).toString('base64');

/** The problems loadConfig reports for this environment (fails when it does not throw a ConfigError). */
function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

/** Every problem is one line that starts with the variable's name. */
function assertOneLineEach(list: string[], variables: string[]) {
  assert.equal(list.length, variables.length, list.join('\n'));
  for (const [i, variable] of variables.entries()) {
    assert.ok(list[i]!.startsWith(`${variable}: `), `"${list[i]}" names ${variable}`);
    assert.ok(!list[i]!.includes('\n'), 'one line');
  }
}

describe('loadConfig: defaults', () => {
  it('runs embedded on port 3000 with a localhost issuer and demo data', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.issuer, 'http://localhost:3000');
    assert.equal(config.https, false);
    assert.equal(config.env, 'development');
    assert.equal(config.production, false);
    assert.equal(config.database.kind, 'pglite');
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.seedDemo, true);
    assert.equal(config.keysEncryptionKey, undefined);
    assert.equal(config.trustProxy, false);
    assert.equal(config.logLevel, 'info');
  });

  it('follows PORT in the default issuer', () => {
    assert.equal(loadConfig({ PORT: '8081' }).issuer, 'http://localhost:8081');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({
      PORT: '',
      ISSUER: '',
      DATABASE_URL: '',
      KEYS_ENCRYPTION_KEY: '',
      SEED_DEMO: undefined,
    });
    assert.equal(config.port, 3000);
    assert.equal(config.database.kind, 'pglite');
  });

  it('has sensible security defaults (Argon2id parameters, throttling, token lifetimes)', () => {
    const config = loadConfig({});
    assert.deepEqual(config.argon2, {
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      maxConcurrency: os.availableParallelism(),
    });
    assert.equal(config.loginThrottle.freeFailures, 3);
    assert.ok(config.ttl.accessToken <= 3600);
    assert.ok(config.ttl.idToken <= 3600);
  });

  it('uses PostgreSQL without demo data when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://bhxh@db.internal:5432/bhxh', DATABASE_POOL_MAX: '20' });
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://bhxh@db.internal:5432/bhxh', poolMax: 20 });
    assert.equal(config.seedDemo, false);
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://h/db' }).database.kind, 'postgres');
  });

  it('lets SEED_DEMO override the default either way', () => {
    assert.equal(loadConfig({ SEED_DEMO: 'false' }).seedDemo, false);
    assert.equal(loadConfig({ SEED_DEMO: '0' }).seedDemo, false);
    assert.equal(loadConfig({ SEED_DEMO: 'true', DATABASE_URL: 'postgres://h/db' }).seedDemo, true);
  });

  it('drops a trailing slash from ISSUER and knows when it is https', () => {
    const config = loadConfig({ ISSUER: 'https://id.baohiemxahoi.gov.vn/' });
    assert.equal(config.issuer, 'https://id.baohiemxahoi.gov.vn');
    assert.equal(config.https, true);
  });

  it('decodes KEYS_ENCRYPTION_KEY into 32 bytes', () => {
    const raw = crypto.randomBytes(32);
    assert.deepEqual(loadConfig({ KEYS_ENCRYPTION_KEY: raw.toString('base64') }).keysEncryptionKey, raw);
  });
});

describe('loadConfig: problems', () => {
  it('names PORT when it is not a port number', () => {
    for (const port of ['abc', '70000', '-1', '80.5', '3000abc']) assertOneLineEach(problems({ PORT: port }), ['PORT']);
  });

  // KNOWN BUG: z.coerce.number() turns a blank PORT into 0 (a random port) instead of refusing it.
  it('names PORT when it is blank', () => {
    assertOneLineEach(problems({ PORT: ' ' }), ['PORT']);
  });

  it('names ISSUER when it is not an http(s) URL, or has a query or fragment', () => {
    for (const issuer of ['not a url', 'ftp://id.example.vn', 'id.example.vn'])
      assertOneLineEach(problems({ ISSUER: issuer }), ['ISSUER']);
    assertOneLineEach(problems({ ISSUER: 'https://id.example.vn/?tenant=1' }), ['ISSUER']);
    assertOneLineEach(problems({ ISSUER: 'https://id.example.vn/#x' }), ['ISSUER']);
  });

  it('names DATABASE_URL when it is not a PostgreSQL URL', () => {
    for (const url of ['mysql://h/db', 'sqlite:./db', 'localhost:5432'])
      assertOneLineEach(problems({ DATABASE_URL: url }), ['DATABASE_URL']);
  });

  it('names KEYS_ENCRYPTION_KEY when it is not 32 bytes, without echoing the value', () => {
    const short = crypto.randomBytes(16).toString('base64');
    const long = crypto.randomBytes(48).toString('base64');
    for (const value of [short, long]) {
      const list = problems({ KEYS_ENCRYPTION_KEY: value });
      assertOneLineEach(list, ['KEYS_ENCRYPTION_KEY']);
      assert.ok(!list[0]!.includes(value), 'the key is not printed');
    }
  });

  it('reports every problem at once, one line each', () => {
    const list = problems({
      PORT: 'abc',
      ISSUER: 'ftp://x',
      DATABASE_URL: 'mysql://x',
      KEYS_ENCRYPTION_KEY: 'c2hvcnQ=',
    });
    assert.deepEqual(list.map((p) => p.split(':')[0]).sort(), [
      'DATABASE_URL',
      'ISSUER',
      'KEYS_ENCRYPTION_KEY',
      'PORT',
    ]);
    for (const p of list) assert.ok(!p.includes('\n'));
  });

  it('puts the problems in the error message, one indented line each', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const lines = err.message.split('\n');
      assert.equal(lines[0], 'invalid configuration:');
      assert.equal(lines.length, 3);
      assert.match(lines[1]!, /^ {2}PORT: /);
      assert.match(lines[2]!, /^ {2}DATABASE_URL: /);
    }
  });

  it('refuses unknown values for enumerations', () => {
    assertOneLineEach(problems({ NODE_ENV: 'prod' }), ['NODE_ENV']);
    assertOneLineEach(problems({ LOG_LEVEL: 'verbose' }), ['LOG_LEVEL']);
    assertOneLineEach(problems({ TRUST_PROXY: 'maybe' }), ['TRUST_PROXY']);
  });

  it('refuses Argon2 parameters below the OWASP minimum', () => {
    assertOneLineEach(problems({ ARGON2_MEMORY_KIB: '1024' }), ['ARGON2_MEMORY_KIB']);
    assertOneLineEach(problems({ ARGON2_TIME_COST: '1' }), ['ARGON2_TIME_COST']);
  });
});

/** A complete production environment. */
const good = () => ({
  NODE_ENV: 'production',
  ISSUER: 'https://id.baohiemxahoi.gov.vn',
  KEYS_ENCRYPTION_KEY: key(),
  DATABASE_URL: 'postgres://bhxh@db:5432/bhxh',
  SMTP_URL: 'smtp://mail.baohiemxahoi.gov.vn:587',
  MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>',
  SMS_GATEWAY_URL: 'https://sms.example.vn/send',
  SMS_GATEWAY_SECRET: 'a-long-enough-shared-secret',
});

describe('loadConfig: production', () => {
  it('accepts a complete production configuration', () => {
    const config = loadConfig(good());
    assert.equal(config.production, true);
    assert.equal(config.https, true);
    assert.equal(config.database.kind, 'postgres');
    assert.equal(config.seedDemo, false);
  });

  it('refuses an http issuer that is not localhost', () => {
    assertOneLineEach(problems({ ...good(), ISSUER: 'http://id.baohiemxahoi.gov.vn' }), ['ISSUER']);
    assertOneLineEach(problems({ ...good(), ISSUER: 'http://10.0.0.5:3000' }), ['ISSUER']);
  });

  it('allows http for localhost only', () => {
    for (const issuer of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      assert.equal(loadConfig({ ...good(), ISSUER: issuer }).issuer, issuer);
    }
  });

  it('refuses a missing KEYS_ENCRYPTION_KEY', () => {
    assertOneLineEach(problems({ ...good(), KEYS_ENCRYPTION_KEY: undefined }), ['KEYS_ENCRYPTION_KEY']);
  });

  it('refuses the embedded database unless ALLOW_EMBEDDED_IN_PRODUCTION=true', () => {
    assertOneLineEach(problems({ ...good(), DATABASE_URL: undefined }), ['DATABASE_URL']);
    assertOneLineEach(problems({ ...good(), DATABASE_URL: undefined, ALLOW_EMBEDDED_IN_PRODUCTION: 'false' }), [
      'DATABASE_URL',
    ]);
    const config = loadConfig({ ...good(), DATABASE_URL: undefined, ALLOW_EMBEDDED_IN_PRODUCTION: 'true' });
    assert.equal(config.database.kind, 'pglite');
  });

  it('reports every production problem together', () => {
    assertOneLineEach(problems({ NODE_ENV: 'production', ISSUER: 'http://id.baohiemxahoi.gov.vn' }), [
      'ISSUER',
      'KEYS_ENCRYPTION_KEY',
      'SMTP_URL',
      'SMS_GATEWAY_URL',
      'MAIL_FROM',
      'DATABASE_URL',
    ]);
  });

  it('does not apply the production rules in development or test', () => {
    for (const NODE_ENV of ['development', 'test']) {
      assert.equal(loadConfig({ NODE_ENV, ISSUER: 'http://id.example.vn' }).production, false);
    }
  });

  // Demo members and clients (with loopback redirect URIs) never land in a production database by default.
  it('does not seed demo data in production by default', () => {
    const config = loadConfig({ ...good(), DATABASE_URL: undefined, ALLOW_EMBEDDED_IN_PRODUCTION: 'true' });
    assert.equal(config.seedDemo, false);
  });
});

describe('loadConfig: carrier webhook secrets', () => {
  it('names files in DATA_DIR for the secrets not set, only in the embedded development default', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/bhxh-x' });
    assert.deepEqual(
      [config.smsInbound.enabled, config.smsInbound.secret, config.smsInbound.secretFile],
      [true, undefined, '/tmp/bhxh-x/sms-inbound.secret'],
    );
    assert.deepEqual(
      [config.voice.enabled, config.voice.secret, config.voice.secretFile],
      [true, undefined, '/tmp/bhxh-x/voice-webhook.secret'],
    );
  });

  it('uses a secret that is set, and generates nothing then', () => {
    const config = loadConfig({ SMS_INBOUND_SECRET: 'sixteen-chars-at-least' });
    assert.deepEqual([config.smsInbound.secret, config.smsInbound.secretFile], ['sixteen-chars-at-least', undefined]);
    assert.equal(config.voice.secretFile, path.resolve('./data/voice-webhook.secret'), 'the other one still is');
  });

  it('leaves a channel without its secret off anywhere else: production, PostgreSQL, a transport, tests', () => {
    for (const env of [
      { ...good(), DATABASE_URL: undefined, ALLOW_EMBEDDED_IN_PRODUCTION: 'true' },
      good(),
      { DATABASE_URL: 'postgres://h/db' },
      { SMTP_URL: 'smtp://mail.example.vn:587' },
      { SMS_GATEWAY_URL: 'https://sms.example.vn/send', SMS_GATEWAY_SECRET: 'a-long-enough-shared-secret' },
      { NODE_ENV: 'test' },
    ]) {
      const config = loadConfig(env);
      for (const channel of [config.smsInbound, config.voice]) {
        assert.equal(channel.secretFile, undefined, JSON.stringify(env));
        assert.equal(channel.enabled, false, JSON.stringify(env));
      }
    }
  });

  it('generates nothing for a channel switched off', () => {
    const config = loadConfig({ SMS_INBOUND_ENABLED: 'false', VOICE_ENABLED: 'false' });
    assert.equal(config.smsInbound.enabled, false);
    assert.equal(config.voice.enabled, false);
  });
});

describe('loadConfig: VNeID federation', () => {
  const vneid = { VNEID_ISSUER: 'https://vneid.example', VNEID_CLIENT_ID: 'bhxh-id', VNEID_CLIENT_SECRET: 'a-secret' };

  it('runs the simulator only in the embedded development default', () => {
    const dev = loadConfig({ NODE_ENV: 'development' });
    assert.equal(dev.simulator?.port, 3100);
    assert.equal(dev.vneid?.issuer, 'http://localhost:3100');
    assert.equal(dev.vneid?.clientAuth.method, 'client_secret_basic');
    assert.equal(loadConfig({ NODE_ENV: 'test' }).vneid, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'development', VNEID_SIMULATOR: 'false' }).vneid, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgres://db/x' }).simulator, undefined);
    assert.equal(loadConfig({ NODE_ENV: 'development', ...vneid }).simulator, undefined, 'a real upstream replaces it');
    assert.equal(loadConfig({ NODE_ENV: 'development', ...vneid, VNEID_ENABLED: 'false' }).vneid, undefined);
  });

  it('asks for the credentials of the chosen client authentication', () => {
    assertOneLineEach(problems({ VNEID_ISSUER: 'https://vneid.example' }), ['VNEID_CLIENT_ID', 'VNEID_CLIENT_SECRET']);
    assertOneLineEach(
      problems({ ...vneid, VNEID_CLIENT_AUTH: 'private_key_jwt', VNEID_CLIENT_PRIVATE_KEY: '{"kty":"EC","x":"1"}' }),
      ['VNEID_CLIENT_PRIVATE_KEY'],
    );
    assertOneLineEach(problems({ ...vneid, VNEID_CLIENT_AUTH: 'tls_client_auth' }), ['VNEID_CLIENT_AUTH']);
  });

  it('refuses an http upstream and the simulator in production, and openid in an OAuth 2.0 scope', () => {
    const list = problems({ ...good(), ...vneid, VNEID_ISSUER: 'http://vneid.example' });
    assert.deepEqual(list, ['VNEID_ISSUER: must be https in production']);
    assert.deepEqual(problems({ ...good(), VNEID_SIMULATOR: 'true' }), [
      'VNEID_SIMULATOR: the VNeID simulator cannot run in production',
    ]);
    assertOneLineEach(problems({ ...vneid, VNEID_ID_TOKEN: 'false', VNEID_SCOPE: 'openid citizen' }), ['VNEID_SCOPE']);
    assertOneLineEach(problems({ ...vneid, VNEID_LEVEL1_VALUES: '1,2' }), ['VNEID_LEVEL2_VALUES']);
  });

  it('an OAuth 2.0 upstream takes identity from userinfo', () => {
    const config = loadConfig({ ...vneid, VNEID_ID_TOKEN: 'false' });
    assert.equal(config.vneid?.claimsSource, 'userinfo');
    assert.equal(config.vneid?.scope, 'citizen');
  });

  it('the encrypted profile (issue 15): its claim defaults, an RSA key as PEM (PKCS#1 or PKCS#8, setting or file)', () => {
    const rsa = (type: 'pkcs1' | 'pkcs8') =>
      crypto.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type, format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey;
    const pkcs1 = rsa('pkcs1');
    const config = loadConfig({ ...vneid, VNEID_PROFILE: 'encrypted-oauth2', VNEID_PRIVATE_KEY: pkcs1 });
    assert.equal(config.vneid?.profile, 'encrypted-oauth2');
    assert.equal(config.vneid?.privateKeyPem, pkcs1);
    assert.equal(config.vneid?.idToken, false);
    assert.equal(config.vneid?.claimsSource, 'userinfo');
    assert.equal(config.vneid?.upstreamLogout, false, 'no ID token, no upstream logout');
    assert.deepEqual(config.vneid?.claims, {
      subject: ['citizenPid'],
      nationalId: ['citizenPid'],
      fullName: ['fullName'],
      birthdate: ['birthDate'],
      level: ['accountLevel'],
    });
    // A one-line PEM with \n escapes (what some secret stores hold) is read too.
    const escaped = rsa('pkcs8').replaceAll('\n', '\\n');
    assert.ok(loadConfig({ ...vneid, VNEID_PROFILE: 'encrypted-oauth2', VNEID_PRIVATE_KEY: escaped }).vneid);
    const file = path.join(os.tmpdir(), `vneid-key-${crypto.randomUUID()}.pem`);
    fs.writeFileSync(file, rsa('pkcs8'), { mode: 0o600 });
    try {
      assert.ok(loadConfig({ ...vneid, VNEID_PROFILE: 'encrypted-oauth2', VNEID_PRIVATE_KEY_FILE: file }).vneid);
    } finally {
      fs.rmSync(file);
    }
    // The oidc default keeps today's claim names; an explicit name wins over the profile's default.
    assert.deepEqual(loadConfig(vneid).vneid?.claims.subject, ['sub']);
    const named = loadConfig({
      ...vneid,
      VNEID_PROFILE: 'encrypted-oauth2',
      VNEID_PRIVATE_KEY: pkcs1,
      VNEID_CLAIM_LEVEL: 'MucDoDinhDanh',
    });
    assert.deepEqual(named.vneid?.claims.level, ['MucDoDinhDanh']);
  });

  it('the encrypted profile refuses a missing, unreadable or non-RSA key with one line', () => {
    const enc = { ...vneid, VNEID_PROFILE: 'encrypted-oauth2' };
    assertOneLineEach(problems(enc), ['VNEID_PRIVATE_KEY']);
    assertOneLineEach(problems({ ...enc, VNEID_PRIVATE_KEY: 'not a key' }), ['VNEID_PRIVATE_KEY']);
    const ec = crypto
      .generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' });
    assert.deepEqual(problems({ ...enc, VNEID_PRIVATE_KEY: String(ec) }), [
      'VNEID_PRIVATE_KEY: must be an RSA private key',
    ]);
    assert.deepEqual(problems({ ...enc, VNEID_PRIVATE_KEY_FILE: '/nonexistent/vneid.pem' }), [
      'VNEID_PRIVATE_KEY_FILE: cannot be read',
    ]);
    assertOneLineEach(problems({ ...vneid, VNEID_PROFILE: 'saml' }), ['VNEID_PROFILE']);
    assert.deepEqual(problems({ ...good(), ...vneid, VNEID_TOKEN_URL: 'http://vneid.example/token' }), [
      'VNEID_TOKEN_URL: must be https in production',
    ]);
  });
});

describe('loadConfig: trusted proxies and hotline replays (issue 12)', () => {
  it('trusts no proxy by default, TRUSTED_PROXY_HOPS when given, and reads TRUST_PROXY=true as one hop', () => {
    assert.equal(loadConfig({}).trustedProxyHops, 0);
    assert.equal(loadConfig({ TRUSTED_PROXY_HOPS: '2' }).trustedProxyHops, 2);
    assert.equal(loadConfig({ TRUSTED_PROXY_HOPS: '2' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustedProxyHops, 1);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustedProxyHops, 0);
    assert.equal(loadConfig({ TRUST_PROXY: 'true', TRUSTED_PROXY_HOPS: '1' }).trustedProxyHops, 1);
  });

  it('refuses TRUST_PROXY that contradicts TRUSTED_PROXY_HOPS, and hops that are not a small whole number', () => {
    assertOneLineEach(problems({ TRUST_PROXY: 'false', TRUSTED_PROXY_HOPS: '1' }), ['TRUST_PROXY']);
    assertOneLineEach(problems({ TRUST_PROXY: 'true', TRUSTED_PROXY_HOPS: '0' }), ['TRUST_PROXY']);
    assertOneLineEach(problems({ TRUSTED_PROXY_HOPS: '-1' }), ['TRUSTED_PROXY_HOPS']);
    assertOneLineEach(problems({ TRUSTED_PROXY_HOPS: '11' }), ['TRUSTED_PROXY_HOPS']);
  });

  it('repeats a hotline reply for 120 seconds by default, never longer than a temporary password lives', () => {
    assert.equal(loadConfig({}).voice.replaySeconds, 120);
    assert.equal(loadConfig({ VOICE_REPLAY_SECONDS: '0' }).voice.replaySeconds, 0);
    assertOneLineEach(problems({ VOICE_REPLAY_SECONDS: '601' }), ['VOICE_REPLAY_SECONDS']);
  });
});
