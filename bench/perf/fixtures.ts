// Fixtures made through the product itself, with the CLI module (runCli) on the run's database, before the server
// starts (PGlite allows one process at a time): the relying parties of the rows and many members.
import crypto from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import { deletedCount } from '../../src/db/database.js';
import { openAndMigrate } from '../../src/db/open-and-migrate.js';
import { demoClients } from '../../src/dev/seed-demo.js';

/** argon2id as in production (the configuration's minimum): m=19456 KiB, t=2, p=1. */
export const ARGON2_ENV = { ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', ARGON2_PARALLELISM: '1' };

/** The confidential clients of the rows; `vssid` (the native app, first party) comes from the demo data. */
export const CC_CLIENT: ClientMetadata = {
  client_id: 'bench-cc',
  client_name: 'Benchmark: client credentials',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
};
export const API_CLIENT: ClientMetadata = {
  client_id: 'bench-api',
  client_name: 'Benchmark: resource server that introspects tokens',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
};
export const VSSID_CLIENT: ClientMetadata = demoClients('').find((c) => c.metadata.client_id === 'vssid')!.metadata;

export interface Fixtures {
  secrets: { cc: string; api: string };
  members: MemberSet;
}

/** Members bhxh = prefix + zero-padded i, i < count, all with one password. */
export interface MemberSet {
  prefix: string;
  count: number;
  password: string;
}

/** Runs one CLI command on the engine's database; returns its JSON output or throws its error line. */
export async function cli(
  env: Record<string, string>,
  args: string[],
  stdin?: string,
): Promise<Record<string, unknown>> {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    env: { NODE_ENV: 'test', LOG_LEVEL: 'error', ...ARGON2_ENV, ...env },
    stdin: async () => stdin ?? '',
  });
  if (code !== 0) throw new Error(`bhxh-id ${args.slice(0, 2).join(' ')} failed (${code}): ${err.trim()}`);
  return JSON.parse(out) as Record<string, unknown>;
}

async function createClient(
  env: Record<string, string>,
  metadata: ClientMetadata,
  firstParty = false,
): Promise<string | undefined> {
  const created = await cli(
    env,
    ['clients', 'create', '--file', '-', ...(firstParty ? ['--first-party'] : [])],
    JSON.stringify(metadata),
  );
  return created.client_secret as string | undefined;
}

/** Seeds `count` members numbered from `prefix` with `dev seed-accounts`; returns {created, ms}. */
export async function seedMembers(
  env: Record<string, string>,
  members: MemberSet,
): Promise<{ created: number; ms: number }> {
  const r = await cli(
    env,
    ['dev', 'seed-accounts', '--count', String(members.count), '--prefix', members.prefix, '--password-stdin'],
    members.password,
  );
  return { created: Number(r.created), ms: Number(r.ms) };
}

/**
 * Removes a seeded set again (the account-scale rows measure 10k → 1M → 10k, so a drift of the machine's speed
 * does not pass for an effect of the table's size). Directly in SQL: there is no product command to delete members.
 */
export async function removeMembers(env: Record<string, string>, members: MemberSet): Promise<number> {
  // Opened like the CLI does (PGlite's data-folder lock included), while no server runs.
  const { db, release } = await openAndMigrate(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error', ...env }));
  try {
    const deleted = deletedCount(await db('accounts').where('bhxh_number', 'like', `${members.prefix}%`).delete());
    await db.raw('vacuum (analyze) accounts');
    return deleted;
  } finally {
    await db.destroy();
    release();
  }
}

/** Migrates, registers the three clients and seeds the members. */
export async function prepareFixtures(env: Record<string, string>, memberCount: number): Promise<Fixtures> {
  await cli(env, ['migrate']);
  const cc = await createClient(env, CC_CLIENT);
  const api = await createClient(env, API_CLIENT);
  await createClient(env, VSSID_CLIENT, true);
  const members: MemberSet = {
    prefix: '90',
    count: memberCount,
    password: `bench-${crypto.randomBytes(9).toString('base64url')}`,
  };
  await seedMembers(env, members);
  return { secrets: { cc: cc!, api: api! }, members };
}

/** Picks members at random across the sets (uniformly over every seeded account), so no account takes much load. */
export function memberPicker(sets: MemberSet[]): () => { bhxhNumber: string; password: string } {
  const total = sets.reduce((n, s) => n + s.count, 0);
  return () => {
    let index = crypto.randomInt(total);
    const set = sets.find((s) => (index < s.count ? true : ((index -= s.count), false)))!;
    return { bhxhNumber: set.prefix + String(index).padStart(10 - set.prefix.length, '0'), password: set.password };
  };
}
