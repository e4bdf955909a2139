// `npm run vneid-sim`: runs the VNeID simulator (a stand-in for the national e-ID VNeID's OpenID Connect provider)
// on its own port for local development of BHXH ID's "sign in with VNeID". Development only: keys and sessions live
// in memory and the login page lets anyone be any test citizen.
//
// Environment: VNEID_SIM_PORT (3100), VNEID_SIM_HOST (127.0.0.1), VNEID_SIM_ISSUER (http://localhost:PORT),
// VNEID_SIM_CLIENT_ID (bhxh-id), VNEID_SIM_CLIENT_SECRET (random, printed once), VNEID_SIM_REDIRECT_URIS and
// VNEID_SIM_POST_LOGOUT_REDIRECT_URIS (comma lists), VNEID_SIM_CLIENT_PUBLIC_KEY_FILE (the client's RSA public key,
// PEM: required with --profile encrypted-oauth2).
// Flags: --claims standard|legacy, --userinfo-only, --no-iss, --failure none|down|slow|error, --delay-ms N,
// --profile oidc|encrypted-oauth2, --plain-code (encrypted profile: codes not encrypted), --tamper data|key|encrypt_key.
// First: refuse an unsupported Node.js before oidc-provider is loaded (src/core/node-runtime.ts).
import '../../core/require-supported-node.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CITIZENS, maskNationalId } from './citizens.js';
import { startVneidSimulator, type SimBehaviour, type SimClient, type VneidSimulator } from './simulator.js';

interface Settings {
  port: number;
  host: string;
  issuer: string | undefined;
  client: SimClient & { client_secret: string };
  secretGenerated: boolean;
  behaviour: Partial<SimBehaviour>;
}

class UsageError extends Error {}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${name} must be one of ${allowed.join('|')} (got "${value}")`);
  return value as T;
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return n;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${name}: "${value}" must be an http(s) URL`);
  return value;
}

function urlList(name: string, value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError(`${name} must list at least one URL`);
  return list.map((u) => httpUrl(name, u));
}

function parseBehaviour(argv: string[]): Partial<SimBehaviour> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      claims: { type: 'string' },
      'userinfo-only': { type: 'boolean' },
      'no-iss': { type: 'boolean' },
      failure: { type: 'string' },
      'delay-ms': { type: 'string' },
      profile: { type: 'string' },
      'plain-code': { type: 'boolean' },
      tamper: { type: 'string' },
    },
  });
  const behaviour: Partial<SimBehaviour> = {};
  const claims = oneOf('--claims', values.claims, ['standard', 'legacy'] as const);
  const failure = oneOf('--failure', values.failure, ['none', 'down', 'slow', 'error'] as const);
  if (claims) behaviour.claims = claims;
  if (failure) behaviour.failure = failure;
  if (values['userinfo-only']) behaviour.userinfoOnly = true;
  if (values['no-iss']) behaviour.issParameter = false;
  if (values['delay-ms'] !== undefined) behaviour.delayMs = integer('--delay-ms', values['delay-ms'], 0, 600_000);
  const profile = oneOf('--profile', values.profile, ['oidc', 'encrypted-oauth2'] as const);
  if (profile) behaviour.profile = profile;
  if (values['plain-code']) behaviour.encryptCode = false;
  const tamper = oneOf('--tamper', values.tamper, ['data', 'key', 'encrypt_key'] as const);
  if (tamper) behaviour.tamper = tamper;
  return behaviour;
}

function publicKeyPem(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return crypto.createPublicKey(fs.readFileSync(file, 'utf8')).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new UsageError(
      `VNEID_SIM_CLIENT_PUBLIC_KEY_FILE: cannot read an RSA public (or private) key PEM from ${file}`,
    );
  }
}

