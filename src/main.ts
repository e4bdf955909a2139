// Starts the IdP: parse configuration, build the server, seed demo data in the embedded mode, listen, and shut down
// gracefully on SIGINT/SIGTERM.
// First: refuse an unsupported Node.js before anything else is loaded (src/core/node-runtime.ts).
import './core/require-supported-node.js';
import crypto from 'node:crypto';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import type { DemoCredentials, DemoMember } from './dev/seed-demo.js';
import { devCodeMissing } from './core/dev-code.js';
import { buildServer } from './app/server.js';
import type { VneidSimulator } from './dev/vneid-sim/simulator.js';
import { CALLBACK_PATH } from './flows/federation/routes.js';
import { LOGGED_OUT_PATH } from './flows/federation/upstream-logout.js';

/** A demo member's password as it stands: printed only while it is the one the seed set (src/dev/seed-demo.ts). */
function memberLine(m: DemoMember): string {
  if ('changed' in m)
    return 'password: changed since the first start, not shown ("Quên mật khẩu?" on the sign-in page sends a code to /dev/mailbox)';
  const notes = [
    ...(m.temporary ? ['temporary: a new one is chosen at the first sign-in'] : []),
    ...(m.disabled ? ['the account is disabled'] : []),
  ];
  return `password: ${m.password}${notes.length ? `  (${notes.join('; ')})` : ''}`;
}

/**
 * How to play the carrier against this server (`bhxh-id dev sms|call`, as the first demo member), for each channel that
 * is on: in the embedded development default both are, with secrets generated in the data folder.
 */
function channelLines(config: Config, member: DemoMember | undefined): string[] {
  if (!member?.phoneNumber?.startsWith('+84')) return [];
  const phone = `0${member.phoneNumber.slice(3)}`;
  const lines = [
    ...(config.smsInbound.enabled
      ? [
          `  npx bhxh-id dev sms --from ${phone} --text "BH MK ${member.bhxhNumber}"`,
          '    the SMS keyword to 8079: a temporary password comes back by SMS, at /dev/mailbox',
        ]
      : []),
    ...(config.voice.enabled
      ? [
          `  npx bhxh-id dev call --caller ${phone} --verified --digits ${member.bhxhNumber}#`,
          '    the 1900 9068 hotline (key 8): the assistant reads a temporary password to the verified caller',
        ]
      : []),
  ];
  return lines.length ? ['', 'Try the phone channels without a carrier (in another terminal):', ...lines] : [];
}

function banner(config: Config, demo: DemoCredentials | undefined, sim: VneidSimulator | undefined): string {
  const { issuer } = config;
  const lines = [
    `BHXH ID is listening at ${issuer} (Node.js ${process.versions.node})`,
    `  discovery: ${issuer}/.well-known/openid-configuration`,
  ];
  if (sim) {
    lines.push(
      '',
      `VNeID simulator (development only) at ${sim.issuer}: the sign-in page's VNeID button goes there. Test citizens:`,
    );
    for (const c of sim.citizens) lines.push(`  ${c.fullName}  số định danh ${c.nationalId}  level ${c.level}`);
  }
  if (demo) {
    lines.push('', 'Demo members (embedded mode only):');
    for (const m of demo.members) lines.push(`  mã số BHXH ${m.bhxhNumber} (${m.fullName})  ${memberLine(m)}`);
    lines.push('', 'Demo clients:');
    for (const c of demo.clients) {
      const secret = c.clientSecret
        ? `  secret: ${c.clientSecret}`
        : c.secretUnknown
          ? '  secret: not shown (the client was registered again since the first start)'
          : '';
      lines.push(`  ${c.clientId}${secret}`, `    redirect URIs: ${c.redirectUris.join('  ') || '(none)'}`);
    }
    lines.push(...channelLines(config, demo.members[0]));
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'vssid',
      response_type: 'code',
      scope: 'openid profile phone email bhxh',
      redirect_uri: 'http://127.0.0.1:8765/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: crypto.randomBytes(8).toString('hex'),
    }).toString();
    lines.push(
      '',
      'Open this URL to sign in as the VssID app would (PKCE verifier for the token request below):',
      `  ${url.href}`,
      `  code_verifier: ${verifier}`,
    );
    lines.push('  After sign-in the browser goes to http://127.0.0.1:8765/callback?code=…; exchange the code with:');
    lines.push(
      `  curl -s ${issuer}/token -d grant_type=authorization_code -d client_id=vssid -d redirect_uri=http://127.0.0.1:8765/callback -d code_verifier=${verifier} -d code=CODE`,
    );
  }
  return lines.join('\n');
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) console.error(`config error: ${problem}`);
      process.exit(1);
    }
    throw err;
  }
  // The embedded default offers the built-in VNeID simulator, so a newcomer can try the VNeID button at once.
  // NOTE: the simulator and the demo seed are dev-only code (src/dev/, left out of the production build): loaded by
  // dynamic import only when configuration asks for them (never in production, src/config/config.ts refuses it).
  const simulator = config.simulator;
  const sim = simulator
    ? await (async () => {
        const [{ startVneidSimulator }, { DEFAULT_CITIZENS }] = await Promise.all([
          import('./dev/vneid-sim/simulator.js'),
          import('./dev/vneid-sim/citizens.js'),
        ]).catch(devCodeMissing('the VNeID simulator (VNEID_SIMULATOR)'));
        // VNEID_PROFILE=encrypted-oauth2 with the built-in simulator: it speaks that profile to our public key.
        const encrypted = config.vneid?.profile === 'encrypted-oauth2' && config.vneid.privateKeyPem;
        return startVneidSimulator({
          port: simulator.port,
          citizens: DEFAULT_CITIZENS,
          ...(encrypted ? { behaviour: { profile: 'encrypted-oauth2' as const } } : {}),
          clients: [
            {
              client_id: simulator.clientId,
              client_name: 'BHXH ID',
              client_secret: simulator.clientSecret,
              redirect_uris: [`${config.issuer}${CALLBACK_PATH}`],
              post_logout_redirect_uris: [`${config.issuer}${LOGGED_OUT_PATH}`],
              ...(encrypted
                ? {
                    rsa_public_key: crypto
                      .createPublicKey(encrypted)
                      .export({ type: 'spki', format: 'pem' })
                      .toString(),
                  }
                : {}),
            },
          ],
        }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EADDRINUSE') throw err;
          throw new Error(
            `the VNeID simulator cannot listen on port ${simulator.port}: set VNEID_SIMULATOR_PORT to a free port, or VNEID_SIMULATOR=false`,
          );
        });
      })()
    : undefined;
  const server = await buildServer(config);
  const { deps } = server;
  let demo: DemoCredentials | undefined;
  if (config.seedDemo) {
    const { seedDemo } = await import('./dev/seed-demo.js').catch(devCodeMissing('the demo seed (SEED_DEMO)'));
    demo = await seedDemo(deps, config.issuer, config.dataDir);
  }
  await server.listen(config.port);
  deps.logger.info({ issuer: config.issuer, port: config.port, database: config.database.kind }, 'listening');
  console.log(banner(server.config, demo, sim));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    Promise.all([server.close(), sim?.close()]).then(
      () => process.exit(0),
      (err) => {
        deps.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof DataDirLockedError) console.error(`error: ${err.message}`);
  else console.error(`error: could not start: ${(err as Error).message}`);
  process.exit(1);
});
