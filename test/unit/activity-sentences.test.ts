// The one mapping from audit events to plain sentences (src/audit/activity.ts) and the coarse network it shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeActivity } from '../../src/audit/activity.js';
import { AUDIT_TYPES, type StoredAuditEvent } from '../../src/audit/audit-log.js';
import { coarseNetwork } from '../../src/core/coarse-network.js';
import { translator } from '../../src/core/i18n.js';

const event = (type: string, detail: Record<string, unknown> = {}, extra: Partial<StoredAuditEvent> = {}) =>
  ({
    id: '1',
    at: new Date('2026-12-01T01:02:03Z'),
    type,
    outcome: 'success',
    clientId: null,
    ip: null,
    requestId: null,
    detail,
    ...extra,
  }) satisfies StoredAuditEvent;

describe('activity sentences', () => {
  const vi = translator('vi');
  const en = translator('en');
  const say = (e: StoredAuditEvent, t = en) => describeActivity(e, t, (id) => `app:${id}`).sentence;

  it('maps every account event, and the ones other sections add, to its own sentence', () => {
    const cases: Array<[StoredAuditEvent, string]> = [
      [event('sign_in', { method: 'password' }), 'Signed in with password'],
      [event('sign_in', { method: 'vneid' }), 'Signed in with VNeID'],
      [event('sign_in', { method: 'vneid', reason: 'cancelled' }, { outcome: 'failure' }), 'VNeID sign-in failed'],
      [event('sign_in.throttled', {}, { outcome: 'failure' }), 'Sign-in paused after too many failed attempts'],
      [event('recovery.code_requested', { method: 'sms-code' }), 'Password reset code requested by text message'],
      [
        event('password.changed', { via: 'recovery', method: 'sms-code' }),
        'Password reset with a code sent by text message',
      ],
      [
        event('password.changed', { via: 'temporary_password' }),
        'New password set after signing in with a temporary password',
      ],
      [event('password.changed', { via: 'cli' }), 'Password reset by BHXH staff'],
      [event('password.changed', { via: 'account' }), 'Password changed'],
      [event('password.temporary_issued', { via: 'office' }), 'Temporary password issued at a BHXH office'],
      [
        event('sms_inbound', { outcome: 'issued' }),
        'Password reset by the BH MK text message: a temporary password was sent to your phone',
      ],
      [
        event('voice_reset', { result: 'read_aloud' }),
        'Password reset by the hotline: a temporary password was read out on the call',
      ],
      [event('address.verified', { channel: 'email' }), 'Verified your email address'],
      [event('address.changed', { channel: 'sms' }), 'Changed your phone number'],
      [event('address.removed', { channel: 'email' }), 'Removed your email address'],
      [
        event('federation.link', { linkedBy: 'national_id' }),
        'VNeID account linked by the verified identification number',
      ],
      [event('federation.unlink', { via: 'account' }), 'You removed the VNeID link'],
      [
        event('federation.unlink', { reason: 'credential_change' }),
        'The VNeID link made with a password was removed because the password changed',
      ],
      [event('federation.unlink', { via: 'cli' }), 'BHXH staff removed the VNeID link'],
      [event('federation.confirm', { via: 'office' }), 'VNeID link confirmed at a BHXH office'],
      [event('account.status_changed', { status: 'disabled' }), 'Account disabled'],
      [event('session.ended'), 'A sign-in session was ended'],
      [event('grant.revoked'), 'An app’s access was removed'],
      [event('data.exported'), 'Downloaded your data'],
      [event('profile.locale_changed', { to: 'en' }), 'Display language changed to English'],
      [event('logout'), 'Signed out'],
      [
        event('authenticator.changed', { change: 'totp_added' }),
        'Two-step verification turned on with an authenticator app',
      ],
      [event('authenticator.changed', { change: 'recovery_code_used' }), 'A recovery code was used to sign in'],
      [event('authenticator.changed', { change: 'passkey_removed' }), 'A passkey was removed'],
      [event('authenticator.changed', { change: 'two_step_reset' }), 'Two-step verification reset at a BHXH office'],
    ];
    for (const [e, sentence] of cases) assert.equal(say(e), sentence, e.type);
    assert.equal(say(event('sign_in', { method: 'password' }), vi), 'Đăng nhập bằng mật khẩu');
  });

  it('has a sentence of its own for every member-facing audit type (a new type needs one)', () => {
    // The operators' own events (clients, resource servers, keys, the admin API) name no member.
    const operatorOnly = /^(client|resource_server|key|keys|admin)\./;
    for (const type of AUDIT_TYPES.filter((t) => !operatorOnly.test(t))) {
      for (const outcome of ['success', 'failure'] as const) {
        const sentence = say(event(type, {}, { outcome }));
        assert.doesNotMatch(sentence, /Other account activity/, `${type} (${outcome}) reads: ${sentence}`);
      }
    }
  });

  it('falls back to a generic sentence for a type it does not know, echoing only a well-formed type name', () => {
    assert.equal(say(event('brand.new_type', { secret: 'x' })), 'Other account activity (code: brand.new_type)');
    assert.equal(
      say(event('brand.new_type', {}, { outcome: 'failure' })),
      'Other account activity, not successful (code: brand.new_type)',
    );
    assert.equal(say(event('<script>')), 'Other account activity (code: ?)');
  });

  it('names the app and the coarse network, never the address', () => {
    const line = describeActivity(
      event('sign_in', { method: 'password' }, { clientId: 'vssid', ip: '198.51.100.23' }),
      en,
      (id) => `name of ${id}`,
    );
    assert.equal(line.app, 'name of vssid');
    assert.equal(line.network, '198.51.100.0/24');
    assert.ok(!JSON.stringify(line).includes('198.51.100.23'));
  });

  it('coarsens IPv4 per /24 and IPv6 per /48, and ignores what is no address', () => {
    assert.equal(coarseNetwork('203.0.113.9'), '203.0.113.0/24');
    assert.equal(coarseNetwork('::ffff:203.0.113.9'), '203.0.113.0/24');
    assert.equal(coarseNetwork('::ffff:cb00:7109'), '203.0.113.0/24');
    assert.equal(coarseNetwork('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
    assert.equal(coarseNetwork('2001:db8::1'), '2001:db8::/48');
    assert.equal(coarseNetwork('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::/48');
    assert.equal(coarseNetwork('fe80::1%eth0'), 'fe80::/48');
    assert.equal(coarseNetwork('::1'), '::/48');
    for (const junk of [null, undefined, '', 'localhost', '1.2.3', '2001:db8::1::2', '12345::'])
      assert.equal(coarseNetwork(junk), undefined, String(junk));
  });
});