function readSettings(env: NodeJS.ProcessEnv, argv: string[]): Settings {
  const port = integer('VNEID_SIM_PORT', env.VNEID_SIM_PORT || '3100', 1, 65535);
  const secret = env.VNEID_SIM_CLIENT_SECRET || undefined;
  const behaviour = parseBehaviour(argv);
  const rsaPublicKey = publicKeyPem(env.VNEID_SIM_CLIENT_PUBLIC_KEY_FILE);
  if (behaviour.profile === 'encrypted-oauth2' && !rsaPublicKey)
    throw new UsageError(
      '--profile encrypted-oauth2 needs VNEID_SIM_CLIENT_PUBLIC_KEY_FILE (the client RSA public key)',
    );
  return {
    port,
    host: env.VNEID_SIM_HOST || '127.0.0.1',
    issuer: env.VNEID_SIM_ISSUER ? httpUrl('VNEID_SIM_ISSUER', env.VNEID_SIM_ISSUER) : undefined,
    client: {
      client_id: env.VNEID_SIM_CLIENT_ID || 'bhxh-id',
      client_secret: secret ?? crypto.randomBytes(32).toString('base64url'),
      redirect_uris: urlList(
        'VNEID_SIM_REDIRECT_URIS',
        env.VNEID_SIM_REDIRECT_URIS || 'http://localhost:3000/federation/vneid/callback',
      ),
      post_logout_redirect_uris: urlList(
        'VNEID_SIM_POST_LOGOUT_REDIRECT_URIS',
        env.VNEID_SIM_POST_LOGOUT_REDIRECT_URIS || 'http://localhost:3000/federation/vneid/logged-out',
      ),
      ...(rsaPublicKey ? { rsa_public_key: rsaPublicKey } : {}),
    },
    secretGenerated: secret === undefined,
    behaviour,
  };
}

function banner(sim: VneidSimulator, settings: Settings): string {
  const { client } = settings;
  const b = sim.behaviour;
  const lines = [
    `VNeID simulator (giả lập) listening at ${sim.issuer}  — development only`,
    `  discovery:     ${sim.issuer}/.well-known/openid-configuration`,
    `  client:        ${client.client_id} (${b.profile === 'encrypted-oauth2' ? 'client_secret_post' : 'client_secret_basic'}; secret ${settings.secretGenerated ? 'generated at start' : 'from VNEID_SIM_CLIENT_SECRET'})`,
    `  redirect URIs: ${client.redirect_uris.join(', ')}`,
    `  logout URIs:   ${(client.post_logout_redirect_uris ?? []).join(', ')}`,
    `  behaviour:     claims=${b.claims} userinfoOnly=${b.userinfoOnly} iss=${b.issParameter && b.profile === 'oidc' ? 'on' : 'off'} failure=${b.failure}${b.failure === 'slow' ? ` delayMs=${b.delayMs}` : ''} profile=${b.profile}${b.tamper === 'none' ? '' : ` tamper=${b.tamper}`}`,
  ];
  if (b.userinfoOnly)
    lines.push(`                 (identity only from GET ${sim.issuer}/api/citizen; ask for scope "citizen")`);
  lines.push('', 'Test citizens:');
  for (const c of sim.citizens)
    lines.push(`  ${c.nationalId} (${maskNationalId(c.nationalId)})  ${c.fullName}  ${c.birthdate}  mức độ ${c.level}`);
  lines.push(
    '',
    'Give BHXH ID:',
    `  VNEID_ISSUER=${sim.issuer} VNEID_CLIENT_ID=${client.client_id} VNEID_CLIENT_SECRET=${client.client_secret}`,
  );
  if (b.profile === 'encrypted-oauth2')
    lines.push('  VNEID_PROFILE=encrypted-oauth2 VNEID_PRIVATE_KEY_FILE=<the matching private key PEM>');
  return lines.join('\n');
}

function onShutdown(sim: VneidSimulator): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: do not wait any longer
    stopping = true;
    console.log(`\n${signal}: stopping the VNeID simulator`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = readSettings(process.env, process.argv.slice(2));
  } catch (err) {
    // parseArgs throws TypeErrors with a readable message for unknown or malformed flags.
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
      console.error(`vneid-sim: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const sim = await startVneidSimulator({
    port: settings.port,
    host: settings.host,
    ...(settings.issuer ? { issuer: settings.issuer } : {}),
    clients: [settings.client],
    citizens: DEFAULT_CITIZENS.map((c) => ({ ...c })),
    behaviour: settings.behaviour,
  });
  console.log(banner(sim, settings));
  onShutdown(sim);
}

main().catch((err: unknown) => {
  console.error('vneid-sim failed to start:', err);
  process.exit(1);
});
