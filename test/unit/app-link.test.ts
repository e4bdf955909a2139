// The one off-site link our pages make: back to the relying party, from what it registered only
// (src/core/self-link.ts, appLink; docs/security.md, rule 9).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appLink } from '../../src/core/self-link.js';

const web = {
  clientId: 'portal',
  clientName: 'Cổng dịch vụ công',
  applicationType: 'web',
  redirectUris: ['https://portal.example.vn/auth/callback', 'https://staging.portal.example.vn/auth/callback'],
};

describe('appLink: the way back to the app', () => {
  it('prefers the registered client_uri', () => {
    assert.deepEqual(appLink({ ...web, clientUri: 'https://portal.example.vn/home' }), {
      name: 'Cổng dịch vụ công',
      href: 'https://portal.example.vn/home',
    });
  });

  it('otherwise links to the origin of the redirect URI the request used, when it is registered', () => {
    assert.equal(
      appLink(web, 'https://staging.portal.example.vn/auth/callback').href,
      'https://staging.portal.example.vn/',
    );
  });

  it('never links to an unregistered redirect URI: it takes the first registered one instead', () => {
    for (const used of ['https://evil.example.com/callback', 'https://portal.example.vn/auth/callback/', 42, undefined])
      assert.equal(appLink(web, used).href, 'https://portal.example.vn/', String(used));
  });

  it('ignores a client_uri that is no web page', () => {
    assert.equal(appLink({ ...web, clientUri: 'javascript:alert(1)' }).href, 'https://portal.example.vn/');
    assert.equal(appLink({ ...web, clientUri: 'not a url' }).href, 'https://portal.example.vn/');
  });

  it('gives a native app without client_uri no link (custom schemes and loopback ports are no page)', () => {
    const native = {
      clientId: 'vssid',
      applicationType: 'native',
      redirectUris: ['vn.gov.baohiemxahoi.vssid:/oauth2redirect', 'http://127.0.0.1/callback'],
    };
    assert.deepEqual(appLink(native, 'http://127.0.0.1/callback'), { name: 'vssid' });
    assert.equal(appLink({ ...native, clientUri: 'https://vssid.example.vn/' }).href, 'https://vssid.example.vn/');
  });

  it('skips redirect URIs of other schemes for a web client', () => {
    assert.equal(
      appLink({ ...web, redirectUris: ['com.example.app:/cb', 'https://a.example.vn/cb'] }).href,
      'https://a.example.vn/',
    );
    assert.deepEqual(appLink({ ...web, redirectUris: [] }), { name: 'Cổng dịch vụ công' });
  });
});
