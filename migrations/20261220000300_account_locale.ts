// Issue 16, the account page's profile: the member's language preference. Null means not chosen (the pages then
// follow the switch, the `lang` cookie and the app's ui_locales as before); the account pages default to it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('locale');
  });
  await knex.raw(`alter table accounts add constraint accounts_locale_known check (locale in ('vi', 'en'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table accounts drop constraint if exists accounts_locale_known');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('locale');
  });
}
