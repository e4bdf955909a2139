// Repositories own their tables: only the owning folder's modules query a table (docs/architecture.md, "Layers").
// The test reads every module under src/ and finds table names where SQL names them: knex's `db('t')`,
// `.from('t')`, `.into('t')`, `.table('t')`, `.join('t')`, and raw SQL `from t` / `into t` / `update t` / `join t`.
// Every table created by migrations/ must have an owner here. Queries outside the owner that existed when the rule
// came in are listed in KNOWN: the list may only shrink (the test fails on a stale entry too).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const OWNERS: Record<string, string> = {
  accounts: 'src/accounts/',
  federated_identities: 'src/accounts/',
  audit_events: 'src/audit/',
  captcha_used: 'src/methods/captcha/',
  channel_requests: 'src/channels/',
  sms_inbound_messages: 'src/channels/',
  voice_checks: 'src/channels/',
  clients: 'src/clients/',
  resource_servers: 'src/clients/',
  flows: 'src/flows/',
  keys: 'src/keys/',
  oidc_payloads: 'src/oidc/',
  session_devices: 'src/oidc/',
  outbox: 'src/notify/',
  throttle_hits: 'src/security/',
  verification_codes: 'src/methods/codes/',
  // Dropped by 20261203000200_throttle_hits; nobody may query it.
  rate_limits: '(dropped)',
};

// "file table": queries of a table outside its owner, to be moved into the owning repository.
const KNOWN = new Set<string>([]);

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return p.endsWith('.ts') ? [p.split(path.sep).join('/')] : [];
  });
}

function tablesNamedIn(source: string, tables: string[]): Set<string> {
  const found = new Set<string>();
  for (const t of tables) {
    const knexCall = new RegExp(
      `(?:\\b(?:db|trx|knex|tx)|\\.(?:from|into|table|join|leftJoin|innerJoin))\\(\\s*['"]${t}['"]`,
    );
    const rawSql = new RegExp(`\\b(?:from|into|update|join|table)\\s+"?${t}"?\\b`, 'i');
    if (knexCall.test(source) || rawSql.test(source)) found.add(t);
  }
  return found;
}

test('every table created by a migration has an owning folder', () => {
  const created = new Set<string>();
  for (const f of walk('migrations')) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/createTable\(\s*['"]([a-z_]+)['"]/g)) created.add(m[1]!);
  }
  assert.ok(created.size > 5, 'migrations were read');
  assert.deepEqual(
    [...created].filter((t) => !(t in OWNERS)),
    [],
  );
});

test('only the owning repository queries a table', () => {
  const tables = Object.keys(OWNERS);
  const outside: string[] = [];
  for (const file of walk('src')) {
    for (const t of tablesNamedIn(fs.readFileSync(file, 'utf8'), tables)) {
      if (!file.startsWith(OWNERS[t]!)) outside.push(`${file} ${t}`);
    }
  }
  const fresh = outside.filter((v) => !KNOWN.has(v));
  assert.deepEqual(fresh, [], 'a module queries a table it does not own: add a method to the owning repository');
  const stale = [...KNOWN].filter((v) => !outside.includes(v));
  assert.deepEqual(stale, [], 'a known violation is gone: remove it from KNOWN');
});
