// Federation: an upstream identity (VNeID) is tied to one account by (issuer, subject), never by email or phone.
// The first link is made only by the verified personal identification number, or by the member after signing in with
// the BHXH number and password (see src/flows/federation/routes.ts).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('federated_identities', (t) => {
    t.text('issuer').notNullable();
    t.text('subject').notNullable();
    t.text('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    // The verified personal identification number the upstream gave when the link was made (12 digits).
    t.text('national_id').notNullable();
    // 'national_id' (matched automatically) or 'password' (linked by the member after a password sign-in).
    t.text('linked_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true }).notNullable();
    t.primary(['issuer', 'subject']);
    t.index(['account_id']);
  });
  await knex.raw(
    `alter table federated_identities add constraint federated_identities_linked_by check (linked_by in ('national_id', 'password'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('federated_identities');
}
