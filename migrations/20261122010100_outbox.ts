// The notification outbox: every email and SMS is written here in the transaction of the change that causes it, and
// a worker delivers it (src/notify/outbox.ts). The rendered message is sealed and cleared once sent or given up.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.text('channel').notNullable(); // 'email' | 'sms'
    t.text('recipient').notNullable(); // an email address or an E.164 number
    t.text('payload_sealed'); // the rendered message, sealed with context `outbox:<purpose>`; NULL once sent or failed
    t.text('purpose').notNullable(); // 'recovery_code', 'password_changed', …
    t.text('status').notNullable().defaultTo('pending'); // pending → sent | failed
    t.integer('attempts').notNullable().defaultTo(0); // claims so far; (id, attempts) identifies one claim
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('locked_until', { useTz: true }); // a worker's lease on the row while it sends
    t.text('last_error'); // an error class or code only: never message content or an address
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.index(['status', 'next_attempt_at']);
  });
  await knex.raw(`alter table outbox add constraint outbox_channel check (channel in ('email', 'sms'))`);
  await knex.raw(`alter table outbox add constraint outbox_status check (status in ('pending', 'sent', 'failed'))`);
  // NOTE: no message content stays at rest once the row is finished (one-time codes in particular).
  await knex.raw(
    `alter table outbox add constraint outbox_payload_cleared check (status = 'pending' or payload_sealed is null)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('outbox');
}
