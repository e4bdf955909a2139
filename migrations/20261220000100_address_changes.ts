// Issue 16 (the account page's email and phone sections): a member may now change the phone on file herself. For a
// cooling-off period after such a change (PHONE_CHANGE_COOLING_HOURS) the new number proves nothing on the
// self-service reset channels (SMS keyword, hotline, SMS code: src/security/deliverable-address.ts), so the time of
// the last change is kept:
//   phone_changed_at   when the phone on file was last changed or added through src/security/address-change.ts
//                      (null: never changed online, as for every account before this migration)
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.timestamp('phone_changed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('phone_changed_at');
  });
}
