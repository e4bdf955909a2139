// Nodes keep what the provider reads of an account (userinfo's claims, refresh's "is the account still active") in
// memory (src/accounts/account-cache.ts). Every change of an accounts row, whatever wrote it (the repository, the
// link repository, the CLI in another process, an operator's SQL), sends NOTIFY bhxh_accounts with the account's id
// when its transaction commits, and every node drops that entry. A trigger rather than the writers: no path can forget
// to tell, and a rolled-back change tells nobody.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function bhxh_accounts_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('bhxh_accounts', old.id);
      return null;
    end
    $$`);
  await knex.raw(`
    create trigger accounts_changed after update or delete on accounts
    for each row execute function bhxh_accounts_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists accounts_changed on accounts');
  await knex.raw('drop function if exists bhxh_accounts_changed()');
}
