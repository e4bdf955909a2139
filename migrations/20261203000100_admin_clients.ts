// Admin clients: the operator's flag that lets a client obtain admin scopes (src/security/scope-policy.ts). Only
// `bhxh-id clients create --admin` sets it; no existing client is promoted, whatever its metadata lists.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.boolean('admin').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('admin');
  });
}
