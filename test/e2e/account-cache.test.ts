// Nodes keep what the provider reads of an account (userinfo's claims; whether a refresh's account is still active)
// in memory (src/accounts/account-cache.ts). Every change of the account, on any node and by any path, must drop it
// on every node before the next request can see the old state: a trigger sends NOTIFY bhxh_accounts at commit, and
// each node's change feed hears it (PostgreSQL LISTEN; PGlite's own listen() when nodes share one embedded database).
// Each path a member's account changes by is tested: disable, a password change, a reset by temporary password, an
// address, a VNeID link (the national ID it records), the language, and an operator's SQL.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { changeAddress } from '../../src/security/address-change.js';
import { applyOperatorPassword } from '../../src/security/credential-change.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { discover, oidc, signIn } from '../helpers/oidc.js';
import { createTestDatabase, startTestServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

describe('account cache across nodes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestServer;
  let b: TestServer;
  let configA: oidc.Configuration;
  let configB: oidc.Configuration;
  const redirect_uri = 'http://127.0.0.1:53123/callback';
  // The cache would keep an entry for an hour: only the notification can drop it in time.
  const env = { KEYS_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'), ACCOUNT_CACHE_SECONDS: '3600' };

  before(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ db: database.db, env });
    b = await startTestServer({ db: database.db, env });
    const [vssid] = demoClients(a.url);
    await a.createClient(vssid!.metadata, { firstParty: true });
    configA = await discover(a.url, 'vssid');
    configB = await discover(b.url, 'vssid');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  /** A member signed in on node A, her userinfo read once on each node (so both hold her). */
  async function cachedOnBoth(scope = 'openid profile email offline_access') {
    const member = await a.createMember({ email: `m${crypto.randomInt(1e9)}@example.vn` });
    const { tokens } = await signIn(a.url, configA, member, { redirect_uri, scope, prompt: 'consent' });
    for (const [node, config] of [
      [a, configA],
      [b, configB],
    ] as const) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, member.id);
      assert.equal(info.sub, member.id);
      assert.ok(node.server.accountCache.has(member.id), `${node.url} holds the account after userinfo`);
    }
    return { member, tokens };
  }

  const droppedOnBoth = (id: string) =>
    until(
      'both nodes to drop the account',
      async () => !a.server.accountCache.has(id) && !b.server.accountCache.has(id),
    );

  it('serves userinfo from memory: a second read sends no SQL for the account', async () => {
    const { member, tokens } = await cachedOnBoth();
    const before = b.server.accountCache.size();
    const info = await oidc.fetchUserInfo(configB, tokens.access_token, member.id);
    assert.equal(info.name, 'Nguyễn Thị Test');
    assert.equal(b.server.accountCache.size(), before);
  });

  it('disable: refresh and userinfo are refused on the other node at once', async () => {
    const { member, tokens } = await cachedOnBoth();
    await a.server.deps.accounts.setStatus(member.id, 'disabled');
    await droppedOnBoth(member.id);
    await assert.rejects(oidc.fetchUserInfo(configB, tokens.access_token, member.id));
    await assert.rejects(oidc.refreshTokenGrant(configB, tokens.refresh_token!), (err: { error?: string }) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    });
  });

  it('address: the other node answers with the new email at once', async () => {
    const { member, tokens } = await cachedOnBoth();
    const deps = a.server.deps;
    const result = await changeAddress(
      { ...deps, issuer: a.url, phoneCoolingSeconds: 72 * 3600 },
      {
        accountId: member.id,
        via: 'account_page',
        channel: 'email',
        address: 'new@example.vn',
        proof: async () => true,
      },
    );
    assert.ok(result.ok);
    await droppedOnBoth(member.id);
    const info = await oidc.fetchUserInfo(configB, tokens.access_token, member.id);
    assert.equal(info.email, 'new@example.vn');
  });

  it('password changed by an operator, and a temporary password: both nodes drop the account', async () => {
    const { member } = await cachedOnBoth();
    const deps = a.server.deps;
    const account = (await deps.accounts.findById(member.id))!;
    await applyOperatorPassword(deps, { account, newHash: await deps.hasher.hash('x'.repeat(16)), mustChange: false });
    await droppedOnBoth(member.id);

    const again = await cachedOnBoth();
    // The office's reset: a temporary password handed to the clerk (no delivery).
    await deps.db.transaction((trx) => deps.temporaryPasswords.issueAndDeliver(again.member.id, null, trx));
    await droppedOnBoth(again.member.id);
  });

  it('a VNeID link that records the national ID, the language, and an operator’s SQL: both nodes drop the account', async () => {
    const { member } = await cachedOnBoth();
    const linked = await a.server.deps.federatedIdentities.link({
      issuer: 'https://vneid.example',
      subject: crypto.randomUUID(),
      accountId: member.id,
      nationalId: String(crypto.randomInt(1e11, 1e12 - 1)),
      linkedBy: 'national_id',
    });
    assert.ok(linked.ok);
    await droppedOnBoth(member.id);

    const second = await cachedOnBoth();
    await a.server.deps.accounts.setLocale(second.member.id, 'en');
    await droppedOnBoth(second.member.id);

    const third = await cachedOnBoth();
    await database.db('accounts').where({ id: third.member.id }).update({ full_name: 'Trần Văn Sửa' });
    await droppedOnBoth(third.member.id);
    const { tokens } = await signIn(a.url, configA, third.member, { redirect_uri, scope: 'openid profile' });
    assert.equal((await oidc.fetchUserInfo(configB, tokens.access_token, third.member.id)).name, 'Trần Văn Sửa');
  });

  it('a rolled-back change tells nobody', async () => {
    const { member } = await cachedOnBoth();
    await database.db
      .transaction(async (trx) => {
        await trx('accounts').where({ id: member.id }).update({ full_name: 'Never' });
        throw new Error('rollback');
      })
      .catch(() => {});
    // A later notification for someone else proves the feed ran past the rolled-back one.
    const other = await cachedOnBoth();
    await a.server.deps.accounts.setLocale(other.member.id, 'en');
    await droppedOnBoth(other.member.id);
    assert.ok(a.server.accountCache.has(member.id) && b.server.accountCache.has(member.id));
  });
});
