// bhxh-id keys list: every signing key and cookie secret with its state and dates (no private material).
import { listKeys } from '../../keys/key-store.js';
import type { Command } from '../command.js';

export const keysList: Command = {
  name: 'keys list',
  summary: 'list signing keys and cookie secrets with their states',
  usage: 'bhxh-id keys list',
  options: {},
  async run(ctx) {
    const keys = await listKeys(ctx.db);
    return { keys: keys.map(({ public_jwk: _jwk, ...k }) => k) };
  },
};
