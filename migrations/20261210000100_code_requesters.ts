// Issue 14, item 2: a second code request within the cooldown continues the code the same browser asked for,
// instead of leaving its new flow with no code at all. Each code row now says who asked for it and what it answers to:
//   requester           keyed hash of the browser binding, the channel and the typed number and address (null for
//                       rows written before this migration and for address verification codes)
//   stand_in            a row written for a refused request that has no code of its own to continue: it never verifies,
//                       is never sent and counts toward no limit (it only gives that flow the answers a code gives)
//   credential_version  the account's credential version when the code was issued (null for no match), so a flow that
//                       continues the code answers to the credentials of that moment, not of its own
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('verification_codes', (t) => {
    t.text('requester');
    t.boolean('stand_in').notNullable().defaultTo(false);
    t.integer('credential_version');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('verification_codes').where({ stand_in: true }).delete();
  await knex.schema.alterTable('verification_codes', (t) => {
    t.dropColumn('requester');
    t.dropColumn('stand_in');
    t.dropColumn('credential_version');
  });
}
