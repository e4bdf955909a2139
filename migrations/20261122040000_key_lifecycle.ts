// Key lifecycle: why a key was removed early (emergency revocation), and the internal secret (use 'internal') that
// keyed hashes and CSRF tokens derive from — kept out of cookie-key rotation so a rotation never invalidates a code
// in flight.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('keys', (t) => {
    t.text('removal_reason');
  });
  await knex.raw(`alter table keys add constraint keys_use check (use in ('sig', 'cookie', 'internal'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table keys drop constraint if exists keys_use');
  await knex.schema.alterTable('keys', (t) => {
    t.dropColumn('removal_reason');
  });
}
