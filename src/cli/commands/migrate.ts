// bhxh-id migrate: applies pending schema migrations (the server also does at start).
import type { Command } from '../command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  usage: 'bhxh-id migrate',
  options: {},
  // Opening the context applies pending migrations; report which ones.
  async run(ctx) {
    return { database: ctx.config.database.kind, applied: ctx.migrationsApplied };
  },
};
