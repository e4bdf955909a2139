// The composition root of a node: wires configuration, database, key store, the shared services (services.ts, which
// the CLI builds too), throttles, flows, channels, the provider and the HTTP app (routes.ts). Nothing outside src/app/
// constructs services; tests call buildServer() with their own configuration and clock.
import crypto from 'node:crypto';
import http from 'node:http';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { AppDeps } from './deps.js';
import { withClientCache } from '../clients/client-cache.js';
import { accountClientMetadata, withBuiltInClients } from '../clients/built-in-clients.js';
import { createChangeFeed, createPgliteChangeFeed } from '../db/change-feed.js';
import { pgliteOf } from '../db/database.js';
import { type AccountCache, createAccountCache } from '../accounts/account-cache.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import { openAndMigrate } from '../db/open-and-migrate.js';
import { resolveEncryptionKey } from '../keys/encryption-key.js';
import { createFlowStore } from '../flows/flow-store.js';
import { createLoginThrottle } from '../flows/login/login-throttle.js';
import { jwksCacheControl, notFoundPage } from '../http/middleware.js';
import { createApp } from './routes.js';
import { providerDocuments } from '../http/provider-documents.js';
import { securityHeaderList } from '../http/security-headers.js';
import { createCsrf } from '../http/csrf.js';
import { createLogger, createMetrics } from '../http/observability.js';
import { ensureActiveKeys, loadProviderKeys, type ProviderKeys } from '../keys/key-store.js';
import type { KeyLifecycle } from '../keys/lifecycle.js';
import { buildSharedServices } from './services.js';
import { createKeyWatcher, type KeyWatcher } from '../keys/key-watcher.js';
import { createSealer, type Sealer } from '../keys/sealer.js';
import { sweepExpiredPayloads } from '../oidc/adapter.js';
import { systemClock, type Clock } from '../core/clock.js';
import { buildProvider, mayIntrospect } from '../oidc/provider.js';
import { carryLogoutLocale } from '../oidc/logout-language.js';
import { installResumeCredentialCheck } from '../oidc/resume-credential-check.js';
import { installJwtIntrospection } from '../oidc/jwt-access-tokens.js';
import { createCodeStore, sweepExpiredCodes } from '../methods/codes/code-store.js';
import { createAddressVerification } from '../methods/address-verification/address-verification.js';
import { createChannelRequests } from '../channels/channel-requests.js';
import { createEmailRecoveryMethod } from '../methods/email-code/email-recovery-method.js';
import { createSmsRecoveryMethod } from '../methods/sms-code/sms-recovery-method.js';
import { createCaptcha } from '../methods/captcha/captcha.js';
import { createOutboxWorker, sweepFinishedOutbox, type OutboxWorker } from '../notify/outbox.js';
import { createSmtpSender } from '../notify/email-senders.js';
import type { DevMailbox } from '../dev/mailbox.js';
import { devCodeMissing } from '../core/dev-code.js';
import { createHttpSmsGateway } from '../notify/sms-gateway.js';
import { sweepSmsInbound } from '../channels/sms-inbound.js';
import { createVoicePasswordReset, sweepVoiceCalls } from '../channels/voice-password-reset.js';
import { withWebhookSecrets } from '../channels/webhook-secrets.js';
import { captchaField } from '../../views/captcha.js';
import { revokeAccount } from '../oidc/revoke-account.js';
import { createAccountSessions } from '../oidc/account-sessions.js';
import { createSessionDevices, installSessionDevices, sweepOrphanSessionDevices } from '../oidc/session-devices.js';
import path from 'node:path';
import { createVneidUpstream } from '../methods/vneid/upstream-client.js';
import { CALLBACK_PATH } from '../flows/federation/routes.js';
import {
  endsUpstreamSession,
  installUpstreamLogout,
  LOGGED_OUT_PATH,
  sweepOrphanUpstreamSessions,
} from '../flows/federation/upstream-logout.js';
import { markIfUnavailable, providerUnavailable } from '../http/unavailable.js';
import { createThrottle, sweepThrottleHits } from '../security/throttle.js';

export interface ServerOptions {
  clock?: Clock;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** An already open database (tests share one across servers to play several nodes). */
  db?: Db;
  /** Start background workers (the outbox, the key schedule). Tests turn this off and call `outboxWorker.runOnce()`
   * or `keys.lifecycle.tick()`. @default true */
  startWorkers?: boolean;
  /** Watch the keys table (LISTEN + polling) and swap the provider on a change. @default true */
  watchKeys?: boolean;
}

export interface Server {
  config: Config;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  db: Db;
  sealer: Sealer;
  outboxWorker: OutboxWorker;
  keys: { lifecycle: KeyLifecycle; watcher: KeyWatcher; current(): ProviderKeys };
  /** What the provider reads of accounts, kept in memory while the change feed listens. */
  accountCache: AccountCache;
  /** Where mail and SMS go without SMTP_URL (outside production). */
  devMailbox?: DevMailbox;
  /** Starts listening; resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting connections, finishes requests in flight, then closes the database. */
  close(): Promise<void>;
}

