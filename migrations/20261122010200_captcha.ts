// Used captcha solutions: a challenge's signature is kept until shortly after the challenge expires, so each solution
// counts once across all nodes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('captcha_used', (t) => {
    t.text('signature').primary(); // the challenge's HMAC signature (hex)
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('captcha_used');
}
