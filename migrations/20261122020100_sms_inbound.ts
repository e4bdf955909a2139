// The inbound SMS keyword channel (BH MK <mã số BHXH> to 8079): one row per message processed, so the hourly limits
// per sender and per BHXH number are counted in the database (every node sees them) on the injected clock.
// Senders and numbers are kept only as keyed hashes: the table says how often, never who.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sms_inbound_messages', (t) => {
    t.bigIncrements('id');
    t.text('sender_key').notNullable(); // HMAC of the sender in E.164
    t.text('number_key'); // HMAC of the BHXH number named in the keyword; null for any other text
    // Whether the sender is the phone on file for that number: the owner's requests and everybody else's are limited
    // per number separately, so strangers naming a number cannot use up its owner's replies.
    t.boolean('matched').notNullable().defaultTo(false);
    t.text('outcome').notNullable(); // 'issued' | 'mismatch' | 'help' | 'throttled'
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['sender_key', 'created_at']);
    t.index(['number_key', 'created_at']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sms_inbound_messages');
}
