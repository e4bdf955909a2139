// Phone recovery channels: temporary passwords (kept apart from the member's own password, so a request nobody
// asked for never locks the member out) and the inbound webhooks' idempotency records.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('temporary_password_hash');
    t.timestamp('temporary_password_expires_at', { useTz: true });
  });
  // One row per inbound SMS message id or call id: a retried webhook gets the first answer back and changes nothing.
  await knex.schema.createTable('channel_requests', (t) => {
    t.text('channel').notNullable(); // 'sms' | 'voice'
    t.text('request_id').notNullable(); // the aggregator's message id, or the telephony platform's call id
    t.jsonb('state').notNullable().defaultTo('{}'); // the dialogue state (voice) or the reply sent (sms)
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.primary(['channel', 'request_id']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('channel_requests');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('temporary_password_hash');
    t.dropColumn('temporary_password_expires_at');
  });
}
