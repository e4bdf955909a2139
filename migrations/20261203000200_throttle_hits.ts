// One table for every per-address and per-identifier limit (src/security/throttle.ts): one row per hit, under a keyed
// hash of what is counted, timed by the injected clock. It replaces rate-limiter-flexible's counters (rate_limits),
// which only the sign-in throttle and the captcha budget used; the channels count here too from now on.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('throttle_hits', (t) => {
    t.bigIncrements('id');
    t.text('key').notNullable(); // HMAC of the limit's name and the subject (a bucketed address or an identifier)
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['key', 'at']);
    t.index(['at']);
  });
  await knex.schema.dropTableIfExists('rate_limits');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.double('expire');
  });
  await knex.schema.dropTableIfExists('throttle_hits');
}
