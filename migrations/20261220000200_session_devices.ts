// Issue 16, item 7 ("Where you are signed in"): what a member's provider sessions were seen from. One row per
// oidc-provider session (its uid), written by a provider middleware when an authorization request leaves a signed-in
// session (src/oidc/session-devices.ts), its last-seen time moved at most once a minute. Only what the account page
// shows: the user agent (truncated) and a coarse network (IPv4 /24, IPv6 /48), never the address itself and no
// geolocation. A row goes with its session (ended there, by a credential change, or swept once the session is gone).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('session_devices', (t) => {
    t.text('session_uid').primary(); // oidc-provider's Session uid (stable across the session's id changes)
    t.text('account_id').notNullable();
    t.text('user_agent').notNullable().defaultTo(''); // at most 512 characters
    t.text('network'); // '203.0.113.0/24', '2001:db8:1::/48', or null when the address was unusable
    t.timestamp('first_seen_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('session_devices');
}
