// Issue 12, finding 3: a VNeID link made with a password confers at most the password level, never writes the
// national ID onto the account, and dies with the next password reset; only an office confirmation raises it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ACR } from '../../src/oidc/assurance.js';
import type { Browser, Page } from '../helpers/browser.js';
import { randomPassword } from '../helpers/server.js';
import { enterCode, postForm, requestCode } from '../helpers/recovery.js';
import { codeIn, startInbox, type Inbox } from '../helpers/smtp.js';
import { redeem } from '../helpers/oidc.js';
import {
  authorize,
  federatedBrowser,
  randomNationalId,
  REDIRECT_URI,
  signInWithVneid,
  startFederatedPair,
  type FederatedPair,
} from '../helpers/vneid.js';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.js';
import type { CliContext } from '../../src/app/cli-context.js';
import type { Command } from '../../src/cli/command.js';

/** From the "no account" page, the password sign-in that links; returns where the browser ends. */
async function linkWithPassword(
  browser: Browser,
  noAccount: Page,
  member: { bhxhNumber: string; password: string },
): Promise<Page> {
  assert.match(
    noAccount.html,
    /id="federation-password"/,
    `expected the no-account page, got ${noAccount.status}\n${noAccount.html.slice(0, 300)}`,
  );
  const login = await browser.get(noAccount.html.match(/id="federation-password" href="([^"]+)"/)![1]!);
  return browser.submit(login, { bhxh_number: member.bhxhNumber, password: member.password }, '/login');
}

