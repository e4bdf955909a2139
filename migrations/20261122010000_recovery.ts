// Password recovery: one-time codes, and the account id lifted out of oidc-provider payloads so every session,
// grant and token of an account can be revoked at once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oidc_payloads', (t) => {
    t.text('account_id');
    t.index(['account_id']);
  });
  await knex.raw(
    `update oidc_payloads set account_id = payload->>'accountId' where jsonb_exists(payload, 'accountId')`,
  );

  await knex.schema.createTable('verification_codes', (t) => {
    t.text('id').primary();
    t.text('flow_id').notNullable();
    t.text('account_id'); // null: a request that matched no account (pretend; can never verify)
    // What the limits count on: a keyed hash of the account, or of the typed number and address when nothing
    // matched, so a matching and a non-matching request are limited, and answered, the same way.
    t.text('rate_key').notNullable();
    t.text('purpose').notNullable(); // 'recovery'
    t.text('channel').notNullable(); // 'email' | 'sms'
    t.text('ip');
    t.text('code_hash').notNullable(); // HMAC-SHA256; the code itself is never stored
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true }); // used, or killed by a newer code
    t.index(['flow_id']);
    t.index(['rate_key', 'created_at']);
    t.index(['ip', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('verification_codes');
  await knex.schema.alterTable('oidc_payloads', (t) => {
    t.dropColumn('account_id');
  });
}