export async function buildServer(given: Config, options: ServerOptions = {}): Promise<Server> {
  const logger = options.logger ?? createLogger(given.logLevel);
  // In the embedded development default, the webhook secrets not set are generated in the data folder (the dev
  // commands read them there); anywhere else this is the configuration as given.
  const config = withWebhookSecrets(given, { create: true, logger });
  const clock = options.clock ?? systemClock;
  let release = () => {};
  let db = options.db;
  if (!db) ({ db, release } = await openAndMigrate(config));

  const sealer = createSealer(resolveEncryptionKey(config, logger), config.previousKeysEncryptionKeys);
  const created = await ensureActiveKeys(db, sealer, clock.now());
  const shared = buildSharedServices(config, { db, sealer, clock });
  const { audit, accounts, resourceServers, outbox, hasher, temporaryPasswords } = shared;
  for (const kid of created) await audit.record({ type: 'key.created', detail: { kid, reason: 'first start' } });
  let keys = await loadProviderKeys(db, sealer);

  // One LISTEN connection for the changes other nodes make (keys, clients, accounts); PGlite hears its own NOTIFY.
  const pglite = pgliteOf(db);
  const feed =
    config.database.kind === 'postgres'
      ? createChangeFeed({ listenUrl: config.database.url, logger })
      : pglite
        ? createPgliteChangeFeed(pglite)
        : undefined;
  // What the provider reads of an account per userinfo and refresh, kept while the feed listens (accounts/account-cache.ts).
  const accountCache = createAccountCache(accounts, {
    ttlMs: config.accountCacheSeconds * 1000,
    now: () => clock.now().getTime(),
    feed,
  });
  const clients = withClientCache(shared.clients, {
    ttlMs: config.clientCacheSeconds * 1000,
    now: () => clock.now().getTime(),
    feed,
  });
  // Secrets derived from the key store's internal secret (shared by all nodes, sealed at rest, never rotated).
  const internalSecret = keys.internalSecret;
  const derive = (label: string) => crypto.createHmac('sha256', internalSecret).update(`bhxh-id ${label}`).digest();
  const csrfSecret = derive('csrf');
  // With the dev mailbox on (config.devMailbox: the embedded development default, or DEV_MAILBOX=true outside
  // production), whatever has no real transport (no SMTP_URL, no SMS_GATEWAY_URL) goes there. Without it, messages for
  // a channel with no transport wait in the outbox and fail as undeliverable.
  // NOTE: dev-only code (src/dev/), left out of the production build: loaded by dynamic import only in that case.
  let devMailbox: DevMailbox | undefined;
  let devRoutes: AppDeps['devRoutes'];
  if (config.devMailbox && !config.production) {
    const [{ createDevMailbox }, { registerDevMailboxRoutes }] = await Promise.all([
      import('../dev/mailbox.js'),
      import('../dev/mailbox-routes.js'),
    ]).catch(devCodeMissing('the dev mailbox (DEV_MAILBOX)'));
    const mailbox = createDevMailbox(path.join(config.dataDir, 'mailbox'), clock);
    devMailbox = mailbox;
    devRoutes = (router) => registerDevMailboxRoutes(router, mailbox);
  }
  const smtpSender = config.mail.smtpUrl
    ? createSmtpSender({
        smtpUrl: config.mail.smtpUrl,
        from: config.mail.from,
        timeoutMs: config.mail.smtpTimeoutMs,
        requireTls: config.mail.requireTls,
      })
    : undefined;
  const emailSender = smtpSender ?? devMailbox?.email;
  const smsSender = config.smsGateway
    ? createHttpSmsGateway({
        url: config.smsGateway.url,
        secret: config.smsGateway.secret!,
        timeoutMs: config.smsGateway.timeoutMs,
        clock,
      })
    : devMailbox?.sms;
  if (!emailSender)
    logger.warn('no mail transport (SMTP_URL) and no dev mailbox (DEV_MAILBOX): email will not be delivered');
  if (!smsSender)
    logger.warn('no SMS transport (SMS_GATEWAY_URL) and no dev mailbox (DEV_MAILBOX): SMS will not be delivered');
  const outboxWorker = createOutboxWorker({
    db,
    sealer,
    clock,
    senders: { ...(emailSender ? { email: emailSender } : {}), ...(smsSender ? { sms: smsSender } : {}) },
    logger,
    options: {
      pollIntervalMs: config.mail.pollMs,
      batchSize: config.outbox.batchSize,
      maxAttempts: config.outbox.maxAttempts,
      leaseSeconds: config.outbox.leaseSeconds,
      baseBackoffSeconds: config.outbox.backoffBaseSeconds,
      maxBackoffSeconds: config.outbox.backoffMaxSeconds,
    },
  });
  // Every per-address and per-identifier limit counts through this one throttle (src/security/throttle.ts).
  const throttle = createThrottle({ key: derive('throttle'), clock });
  const captcha = createCaptcha({
    db,
    hmacKey: derive('captcha'),
    clock,
    maxNumber: config.captcha.maxNumber,
    noJsMaxPerHourPerIp: config.captcha.noJsPerIpPerHour,
    throttle,
  });

  // Once per carrier message or call id (the SMS keyword and the hotline share it).
  const channelRequests = createChannelRequests(db, clock);
  let provider: Provider;
  const metrics = createMetrics();
  // What each provider session was seen from (the account page's "where you are signed in").
  const devices = createSessionDevices(db, clock);
  const deps: AppDeps = {
    config,
    db,
    logger,
    metrics,
    clock,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    accounts,
    clients,
    resourceServers,
    hasher,
    loginThrottle: createLoginThrottle(db, config.loginThrottle, throttle),
    throttle,
    flows: createFlowStore(db, clock),
    audit,
    csrf: createCsrf(csrfSecret),
    outbox,
    codes: createCodeStore(db, clock, derive('codes'), config.recovery, { throttle }),
    addressVerification: createAddressVerification({
      db,
      accounts,
      codes: createCodeStore(db, clock, derive('address-verification'), config.recovery, {
        purpose: 'address_verification',
        throttle,
      }),
      clock,
      outbox,
      audit,
      issuer: config.issuer,
      secret: derive('address-verification'),
      options: config.recovery,
      phoneCoolingSeconds: config.account.phoneCoolingSeconds,
    }),
    channelRequests,
    temporaryPasswords,
    federatedIdentities: shared.federatedIdentities,
    smsInboundKey: derive('sms-inbound'),
    voice: createVoicePasswordReset({
      clock,
      accounts,
      channelRequests,
      temporaryPasswords,
      audit,
      sealer,
      key: derive('voice'),
      options: config.voice,
      throttle,
      phoneCoolingSeconds: config.account.phoneCoolingSeconds,
    }),
    sealer,
    recoveryMethods: {
      'email-code': createEmailRecoveryMethod(outbox, config.issuer),
      'sms-code': createSmsRecoveryMethod(outbox),
    },
    captcha: {
      verify: (payload, ip) => captcha.verify(payload, ip),
      field: (page) => captchaField({ locale: page.locale, noScript: page.t('recovery.captcha_noscript') }),
    },
    captchaChallenges: captcha,
    devRoutes,
    ...(config.vneid
      ? {
          federation: {
            upstream: createVneidUpstream(config.vneid, {
              redirectUri: `${config.issuer}${CALLBACK_PATH}`,
              postLogoutRedirectUri: `${config.issuer}${LOGGED_OUT_PATH}`,
              // Plain http to the upstream only outside production (the simulator, a test upstream).
              allowHttp: !config.production,
            }),
            identities: shared.federatedIdentities,
          },
        }
      : {}),
    provider: () => provider,
    revokeAccount: (accountId, revokeOptions) =>
      revokeAccount({ db, provider, logger, devices }, accountId, revokeOptions),
    accountSessions: createAccountSessions({
      db,
      clock,
      logger,
      audit,
      outbox,
      issuer: config.issuer,
      devices,
      clients,
      provider: () => provider,
    }),
    documents: providerDocuments({
      issuer: config.issuer,
      trustProxy: config.trustProxy,
      trustedProxyHops: config.trustedProxyHops,
      current: () => provider,
      headers: [
        ...securityHeaderList({ https: config.https }),
        ...(config.nodeName ? ([['X-Served-By', config.nodeName]] as Array<[string, string]>) : []),
      ],
      metrics,
      logger,
    }),
  };

  // One storage for every provider instance (a key change swaps the provider, not what it stores through).
  // The provider also knows the clients that are part of BHXH ID (the account page: clients/built-in-clients.ts).
  const storage = await shared.providerStorage(withBuiltInClients(clients, [accountClientMetadata(config.issuer)]));
  /** A provider for a key snapshot, with everything we hook into it. Every instance shares the database. */
  function providerFor(snapshot: ProviderKeys): Provider {
    const p = buildProvider({
      config,
      storage,
      keys: snapshot,
      accounts: accountCache,
      resourceServers,
      logger,
      endsUpstreamSession: (sessionUid) => endsUpstreamSession(deps, sessionUid),
    });
    // Outermost: a 500 caused by an unreachable database becomes a 503 with Retry-After (src/http/unavailable.ts).
    p.use(providerUnavailable());
    p.on('server_error', markIfUnavailable);
    // Inside the 503 wrapper: introspection of our JWT access tokens reads the database too.
    installJwtIntrospection(p, {
      store: storage.jwtAccessTokens,
      keys: snapshot,
      issuer: config.issuer,
      clock,
      mayIntrospect,
    });
    p.use(deps.documents.remember);
    p.use(notFoundPage());
    p.use(jwksCacheControl(config.keys.jwksMaxAgeSeconds));
    installUpstreamLogout(deps, p);
    // Inside the upstream logout's swap, so that its return address carries the language too.
    p.use(carryLogoutLocale());
    installResumeCredentialCheck(p, { accounts });
    // Outside the credential check, so a resume it undoes (409) records no device.
    installSessionDevices(p, { devices, logger });
    p.on('server_error', (_ctx, err) => logger.error({ err }, 'provider server_error'));
    p.on('grant.revoked', (_ctx, grantId) => logger.info({ grantId }, 'grant revoked'));
    p.on('backchannel.error', (_ctx, err, client) =>
      logger.warn({ err: String(err), clientId: client.clientId }, 'back-channel logout failed'),
    );
    p.on('end_session.success', (ctx) => {
      void audit
        .record({
          type: 'logout',
          accountId: ctx.oidc.session?.accountId ?? null,
          clientId: ctx.oidc.client?.clientId ?? null,
          ip: ctx.ip,
        })
        .catch(() => {});
    });
    return p;
  }
  provider = providerFor(keys);

  // A key change anywhere reaches this node through the watcher, which swaps in a provider built from the new
  // snapshot between two requests (docs/architecture.md, "Keys"). Requests already inside the old one finish there.
  const reloadKeys = async () => {
    const next = await loadProviderKeys(db!, sealer);
    if (next.fingerprint === keys.fingerprint) return;
    provider = providerFor(next);
    keys = next;
    logger.info({ keys: next.fingerprint }, 'keys changed: serving a provider with the new key set');
  };
  const keyWatcher = createKeyWatcher({
    db,
    feed,
    pollMs: config.keys.pollMs,
    logger,
    current: () => keys.fingerprint,
    reload: reloadKeys,
  });
  const keyLifecycle = shared.keyLifecycle(() => void keyWatcher.check());

  deps.keyLifecycle = keyLifecycle;

  const app = createApp(deps);
  if (options.startWorkers !== false) outboxWorker.start();
  feed?.start(config.keys.pollMs);
  if (options.watchKeys !== false) keyWatcher.start();
  // The schedule: every node looks now and then; the advisory lock makes each step happen once.
  const lifecycleTimer =
    options.startWorkers !== false
      ? setInterval(
          () => void keyLifecycle.tick().catch((err) => logger.warn({ err }, 'key lifecycle step failed')),
          config.keys.checkSeconds * 1000,
        )
      : undefined;
  lifecycleTimer?.unref();
  const handle = app.callback();
  // Discovery and JWKS, once the provider has answered them, are written directly (src/http/provider-documents.ts).
  const server = http.createServer((req, res) => {
    if (!deps.documents.answer(req, res)) void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;

  // Expired artifacts and flows are swept every few minutes (any node may do it; deletes are idempotent).
  const sweeper = setInterval(() => {
    Promise.all([
      sweepExpiredPayloads(db, clock),
      deps.flows.sweepExpired(),
      sweepFinishedOutbox(db, clock, config.outbox.retentionSeconds),
      sweepSmsInbound(db, clock),
      sweepVoiceCalls(db, clock),
      sweepThrottleHits(db, clock),
      sweepExpiredCodes(db, clock),
      sweepOrphanUpstreamSessions(db),
      sweepOrphanSessionDevices(db),
    ]).catch((err) => logger.warn({ err }, 'sweep failed'));
  }, 5 * 60_000);
  sweeper.unref();

  return {
    config,
    deps,
    app,
    db,
    sealer,
    outboxWorker,
    ...(devMailbox ? { devMailbox } : {}),
    listen(port = config.port, host?: string) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      });
    },
    keys: { lifecycle: keyLifecycle, watcher: keyWatcher, current: () => keys },
    accountCache,
    async close() {
      clearInterval(sweeper);
      if (lifecycleTimer) clearInterval(lifecycleTimer);
      await keyWatcher.stop();
      await feed?.stop();
      await outboxWorker.stop();
      smtpSender?.close();
      if (server.listening) {
        await new Promise<void>((resolve) => {
          // Requests in flight finish; a keep-alive connection is closed as soon as its last response has gone
          // (checked every 50 ms), not when its keep-alive timeout (65 s) runs out.
          const idle = setInterval(() => server.closeIdleConnections(), 50);
          server.close(() => {
            clearInterval(idle);
            resolve();
          });
          server.closeIdleConnections();
        });
      }
      if (!options.db) {
        await db.destroy();
        release();
      }
    },
  };
}