describe('a password-made VNeID link cannot outrank its proof', () => {
  let pair: FederatedPair;
  let inbox: Inbox;
  const ownerEmail = 'owner@example.vn';
  let owner: { id: string; bhxhNumber: string; password: string };
  const ownerCitizen = {
    nationalId: randomNationalId(),
    fullName: 'Đỗ Thị Hoa',
    birthdate: '1991-02-03',
    level: 2 as const,
  };

  before(async () => {
    inbox = await startInbox();
    pair = await startFederatedPair({
      env: () => ({ SMTP_URL: inbox.url, MAIL_FROM: 'BHXH ID <no-reply@baohiemxahoi.gov.vn>' }),
    });
    pair.sim.citizens.push(ownerCitizen);
    owner = await pair.t.createMember({ email: ownerEmail, phoneNumber: '+84912000333', nationalId: null });
  });
  after(async () => {
    await pair.close();
    await inbox.close();
  });

  const account = () => pair.t.db('accounts').where({ id: owner.id }).first();
  const links = () => pair.t.db('federated_identities').where({ account_id: owner.id });
  /** `bhxh-id accounts confirm-vneid` as office staff run it, on the test server's database. */
  async function confirmAtOffice(values: Record<string, string>) {
    const { accountsConfirmVneid } = (await import('../../src/cli/commands/accounts-confirm-vneid.js')) as {
      accountsConfirmVneid: Command;
    };
    const { deps } = pair.t.server;
    const ctx = {
      config: deps.config,
      db: deps.db,
      sealer: deps.sealer,
      logger: deps.logger,
      accounts: deps.accounts,
      audit: deps.audit,
      hasher: deps.hasher,
      clock: deps.clock,
      federatedIdentities: deps.federation?.identities,
    } as unknown as CliContext;
    return accountsConfirmVneid.run(ctx, values, []);
  }

  it("a citizen who types another member's password under a level 2 demand gets no level 2 token, and the account keeps no national ID", async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair, { acr_values: ACR.vneid2 });
    const noAccount = await signInWithVneid(pair, browser, request, pair.citizens.stranger);
    const end = await linkWithPassword(browser, noAccount, owner);

    assert.ok(!end.url.startsWith(REDIRECT_URI), `no code reaches the client: ${end.status} ${end.url}`);
    assert.equal(end.status, 403, 'a readable page says the link cannot give this level');
    assert.match(end.html, /văn phòng|cơ quan BHXH/);
    assert.doesNotMatch(end.html, /stack|Error:/);
    assert.equal((await account()).national_id, null, "the citizen's national ID is not written onto the account");
    const [link] = await links();
    assert.equal(link?.linked_by, 'password');
  });

  it('a later VNeID sign-in through the password-made link gets the password level, and a level 2 demand gets a page', async () => {
    const plain = await authorize(pair, { prompt: 'login' });
    const end = await signInWithVneid(pair, federatedBrowser(pair), plain, pair.citizens.stranger);
    assert.ok(end.url.startsWith(REDIRECT_URI), `${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
    const claims = (await redeem(pair.rp, plain, end.url)).claims()!;
    assert.equal(claims.sub, owner.id);
    assert.equal(claims.acr, ACR.password, 'the link confers at most the password level');

    const demanding = await authorize(pair, { acr_values: ACR.vneid2, prompt: 'login' });
    const refused = await signInWithVneid(pair, federatedBrowser(pair), demanding, pair.citizens.stranger);
    assert.ok(!refused.url.startsWith(REDIRECT_URI), `no code at level 2: ${refused.url}`);
    assert.equal(refused.status, 403);
  });

  it("an office confirmation with the owner's ID card number does not raise the citizen's link made with her password", async () => {
    // The owner asks the office to "confirm my VNeID"; the only password-made link is the citizen's.
    await assert.rejects(
      () => confirmAtOffice({ bhxh: owner.bhxhNumber, operator: 'HN-0421', 'national-id': ownerCitizen.nationalId }),
      /no VNeID link made with a password carries the number on the ID card/,
    );
    const [link] = await links();
    assert.equal(link?.linked_by, 'password', "the citizen's link stays at the password level");
    assert.equal((await account()).national_id, null, 'no national ID is written onto the account');
    const refusal = await pair.t.db('audit_events').where({ type: 'federation.confirm', account_id: owner.id }).first();
    assert.equal(refusal?.outcome, 'failure');
    assert.match(JSON.stringify(refusal.detail), /HN-0421/);
    assert.doesNotMatch(
      JSON.stringify(refusal.detail),
      new RegExp(ownerCitizen.nationalId),
      'the audit holds no national ID',
    );

    const demanding = await authorize(pair, { acr_values: ACR.vneid2, prompt: 'login' });
    const end = await signInWithVneid(pair, federatedBrowser(pair), demanding, pair.citizens.stranger);
    assert.ok(!end.url.startsWith(REDIRECT_URI), `the citizen still gets no level 2: ${end.url}`);
    assert.equal(end.status, 403);
  });

  it("the owner's password reset removes the citizen's link, with a notice on every channel", async () => {
    const browser = federatedBrowser(pair);
    const addressPage = await browser.get('/recovery');
    const codePage = await requestCode(browser, pair.t.url, addressPage, owner.bhxhNumber, ownerEmail);
    await pair.t.server.outboxWorker.runOnce();
    // Skip the earlier notices (the link was announced by email too) to the reset code.
    let mail = await inbox.next(ownerEmail);
    while (!/Mã xác thực/.test(mail.subject ?? '')) mail = await inbox.next(ownerEmail);
    const passwordPage = await enterCode(browser, codePage, codeIn(mail));
    const fresh = randomPassword();
    const done = await postForm(browser, passwordPage, '/password', { new_password: fresh, confirm_password: fresh });
    assert.equal(done.status, 303);
    owner.password = fresh;

    assert.deepEqual(await links(), [], 'the password-made link is gone');
    const notices = await pair.t
      .db('outbox')
      .where({ purpose: 'vneid_link_removed' })
      .whereIn('recipient', [ownerEmail, '+84912000333'])
      .select('channel');
    assert.deepEqual(notices.map((r: { channel: string }) => r.channel).sort(), ['email', 'sms']);
    assert.ok((await pair.t.db('audit_events').where({ type: 'federation.unlink', account_id: owner.id })).length > 0);

    // The citizen's VNeID no longer reaches the account.
    const request = await authorize(pair, { prompt: 'login' });
    const page = await signInWithVneid(pair, federatedBrowser(pair), request, pair.citizens.stranger);
    assert.ok(!page.url.startsWith(REDIRECT_URI), 'no sign-in through a removed link');
    assert.match(page.html, /Chưa có tài khoản BHXH gắn với định danh này/);
  });

  it("the owner's own VNeID then links, and an office confirmation raises it to the VNeID level", async () => {
    const browser = federatedBrowser(pair);
    const request = await authorize(pair);
    const noAccount = await signInWithVneid(pair, browser, request, ownerCitizen);
    const end = await linkWithPassword(browser, noAccount, owner);
    assert.ok(end.url.startsWith(REDIRECT_URI), `the owner links: ${end.status} ${end.url}\n${end.html.slice(0, 300)}`);
    assert.equal((await redeem(pair.rp, request, end.url)).claims()!.acr, ACR.password);
    assert.equal((await account()).national_id, null);

    // At the office, staff check her ID card, type its number and confirm the link.
    await assert.rejects(
      () => confirmAtOffice({ bhxh: owner.bhxhNumber, 'national-id': ownerCitizen.nationalId }),
      /operator/,
    );
    await assert.rejects(() => confirmAtOffice({ bhxh: owner.bhxhNumber, operator: 'HN-0421' }), /--national-id/);
    const confirmed = (await confirmAtOffice({
      bhxh: owner.bhxhNumber,
      operator: 'HN-0421',
      'national-id': ownerCitizen.nationalId,
    })) as { confirmed: unknown[] };
    assert.equal(confirmed.confirmed.length, 1);
    const [link] = await links();
    assert.equal(link.linked_by, 'office');
    assert.equal(
      (await account()).national_id,
      ownerCitizen.nationalId,
      'the verified number is written by the office',
    );
    const audit = await pair.t
      .db('audit_events')
      .where({ type: 'federation.confirm', account_id: owner.id, outcome: 'success' })
      .first();
    assert.match(JSON.stringify(audit.detail), /HN-0421/);

    const demanding = await authorize(pair, { acr_values: ACR.vneid2, prompt: 'login' });
    const signedIn = await signInWithVneid(pair, federatedBrowser(pair), demanding, ownerCitizen);
    assert.ok(signedIn.url.startsWith(REDIRECT_URI), `${signedIn.status} ${signedIn.url}`);
    assert.equal((await redeem(pair.rp, demanding, signedIn.url)).claims()!.acr, ACR.vneid2);
  });
});

describe('an operator password change or office reset removes the password-made links', () => {
  let sandbox: CliSandbox;
  before(async () => {
    sandbox = await createCliSandbox('vneid-links');
    sandbox.env.KEYS_ENCRYPTION_KEY = crypto.randomBytes(32).toString('base64');
  });
  after(() => sandbox.close());

  /** Writes the links a VNeID sign-in would leave (the CLI holds the database only while it runs). */
  async function withDb<T>(work: (db: ReturnType<CliSandbox['openDb']>) => Promise<T>): Promise<T> {
    const db = sandbox.openDb();
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  }
  const addLinks = (accountId: string) =>
    withDb(async (db) => {
      const now = new Date();
      await db('federated_identities').insert([
        {
          issuer: 'https://vneid.example',
          subject: `pw-${accountId}`,
          account_id: accountId,
          national_id: randomNationalId(),
          linked_by: 'password',
          created_at: now,
          last_used_at: now,
        },
        {
          issuer: 'https://vneid.example',
          subject: `id-${accountId}`,
          account_id: accountId,
          national_id: randomNationalId(),
          linked_by: 'national_id',
          created_at: now,
          last_used_at: now,
        },
      ]);
    });
  const state = (accountId: string) =>
    withDb(async (db) => ({
      version: Number((await db('accounts').where({ id: accountId }).first('credential_version')).credential_version),
      links: (await db('federated_identities').where({ account_id: accountId }).select('linked_by'))
        .map((l: { linked_by: string }) => l.linked_by)
        .sort(),
      notices: (await db('outbox').where({ purpose: 'vneid_link_removed' }).select('channel'))
        .map((r: { channel: string }) => r.channel)
        .sort(),
    }));

  it('accounts set-password and accounts reset-password move the credential version and keep only the links not made with a password', async () => {
    assert.equal((await sandbox.run(['migrate'])).code, 0);
    const created = await sandbox.run([
      'accounts',
      'create',
      '--bhxh',
      '0123456781',
      '--name',
      'Võ Thị Em',
      '--birthdate',
      '1975-03-04',
      '--phone',
      '0912 000 444',
      '--email',
      'em@example.vn',
      '--temporary',
    ]);
    assert.equal(created.code, 0, created.err);
    const id = created.json.account.id as string;
    const start = await state(id);

    await addLinks(id);
    const set = await sandbox.run(['accounts', 'set-password', '--bhxh', '0123456781', '--temporary']);
    assert.equal(set.code, 0, set.err);
    const afterSet = await state(id);
    assert.ok(afterSet.version > start.version, 'set-password moved the credential version');
    assert.deepEqual(afterSet.links, ['national_id']);
    assert.deepEqual(afterSet.notices, ['email', 'sms'], 'every channel on file is told');

    await withDb((db) => db('federated_identities').where({ account_id: id }).delete());
    await addLinks(id);
    const reset = await sandbox.run([
      'accounts',
      'reset-password',
      '--bhxh',
      '0123456781',
      '--operator',
      'HN-0421',
      '--deliver',
      'print',
    ]);
    assert.equal(reset.code, 0, reset.err);
    const afterReset = await state(id);
    assert.ok(afterReset.version > afterSet.version, 'the office reset moved the credential version');
    assert.deepEqual(afterReset.links, ['national_id']);
  });

  it('accounts confirm-vneid raises only the password-made link carrying the number typed from the ID card, and lists the others', async () => {
    const created = await sandbox.run([
      'accounts',
      'create',
      '--bhxh',
      '0123456782',
      '--name',
      'Lê Văn Phúc',
      '--birthdate',
      '1980-05-06',
      '--phone',
      '0912 000 555',
      '--temporary',
    ]);
    assert.equal(created.code, 0, created.err);
    const id = created.json.account.id as string;
    const [card, other] = [randomNationalId(), randomNationalId()];
    await withDb(async (db) => {
      const now = new Date();
      await db('federated_identities').insert([
        {
          issuer: 'https://vneid.example',
          subject: `card-${id}`,
          account_id: id,
          national_id: card,
          linked_by: 'password',
          created_at: now,
          last_used_at: now,
        },
        {
          issuer: 'https://vneid.example',
          subject: `other-${id}`,
          account_id: id,
          national_id: other,
          linked_by: 'password',
          created_at: now,
          last_used_at: now,
        },
      ]);
    });

    const missing = await sandbox.run(['accounts', 'confirm-vneid', '--bhxh', '0123456782', '--operator', 'HN-0421']);
    assert.notEqual(missing.code, 0, 'the number from the ID card is required');
    assert.match(missing.err, /--national-id/);

    const done = await sandbox.run([
      'accounts',
      'confirm-vneid',
      '--bhxh',
      '0123456782',
      '--operator',
      'HN-0421',
      '--national-id',
      card,
    ]);
    assert.equal(done.code, 0, done.err);
    assert.deepEqual(
      done.json.confirmed.map((l: { subject: string }) => l.subject),
      [`card-${id}`],
    );
    assert.deepEqual(
      done.json.not_confirmed.map((l: { subject: string }) => l.subject),
      [`other-${id}`],
      'the clerk sees the link to review',
    );
    const after = await withDb(async (db) => ({
      links: Object.fromEntries(
        (await db('federated_identities').where({ account_id: id })).map(
          (l: { subject: string; linked_by: string }) => [l.subject, l.linked_by],
        ),
      ),
      nationalId: (await db('accounts').where({ id }).first('national_id')).national_id,
      audit: (await db('audit_events').where({ type: 'federation.confirm', account_id: id })).map(
        (e: { detail: unknown }) => JSON.stringify(e.detail),
      ),
    }));
    assert.deepEqual(after.links, { [`card-${id}`]: 'office', [`other-${id}`]: 'password' });
    assert.equal(after.nationalId, card);
    assert.ok(
      after.audit.length > 0 && after.audit.every((d: string) => d.includes('HN-0421') && !d.includes(card)),
      'audited with the operator, not the number',
    );

    // The account now holds the card's number: another card is refused and nothing changes.
    const otherCard = await sandbox.run([
      'accounts',
      'confirm-vneid',
      '--bhxh',
      '0123456782',
      '--operator',
      'HN-0421',
      '--national-id',
      other,
    ]);
    assert.notEqual(otherCard.code, 0);
    assert.match(otherCard.err, /already holds another identification number/);
    assert.equal(
      await withDb(
        async (db) => (await db('federated_identities').where({ account_id: id, linked_by: 'password' })).length,
      ),
      1,
    );
  });
});
