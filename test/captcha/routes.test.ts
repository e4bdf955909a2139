// The captcha's routes and markup: challenges are never cached; only the allow-listed widget files are served, with
// the right types; the form field needs no inline script or style.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import request from 'supertest';
import { addressBucket } from '../../src/security/client-address.js';
import { registerCaptchaRoutes } from '../../src/methods/captcha/routes.js';
import { widgetAssetUrl } from '../../views/captcha-assets.js';
import { securityHeaders } from '../../src/http/security-headers.js';
import { captchaField } from '../../views/captcha.js';

const altchaDist = path.dirname(path.dirname(createRequire(import.meta.url).resolve('altcha/altcha.css')));
const version = new URL(widgetAssetUrl('setup.js'), 'http://x').searchParams.get('v')!;

function app() {
  let issued = 0;
  const koa = new Koa();
  const router = new Router();
  registerCaptchaRoutes(router, { challenge: async () => ({ parameters: { n: ++issued } }) as never });
  koa.use(securityHeaders({ https: false }));
  koa.use(router.routes());
  return koa.callback();
}

describe('captcha routes', () => {
  it('answers GET /captcha/challenge with a fresh JSON challenge that is never cached', async () => {
    const server = app();
    const first = await request(server)
      .get('/captcha/challenge')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    assert.equal(first.headers['cache-control'], 'no-store');
    const second = await request(server).get('/captcha/challenge').expect(200);
    assert.notDeepEqual(first.body, second.body);
  });

  it('serves the allow-listed widget files from node_modules/altcha with their types, cached for good when versioned', async () => {
    const server = app();
    const files = {
      'altcha.js': ['external/altcha.min.js', /^text\/javascript/],
      'altcha.css': ['external/altcha.css', /^text\/css/],
      'sha-worker.js': ['workers/sha.js', /^text\/javascript/],
      'i18n-vi.js': ['i18n/vi.js', /^text\/javascript/],
    } as const;
    for (const [name, [file, type]] of Object.entries(files)) {
      const res = await request(server)
        .get(`/static/altcha/${name}?v=${version}`)
        .expect(200)
        .expect('Content-Type', type);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', name);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.text, fs.readFileSync(path.join(altchaDist, file), 'utf8'), `${name} is ${file}`);
    }
    const unversioned = await request(server).get('/static/altcha/altcha.js').expect(200);
    assert.equal(unversioned.headers['cache-control'], 'public, max-age=300', 'an unversioned URL is cached briefly');
  });

  it('serves a setup module that loads only versioned files from /static/altcha/', async () => {
    const res = await request(app())
      .get(`/static/altcha/setup.js?v=${version}`)
      .expect(200)
      .expect('Content-Type', /^text\/javascript/);
    const urls = [...res.text.matchAll(/'(\/[^']+)'/g)].map((m) => m[1]!);
    assert.deepEqual(urls, [
      `/static/altcha/i18n-vi.js?v=${version}`,
      `/static/altcha/sha-worker.js?v=${version}`,
      `/static/altcha/altcha.js?v=${version}`,
    ]);
  });

  it('serves nothing else from node_modules', async () => {
    const server = app();
    for (const name of [
      'altcha.min.js',
      'altcha.umd.cjs',
      'index.d.ts',
      'package.json',
      '..%2Fpackage.json',
      '..%2F..%2Fpackage.json',
      '%2e%2e',
      'workers%2Fsha.js',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
    ]) {
      const res = await request(server).get(`/static/altcha/${name}`);
      assert.equal(res.status, 404, name);
    }
    await request(server).get('/static/altcha/../../package.json').expect(404);
  });
});

describe('captcha form field', () => {
  const field = captchaField({
    locale: 'vi',
    noScript: 'Không có JavaScript: <vẫn gửi được> nhưng có giới hạn.',
  }).value;

  it('has the widget, which solves on load and posts its solution as "altcha", in the page language', () => {
    assert.match(field, /<altcha-widget challenge="\/captcha\/challenge" name="altcha" auto="onload" language="vi"/);
    assert.match(captchaField({ locale: 'en', noScript: 'x' }).value, /language="en"/);
    assert.match(field, /configuration="\{&quot;minDuration&quot;:0,&quot;hideFooter&quot;:true,/);
  });

  it('loads its stylesheet and module from /static/altcha/ with the current version', () => {
    assert.ok(field.includes(`<link rel="stylesheet" href="/static/altcha/altcha.css?v=${version}">`));
    assert.ok(field.includes(`<script type="module" src="/static/altcha/setup.js?v=${version}"></script>`));
  });

  it("needs no inline script or style (CSP: script-src and style-src are 'self')", () => {
    for (const script of field.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
      assert.match(script[0], /\ssrc="/);
      assert.equal(script[1], '');
    }
    assert.doesNotMatch(field, /<style|\sstyle=|\son[a-z]+=|="\s*javascript:/i);
  });

  it('explains the no-JavaScript limit in a <noscript>, escaped', () => {
    assert.match(
      field,
      /<noscript><p class="hint">Không có JavaScript: &lt;vẫn gửi được&gt; nhưng có giới hạn.<\/p><\/noscript>/,
    );
  });
});

describe('address buckets for the no-JavaScript budget', () => {
  it('keeps IPv4 as is, unwraps IPv4-mapped IPv6, and cuts IPv6 to its /64', () => {
    assert.equal(addressBucket('203.0.113.7'), '203.0.113.7');
    assert.equal(addressBucket('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(addressBucket('::FFFF:203.0.113.7'), '203.0.113.7');
    assert.equal(addressBucket('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(addressBucket('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64');
    assert.equal(addressBucket('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressBucket('2001:db8:1:2::'), '2001:db8:1:2::/64');
    assert.equal(addressBucket('::1'), '0:0:0:0::/64');
    assert.equal(addressBucket('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressBucket('64:ff9b::198.51.100.1'), '64:ff9b:0:0::/64');
    assert.equal(addressBucket('not an address'), 'not an address');
  });
});
