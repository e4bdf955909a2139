// Codes are now swept a day after they expire (methods/codes/code-store.ts sweepExpiredCodes, every node's sweeper):
// the index keeps each sweep a range scan however many codes a busy day wrote.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('verification_codes', (t) => {
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('verification_codes', (t) => {
    t.dropIndex(['expires_at']);
  });
}
