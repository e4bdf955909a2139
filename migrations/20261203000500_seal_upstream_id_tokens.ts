// The upstream VNeID ID token kept for logout used to sit in clear in the VNeID flows (`data.idToken`: national ID,
// name, birth date). From now on it is sealed (`data.idTokenSealed`, src/flows/federation/upstream-logout.ts). A
// migration cannot seal (it has no key), so it drops the clear copies: those sessions then end at VNeID's side without
// an id_token_hint, which VNeID's end-session endpoint accepts (it asks the citizen to confirm).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `update flows set data = data - 'idToken' where kind in ('vneid_pending', 'vneid_session_pending', 'vneid_session') and jsonb_exists(data, 'idToken')`,
  );
}

export async function down(): Promise<void> {
  // Nothing to restore: the clear tokens are gone on purpose.
}
