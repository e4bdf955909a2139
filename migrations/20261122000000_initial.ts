// The first schema: accounts, oidc-provider artifacts, clients, resource servers, keys, flows, throttling and audit.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('accounts', (t) => {
    t.text('id').primary(); // opaque stable id: the `sub`
    t.text('bhxh_number').notNullable().unique();
    t.text('national_id').unique();
    t.text('full_name').notNullable();
    t.text('birthdate').notNullable(); // YYYY-MM-DD, kept as text so no driver shifts it by a time zone
    t.text('phone_number'); // E.164
    t.boolean('phone_number_verified').notNullable().defaultTo(false);
    t.text('email');
    t.boolean('email_verified').notNullable().defaultTo(false);
    t.text('password_hash');
    t.text('status').notNullable().defaultTo('active');
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.timestamp('password_changed_at', { useTz: true });
    t.timestamps(true, true);
  });
  await knex.raw(`alter table accounts add constraint accounts_bhxh_number_format check (bhxh_number ~ '^[0-9]{10}$')`);
  await knex.raw(`alter table accounts add constraint accounts_national_id_format check (national_id ~ '^[0-9]{12}$')`);
  await knex.raw(
    `alter table accounts add constraint accounts_birthdate_format check (birthdate ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')`,
  );
  await knex.raw(
    `alter table accounts add constraint accounts_phone_format check (phone_number ~ '^\\+[1-9][0-9]{6,14}$')`,
  );
  await knex.raw(`alter table accounts add constraint accounts_status check (status in ('active', 'disabled'))`);

  await knex.schema.createTable('oidc_payloads', (t) => {
    t.text('model').notNullable();
    t.text('id').notNullable();
    t.jsonb('payload').notNullable();
    t.text('grant_id');
    t.text('uid');
    t.text('user_code');
    t.timestamp('consumed_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['uid']);
    t.index(['user_code']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('clients', (t) => {
    t.text('client_id').primary();
    t.jsonb('metadata').notNullable(); // RFC 7591 metadata without the secret
    t.text('client_secret_encrypted'); // sealed with KEYS_ENCRYPTION_KEY
    t.boolean('first_party').notNullable().defaultTo(false);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('resource_servers', (t) => {
    t.text('identifier').primary(); // the RFC 8707 resource indicator (absolute URI)
    t.text('scope').notNullable().defaultTo('');
    t.integer('access_token_ttl').notNullable().defaultTo(600);
    t.timestamps(true, true);
  });

  await knex.schema.createTable('keys', (t) => {
    t.text('kid').primary();
    t.text('use').notNullable(); // 'sig' (JWS signing) or 'cookie' (cookie signing secret)
    t.text('alg').notNullable(); // ES256, RS256, or HS256 for cookie secrets
    t.text('state').notNullable(); // staged → active → retired → removed
    t.jsonb('public_jwk'); // null for cookie secrets
    t.text('private_encrypted').notNullable();
    t.text('encryption_key_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('retired_at', { useTz: true });
    t.timestamp('removed_at', { useTz: true });
    t.index(['use', 'state']);
  });
  await knex.raw(
    `alter table keys add constraint keys_state check (state in ('staged', 'active', 'retired', 'removed'))`,
  );

  await knex.schema.createTable('flows', (t) => {
    t.text('id').primary();
    t.text('kind').notNullable();
    t.text('state').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamps(true, true);
    t.index(['expires_at']);
  });

  // Counters of rate-limiter-flexible (RateLimiterPostgres). `expire` is epoch milliseconds; double precision so
  // both drivers return a JS number.
  await knex.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.double('expire');
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('type').notNullable();
    t.text('outcome').notNullable().defaultTo('success');
    t.text('account_id');
    t.text('client_id');
    t.text('ip');
    t.text('request_id');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['type', 'at']);
    t.index(['account_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'audit_events',
    'rate_limits',
    'flows',
    'keys',
    'resource_servers',
    'clients',
    'oidc_payloads',
    'accounts',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
