// Issue 12 (findings 2 and 3). `accounts.credential_version` is the one notion of "the account's credentials
// changed": every password change and every temporary password moves it, and every pending step records the value it
// began with (src/security/credential-change.ts). A VNeID link may now also be made 'office' (confirmed in person).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.integer('credential_version').notNullable().defaultTo(0);
  });
  await knex.raw('alter table federated_identities drop constraint if exists federated_identities_linked_by');
  await knex.raw(
    `alter table federated_identities add constraint federated_identities_linked_by check (linked_by in ('national_id', 'password', 'office'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('federated_identities').where({ linked_by: 'office' }).update({ linked_by: 'password' });
  await knex.raw('alter table federated_identities drop constraint if exists federated_identities_linked_by');
  await knex.raw(
    `alter table federated_identities add constraint federated_identities_linked_by check (linked_by in ('national_id', 'password'))`,
  );
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('credential_version');
  });
}
