// The VssID app (native public client) signs a member in through the hosted page with PKCE and rotates refresh tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { discover, oidc, signIn } from '../helpers/oidc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoClients } from '../../src/dev/seed-demo.js';

describe('VssID native app sign-in', () => {
  let t: TestServer;
  let member: { id: string; bhxhNumber: string; password: string };
  let config: oidc.Configuration;
  const redirect_uri = 'http://127.0.0.1:53123/callback';

  before(async () => {
    t = await startTestServer();
    const [vssid] = demoClients(t.url);
    await t.createClient(vssid!.metadata, { firstParty: true });
    member = await t.createMember({
      fullName: 'Lê Văn Cường',
      birthdate: '1988-07-20',
      email: 'cuong@example.vn',
      phoneNumber: '+84987654321',
    });
    config = await discover(t.url, 'vssid');
  });
  after(() => t.close());

  it('signs in with the BHXH number and password and returns an ES256 ID token with an opaque sub', async () => {
    const { tokens } = await signIn(t.url, config, member, { redirect_uri, scope: 'openid profile bhxh' });
    const header = jose.decodeProtectedHeader(tokens.id_token!);
    assert.equal(header.alg, 'ES256');
    const claims = tokens.claims()!;
    assert.equal(claims.sub, member.id);
    assert.notEqual(claims.sub, member.bhxhNumber);
    assert.equal(claims.acr, 'urn:vn:bhxh:loa:password');
    assert.deepEqual(claims.amr, ['pwd']);
    const jwks = jose.createRemoteJWKSet(new URL(`${t.url}/jwks`));
    await jose.jwtVerify(tokens.id_token!, jwks, { issuer: t.url, audience: 'vssid' });
  });

  it('accepts the number typed with spaces and dots', async () => {
    const spaced = `${member.bhxhNumber.slice(0, 2)} ${member.bhxhNumber.slice(2, 6)}.${member.bhxhNumber.slice(6)}`;
    const { tokens } = await signIn(
      t.url,
      config,
      { ...member, bhxhNumber: spaced },
      { redirect_uri, scope: 'openid' },
    );
    assert.equal(tokens.claims()!.sub, member.id);
  });

  it('returns userinfo claims by scope', async () => {
    const { tokens } = await signIn(t.url, config, member, { redirect_uri, scope: 'openid profile bhxh' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, member.id);
    assert.equal(info.name, 'Lê Văn Cường');
    assert.equal(info.birthdate, '1988-07-20');
    assert.equal(info.bhxh_number, member.bhxhNumber);
    assert.equal(info.email, undefined);
    assert.equal(info.phone_number, undefined);

    const more = await signIn(t.url, config, member, { redirect_uri, scope: 'openid email phone' });
    const info2 = await oidc.fetchUserInfo(config, more.tokens.access_token, member.id);
    assert.equal(info2.email, 'cuong@example.vn');
    assert.equal(info2.email_verified, true);
    assert.equal(info2.phone_number, '+84987654321');
    assert.equal(info2.name, undefined);
    assert.equal(info2.bhxh_number, undefined);
  });

  it('rotates the refresh token on every use, and reuse of a rotated one revokes the whole grant', async () => {
    const { tokens } = await signIn(t.url, config, member, {
      redirect_uri,
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    assert.ok(tokens.refresh_token, 'a refresh token is issued with offline_access');
    const first = tokens.refresh_token!;
    const second = await oidc.refreshTokenGrant(config, first);
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, first);

    await assert.rejects(
      oidc.refreshTokenGrant(config, first),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    await assert.rejects(
      oidc.refreshTokenGrant(config, second.refresh_token!),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
    await assert.rejects(oidc.fetchUserInfo(config, second.access_token, member.id));
  });

  it('rejects a reused authorization code', async () => {
    const { request, callbackUrl } = await signIn(t.url, config, member, { redirect_uri, scope: 'openid' });
    await assert.rejects(
      oidc.authorizationCodeGrant(config, new URL(callbackUrl), {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
      }),
      (err: oidc.ResponseBodyError) => err.error === 'invalid_grant',
    );
  });
});
