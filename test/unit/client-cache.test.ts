// The in-memory cache of relying parties (src/clients/client-cache.ts), around a repository that counts its reads.
// Time is an injected `now`; notifications come from a stand-in feed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientMetadata } from 'oidc-provider';
import type { ChangeFeed } from '../../src/db/change-feed.js';
import { withClientCache } from '../../src/clients/client-cache.js';
import { CLIENTS_CHANNEL, type ClientRepository } from '../../src/clients/client-repository.js';

function fakeRepository() {
  const stored = new Map<string, ClientMetadata>([
    ['app', { client_id: 'app', redirect_uris: ['https://app.example/cb'] }],
  ]);
  const reads: string[] = [];
  let gate: Promise<void> | undefined;
  const repo = {
    async findForProvider(id: string) {
      reads.push(id);
      const answer = stored.get(id);
      await gate;
      return answer && structuredClone(answer);
    },
    async create(metadata: ClientMetadata) {
      stored.set(metadata.client_id!, metadata);
      return { clientId: metadata.client_id! };
    },
    async delete(id: string) {
      return stored.delete(id);
    },
  } as unknown as ClientRepository;
  return { repo, stored, reads, hold: (p: Promise<void> | undefined) => (gate = p) };
}

function fakeFeed() {
  const handlers = new Map<string, (payload: string) => void>();
  const feed = {
    subscribe: (channel: string, h: (p: string) => void) => handlers.set(channel, h),
    start() {},
    reconnect: async () => {},
    listening: () => true,
    stop: async () => {},
  } as ChangeFeed;
  return { feed, notify: (channel: string, payload: string) => handlers.get(channel)?.(payload) };
}

describe('client cache', () => {
  it('reads a client once within the lifetime, again after it', async () => {
    const { repo, reads } = fakeRepository();
    let now = 1_000;
    const cache = withClientCache(repo, { ttlMs: 60_000, now: () => now });
    assert.equal((await cache.findForProvider('app'))?.client_id, 'app');
    await cache.findForProvider('app');
    assert.deepEqual(reads, ['app']);
    now += 60_001;
    await cache.findForProvider('app');
    assert.deepEqual(reads, ['app', 'app']);
  });

  it('hands out copies: changing an answer does not change the cache', async () => {
    const { repo } = fakeRepository();
    const cache = withClientCache(repo, { ttlMs: 60_000, now: () => 0 });
    const first = (await cache.findForProvider('app'))!;
    (first.redirect_uris as string[]).push('https://evil.example/cb');
    first.client_id = 'other';
    assert.deepEqual(await cache.findForProvider('app'), {
      client_id: 'app',
      redirect_uris: ['https://app.example/cb'],
    });
  });

  it('does not remember unknown clients: one created later is found at once', async () => {
    const { repo, stored } = fakeRepository();
    const cache = withClientCache(repo, { ttlMs: 60_000, now: () => 0 });
    assert.equal(await cache.findForProvider('new'), undefined);
    stored.set('new', { client_id: 'new' });
    assert.equal((await cache.findForProvider('new'))?.client_id, 'new');
  });

  it('forgets a client deleted or created through it', async () => {
    const { repo, reads } = fakeRepository();
    const cache = withClientCache(repo, { ttlMs: 60_000, now: () => 0 });
    await cache.findForProvider('app');
    assert.equal(await cache.delete('app'), true);
    assert.equal(await cache.findForProvider('app'), undefined);
    await cache.create({ client_id: 'app', redirect_uris: ['https://new.example/cb'] });
    assert.deepEqual((await cache.findForProvider('app'))?.redirect_uris, ['https://new.example/cb']);
    assert.equal(reads.length, 3);
  });

  it('forgets a client another node changed when the feed says so (NOTIFY bhxh_clients)', async () => {
    const { repo, stored } = fakeRepository();
    const { feed, notify } = fakeFeed();
    const cache = withClientCache(repo, { ttlMs: 60_000, now: () => 0, feed });
    await cache.findForProvider('app');
    stored.delete('app');
    assert.equal((await cache.findForProvider('app'))?.client_id, 'app', 'served from memory until told');
    notify(CLIENTS_CHANNEL, 'app');
    assert.equal(await cache.findForProvider('app'), undefined);
  });

  it('does not store an answer read before an invalidation that arrived meanwhile', async () => {
    const { repo, stored, hold } = fakeRepository();
    const cache = withClientCache(repo, { ttlMs: 60_000, now: () => 0 });
    let release!: () => void;
    hold(new Promise<void>((r) => (release = r)));
    const slow = cache.findForProvider('app'); // reads the old row, then waits
    await cache.delete('app');
    stored.delete('app');
    release();
    assert.equal((await slow)?.client_id, 'app');
    hold(undefined);
    assert.equal(await cache.findForProvider('app'), undefined, 'the old answer was not kept');
  });

  it('reads through every time when the lifetime is 0', async () => {
    const { repo, reads } = fakeRepository();
    const cache = withClientCache(repo, { ttlMs: 0, now: () => 0 });
    await cache.findForProvider('app');
    await cache.findForProvider('app');
    assert.equal(reads.length, 2);
  });
});
