// The hotline's number checks, kept to throttle them per calling number and per BHXH number (timestamps from the
// injected clock, so every node counts the same). Both numbers are stored only as keyed hashes: a 10-digit number
// hashed without a key is read back at once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('voice_checks', (t) => {
    t.bigIncrements('id');
    t.text('call_id').notNullable();
    t.text('caller_key').notNullable(); // HMAC of the calling number (E.164 when it parses)
    t.text('number_key').notNullable(); // HMAC of the BHXH number typed
    // Whether the caller is the verified phone on file for that number: per number, the owner's calls and everybody
    // else's have separate budgets, so strangers naming a number cannot use up its owner's.
    t.boolean('matched').notNullable().defaultTo(false);
    t.text('outcome').notNullable(); // 'read_aloud' | 'sms_sent' | 'no_match'
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['caller_key', 'created_at']);
    t.index(['number_key', 'created_at']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('voice_checks');
}
