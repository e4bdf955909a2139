// Only sessions carry a uid, and only device codes a user code (the device flow is off), yet every token and grant
// saved paid for an entry in both indexes (PostgreSQL indexes NULLs). Partial indexes keep the lookups
// (`where model = ? and uid = ?` implies `uid is not null`) and drop two index writes from every save.
// NOTE: on a large table, building an index blocks writes to it while it builds; run this migration in a quiet hour.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists oidc_payloads_uid_index');
  await knex.raw('drop index if exists oidc_payloads_user_code_index');
  await knex.raw('create index oidc_payloads_uid_index on oidc_payloads (uid) where uid is not null');
  await knex.raw('create index oidc_payloads_user_code_index on oidc_payloads (user_code) where user_code is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists oidc_payloads_uid_index');
  await knex.raw('drop index if exists oidc_payloads_user_code_index');
  await knex.raw('create index oidc_payloads_uid_index on oidc_payloads (uid)');
  await knex.raw('create index oidc_payloads_user_code_index on oidc_payloads (user_code)');
}
