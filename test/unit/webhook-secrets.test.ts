// The embedded development default's webhook secrets: the server makes them once in the data folder (0600), the dev
// commands read the same ones and never make them; nothing happens outside that default.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { withWebhookSecrets } from '../../src/channels/webhook-secrets.js';

describe('withWebhookSecrets', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bhxh-webhook-secrets-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes each secret once for the server, private to the owner, and the dev commands read the same', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    const server = withWebhookSecrets(config, { create: true });
    assert.match(server.smsInbound.secret!, /^[\w-]{43}$/);
    assert.match(server.voice.secret!, /^[\w-]{43}$/);
    assert.notEqual(server.smsInbound.secret, server.voice.secret);
    assert.equal(fs.statSync(config.smsInbound.secretFile!).mode & 0o777, 0o600);
    assert.equal(fs.statSync(config.voice.secretFile!).mode & 0o777, 0o600);
    const again = withWebhookSecrets(config, { create: true });
    assert.equal(again.smsInbound.secret, server.smsInbound.secret, 'a restart keeps it');
    const cli = withWebhookSecrets(loadConfig({ DATA_DIR: config.dataDir }), { create: false });
    assert.equal(cli.smsInbound.secret, server.smsInbound.secret);
    assert.equal(cli.voice.secret, server.voice.secret);
  });

  it('does not make one for the dev commands before the server has', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    const cli = withWebhookSecrets(config, { create: false });
    assert.equal(cli.smsInbound.secret, undefined);
    assert.equal(fs.existsSync(config.smsInbound.secretFile!), false);
  });

  it('changes nothing outside the embedded development default, or for a secret that is set', () => {
    const dir = dataDir();
    const test = loadConfig({ DATA_DIR: dir, NODE_ENV: 'test' });
    assert.deepEqual(withWebhookSecrets(test, { create: true }), test);
    const given = loadConfig({ DATA_DIR: dir, VOICE_WEBHOOK_SECRET: 'a-secret-of-the-operator' });
    assert.equal(withWebhookSecrets(given, { create: true }).voice.secret, 'a-secret-of-the-operator');
    assert.deepEqual(fs.readdirSync(dir), ['sms-inbound.secret'], 'only the SMS secret was missing');
  });
});
