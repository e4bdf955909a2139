// The account cache's own rules (src/accounts/account-cache.ts), with a fake feed and repository: memory only while
// the feed listens, everything dropped when it listens again, a read racing an invalidation not stored, the lifetime
// and the size bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNTS_CHANNEL, createAccountCache } from '../../src/accounts/account-cache.js';
import type { Account } from '../../src/accounts/account-repository.js';
import type { ChangeFeed } from '../../src/db/change-feed.js';

function setup(opts: { ttlMs?: number; maxEntries?: number } = {}) {
  let reads = 0;
  let listening = true;
  let gate: Promise<void> | undefined;
  let now = 0;
  const handlers: Array<(payload: string) => void> = [];
  const feed = {
    subscribe: (channel: string, h: (p: string) => void) => {
      assert.equal(channel, ACCOUNTS_CHANNEL);
      handlers.push(h);
    },
    start() {},
    reconnect: async () => {},
    listening: () => listening,
    stop: async () => {},
  } as ChangeFeed;
  const repo = {
    async findById(id: string) {
      reads += 1;
      await gate;
      return { id, fullName: `name ${reads}` } as Account;
    },
  };
  const cache = createAccountCache(repo, {
    ttlMs: opts.ttlMs ?? 60_000,
    now: () => now,
    feed,
    ...(opts.maxEntries ? { maxEntries: opts.maxEntries } : {}),
  });
  return {
    cache,
    reads: () => reads,
    notify: (payload: string) => {
      for (const h of handlers) h(payload);
    },
    setListening: (v: boolean) => (listening = v),
    hold: (p: Promise<void> | undefined) => (gate = p),
    advance: (ms: number) => (now += ms),
  };
}

describe('account cache', () => {
  it('reads once, then serves from memory until the account is notified', async () => {
    const s = setup();
    assert.equal((await s.cache.findForProvider('a'))!.fullName, 'name 1');
    assert.equal((await s.cache.findForProvider('a'))!.fullName, 'name 1');
    assert.equal(s.reads(), 1);
    s.notify('b');
    await s.cache.findForProvider('a');
    assert.equal(s.reads(), 1, 'another account’s change leaves it');
    s.notify('a');
    assert.equal((await s.cache.findForProvider('a'))!.fullName, 'name 2');
  });

  it('serves nothing from memory while the feed does not listen, and drops everything when it listens again', async () => {
    const s = setup();
    await s.cache.findForProvider('a');
    s.setListening(false);
    await s.cache.findForProvider('a');
    await s.cache.findForProvider('a');
    assert.equal(s.reads(), 3);
    assert.equal(s.cache.size(), 0);
    s.setListening(true);
    await s.cache.findForProvider('a');
    assert.equal(s.cache.size(), 1);
    s.notify(''); // the feed listens again after a lost connection
    assert.equal(s.cache.size(), 0);
  });

  it('does not store a read that raced an invalidation', async () => {
    const s = setup();
    let release!: () => void;
    s.hold(new Promise<void>((r) => (release = r)));
    const pending = s.cache.findForProvider('a');
    s.notify('a');
    release();
    await pending;
    s.hold(undefined);
    assert.equal(s.cache.has('a'), false);
  });

  it('expires entries and keeps at most maxEntries, the oldest leaving first', async () => {
    const s = setup({ ttlMs: 1000, maxEntries: 2 });
    await s.cache.findForProvider('a');
    s.advance(1001);
    await s.cache.findForProvider('a');
    assert.equal(s.reads(), 2);
    await s.cache.findForProvider('b');
    await s.cache.findForProvider('c');
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => s.cache.has(id)),
      [false, true, true],
    );
  });
});
