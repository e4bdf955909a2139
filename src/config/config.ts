// Parses the environment once into a typed Config. Nothing else reads process.env.
import os from 'node:os';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (def: number, min = 0) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min))
    .default(def);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0).pipe(z.number().max(65535)),
  ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_MAX: int(10, 1),
  DATA_DIR: z.string().min(1).default('./data'),
  ALLOW_EMBEDDED_IN_PRODUCTION: bool.default(false),
  KEYS_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
    .optional(),
  // Encryption keys being replaced (comma list, same format): still accepted to open sealed values until
  // `bhxh-id keys reencrypt` has moved everything to KEYS_ENCRYPTION_KEY.
  KEYS_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=(,[A-Za-z0-9+/]{43}=)*$/, 'must be a comma list of 32-byte base64 keys')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // How many reverse proxies in front of us append to X-Forwarded-For; the client address is the entry the outermost
  // of them appended (counted from the right). 0: the socket's address. TRUST_PROXY=true is the old spelling of 1.
  TRUSTED_PROXY_HOPS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().max(10))
    .optional(),
  TRUST_PROXY: bool.optional(),
  NODE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore (at most 64)')
    .optional(),
  SEED_DEMO: bool.optional(),
  // The dev mailbox (/dev/mailbox): on by default only in the pure embedded development default (no DATABASE_URL, no
  // SMTP_URL, no SMS_GATEWAY_URL); refused in production.
  DEV_MAILBOX: bool.optional(),
  // Bearer token that /metrics demands (required for /metrics in production; without it, /metrics is off there).
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
  OUTBOUND_PRIVATE_HOSTS: z.string().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('BHXH ID <no-reply@localhost>'),
  OUTBOX_POLL_MS: int(1000, 50),
  SMTP_TIMEOUT_MS: int(10_000, 100),
  SMTP_REQUIRE_TLS: bool.optional(),
  OUTBOX_BATCH_SIZE: int(10, 1),
  OUTBOX_MAX_ATTEMPTS: int(10, 1),
  OUTBOX_LEASE_SECONDS: int(120, 10),
  OUTBOX_BACKOFF_BASE_SECONDS: int(30, 1),
  OUTBOX_BACKOFF_MAX_SECONDS: int(3600, 1),
  OUTBOX_RETENTION_DAYS: int(30, 1),

  RECOVERY_EMAIL_ENABLED: bool.default(true),
  RECOVERY_SMS_ENABLED: bool.default(true),
  RECOVERY_CODE_TTL_SECONDS: int(600, 60),
  RECOVERY_CODE_MAX_ATTEMPTS: int(5, 1),
  RECOVERY_CODE_COOLDOWN_SECONDS: int(60, 0),
  RECOVERY_CODES_PER_ACCOUNT_PER_HOUR: int(5, 1),
  RECOVERY_CODES_PER_IP_PER_HOUR: int(20, 1),
  CAPTCHA_MAX_NUMBER: int(50000, 1000),
  TEMPORARY_PASSWORD_TTL_SECONDS: int(600, 60),
  SMS_GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMS_GATEWAY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SMS_GATEWAY_TIMEOUT_MS: int(5000, 100),
  SMS_INBOUND_ENABLED: bool.default(true),
  SMS_INBOUND_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SMS_INBOUND_PER_SENDER_PER_HOUR: int(5, 1),
  SMS_INBOUND_PER_NUMBER_PER_HOUR: int(5, 1),
  VOICE_ENABLED: bool.default(true),
  VOICE_READ_ALOUD: bool.default(true),
  VOICE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  VOICE_PER_CALLER_PER_HOUR: int(5, 1),
  VOICE_PER_NUMBER_PER_HOUR: int(5, 1),
  // How long a finished call's reply (it may hold the password read aloud) is repeated to the same verified caller.
  VOICE_REPLAY_SECONDS: int(120, 0),
  CAPTCHA_NOJS_PER_IP_PER_HOUR: int(5, 0),

  ARGON2_MEMORY_KIB: int(19456, 19456),
  ARGON2_TIME_COST: int(2, 2),
  ARGON2_PARALLELISM: int(1, 1),
  // How many hashes one process runs at once; default: the CPUs it may use (os.availableParallelism()).
  ARGON2_MAX_CONCURRENCY: int(0, 0).optional(),

  LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR: int(100, 1),
  LOGIN_IP_MAX_FAILURES_PER_HOUR: int(1000, 1),
  LOGIN_FREE_FAILURES: int(3, 0),
  LOGIN_DELAY_BASE_MS: int(500, 0),
  LOGIN_DELAY_MAX_MS: int(8000, 0),

  // Sign-in with VNeID (federation). See README "Sign in with VNeID" for the claim mapping.
  VNEID_ENABLED: bool.optional(),
  VNEID_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  VNEID_CLIENT_ID: z.string().min(1).optional(),
  VNEID_CLIENT_AUTH: z.enum(['client_secret_basic', 'private_key_jwt']).default('client_secret_basic'),
  VNEID_CLIENT_SECRET: z.string().min(1).optional(),
  VNEID_CLIENT_PRIVATE_KEY: z.string().min(1).optional(),
  VNEID_SCOPE: z.string().min(1).optional(),
  VNEID_ID_TOKEN: bool.default(true),
  VNEID_CLAIMS_SOURCE: z.enum(['id_token', 'userinfo']).default('id_token'),
  VNEID_USERINFO_URL: z.url({ protocol: /^https?$/ }).optional(),
  // oidc: standard OpenID Connect (or OAuth 2.0 with clear userinfo); encrypted-oauth2: VNeID's encrypted profile.
  VNEID_PROFILE: z.enum(['oidc', 'encrypted-oauth2']).default('oidc'),
  // Encrypted profile: our RSA private key (PEM, PKCS#1 or PKCS#8), inline or from a file.
  VNEID_PRIVATE_KEY: z.string().min(1).optional(),
  VNEID_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  // Encrypted profile: endpoints when the upstream publishes no discovery document.
  VNEID_AUTHORIZATION_URL: z.url({ protocol: /^https?$/ }).optional(),
  VNEID_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Claim names; the defaults depend on VNEID_PROFILE (see CLAIM_DEFAULTS).
  VNEID_CLAIM_SUBJECT: z.string().min(1).optional(),
  VNEID_CLAIM_NATIONAL_ID: z.string().min(1).optional(),
  VNEID_CLAIM_NAME: z.string().min(1).optional(),
  VNEID_CLAIM_BIRTHDATE: z.string().min(1).optional(),
  VNEID_CLAIM_LEVEL: z.string().min(1).optional(),
  VNEID_LEVEL1_VALUES: z.string().min(1).default('1'),
  VNEID_LEVEL2_VALUES: z.string().min(1).default('2'),
  VNEID_TIMEOUT_MS: int(5000, 100),
  VNEID_UPSTREAM_LOGOUT: bool.default(true),
  VNEID_SIMULATOR: bool.optional(),
  VNEID_SIMULATOR_PORT: int(3100, 0).pipe(z.number().max(65535)),

  // Key lifecycle (see docs/operations.md).
  JWKS_MAX_AGE_SECONDS: int(600, 0),
  KEY_STAGING_SECONDS: int(3600, 0),
  KEY_ROTATION_INTERVAL_DAYS: int(90, 0).optional(),
  KEY_RETIREMENT_MARGIN_SECONDS: int(3600, 0),
  KEY_LIFECYCLE_CHECK_SECONDS: int(60, 1),
  KEY_POLL_MS: int(5000, 100),
  // How long a node may serve a relying party's registration from memory (changes also arrive by NOTIFY).
  CLIENT_CACHE_SECONDS: int(60, 0),
  ACCOUNT_CACHE_SECONDS: int(300, 0),

  ACCESS_TOKEN_TTL_SECONDS: int(600, 60),
  ID_TOKEN_TTL_SECONDS: int(600, 60),
  REFRESH_TOKEN_TTL_SECONDS: int(30 * 24 * 3600, 60),
  SESSION_TTL_SECONDS: int(14 * 24 * 3600, 60),
  INTERACTION_TTL_SECONDS: int(3600, 60),

  // The account page (/account): a sensitive change needs a sign-in within this many seconds (else the member
  // confirms the password or VNeID first); the page's own session ends after this much idle time; a phone number
  // changed there cannot receive a temporary password or reset code for this many hours (SIM-swap cooling-off).
  ACCOUNT_REAUTH_SECONDS: int(300, 0),
  ACCOUNT_IDLE_SECONDS: int(1800, 60),
  PHONE_CHANGE_COOLING_HOURS: int(72, 0),
});

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** The claim mapping's defaults per VNEID_PROFILE (each a list; the first claim present wins). */
const CLAIM_DEFAULTS = {
  oidc: {
    subject: 'sub',
    nationalId: 'citizenPid,SoDinhDanh',
    fullName: 'fullName,HoVaTen,name',
    birthdate: 'birthdate,NgaySinh',
    level: 'identificationLevel,MucDoDinhDanh',
  },
  // No ID token and no `sub`: the personal identification number is the subject.
  'encrypted-oauth2': {
    subject: 'citizenPid',
    nationalId: 'citizenPid',
    fullName: 'fullName',
    birthdate: 'birthDate',
    level: 'accountLevel',
  },
} as const;

/** The encrypted profile's private key PEM, from VNEID_PRIVATE_KEY or VNEID_PRIVATE_KEY_FILE (undefined if neither). */
function vneidPrivateKeyPem(env: z.infer<typeof EnvSchema>): string | undefined {
  if (env.VNEID_PRIVATE_KEY) return env.VNEID_PRIVATE_KEY.replace(/\\n/g, '\n');
  if (!env.VNEID_PRIVATE_KEY_FILE) return undefined;
  try {
    return fs.readFileSync(env.VNEID_PRIVATE_KEY_FILE, 'utf8');
  } catch {
    return '';
  }
}

/** Why a PEM is not an RSA private key (PKCS#1 or PKCS#8), or undefined when it is one. */
function rsaPrivateKeyProblem(pem: string): string | undefined {
  if (!pem) return 'cannot be read';
  try {
    const key = crypto.createPrivateKey({ key: pem, format: 'pem' });
    return key.asymmetricKeyType === 'rsa' ? undefined : 'must be an RSA private key';
  } catch {
    return 'is not a PEM private key (PKCS#1 or PKCS#8)';
  }
}

/**
 * VNeID federation settings. With no VNEID_ISSUER, the embedded default outside production runs the built-in
 * simulator (src/dev/vneid-sim) on VNEID_SIMULATOR_PORT with a client secret made up at start, so the button works at
 * once; VNEID_SIMULATOR=false turns that off, VNEID_ENABLED=false turns the button off altogether.
 */
function vneidConfig(env: z.infer<typeof EnvSchema>, embedded: boolean) {
  const simulate = !env.VNEID_ISSUER && (env.VNEID_SIMULATOR ?? (embedded && env.NODE_ENV === 'development'));
  const simulator = simulate
    ? {
        port: env.VNEID_SIMULATOR_PORT,
        clientId: 'bhxh-id',
        clientSecret: crypto.randomBytes(32).toString('base64url'),
      }
    : undefined;
  const issuer = env.VNEID_ISSUER ?? (simulator ? `http://localhost:${simulator.port}` : undefined);
  if (!issuer || env.VNEID_ENABLED === false) return { vneid: undefined, simulator: undefined };
  const encrypted = env.VNEID_PROFILE === 'encrypted-oauth2';
  const claimDefaults = CLAIM_DEFAULTS[env.VNEID_PROFILE];
  const vneid = {
    issuer: issuer.replace(/\/+$/, ''),
    clientId: env.VNEID_CLIENT_ID ?? simulator?.clientId ?? '',
    clientAuth:
      env.VNEID_CLIENT_AUTH === 'private_key_jwt'
        ? ({ method: 'private_key_jwt', privateKey: env.VNEID_CLIENT_PRIVATE_KEY ?? '' } as const)
        : ({
            method: 'client_secret_basic',
            secret: env.VNEID_CLIENT_SECRET ?? simulator?.clientSecret ?? '',
          } as const),
    profile: env.VNEID_PROFILE,
    /** Encrypted profile only: the PEM (checked at start by validate()); '' when a file could not be read. */
    privateKeyPem: env.VNEID_PROFILE === 'encrypted-oauth2' ? vneidPrivateKeyPem(env) : undefined,
    privateKeySetting: env.VNEID_PRIVATE_KEY ? 'VNEID_PRIVATE_KEY' : 'VNEID_PRIVATE_KEY_FILE',
    authorizationUrl: env.VNEID_AUTHORIZATION_URL,
    tokenUrl: env.VNEID_TOKEN_URL,
    /** An OAuth 2.0 upstream without ID tokens sets VNEID_ID_TOKEN=false (identity then comes from userinfo). */
    idToken: encrypted ? false : env.VNEID_ID_TOKEN,
    scope: env.VNEID_SCOPE ?? (env.VNEID_ID_TOKEN && !encrypted ? 'openid profile' : 'citizen'),
    claimsSource: env.VNEID_ID_TOKEN && !encrypted ? env.VNEID_CLAIMS_SOURCE : ('userinfo' as const),
    userinfoUrl: env.VNEID_USERINFO_URL,
    /** Each claim is a list of names; the first one present wins. */
    claims: {
      subject: list(env.VNEID_CLAIM_SUBJECT ?? claimDefaults.subject),
      nationalId: list(env.VNEID_CLAIM_NATIONAL_ID ?? claimDefaults.nationalId),
      fullName: list(env.VNEID_CLAIM_NAME ?? claimDefaults.fullName),
      birthdate: list(env.VNEID_CLAIM_BIRTHDATE ?? claimDefaults.birthdate),
      level: list(env.VNEID_CLAIM_LEVEL ?? claimDefaults.level),
    },
    levels: { 1: list(env.VNEID_LEVEL1_VALUES), 2: list(env.VNEID_LEVEL2_VALUES) },
    timeoutMs: env.VNEID_TIMEOUT_MS,
    /** The encrypted profile has no ID token and no end-session endpoint: ending our session is enough. */
    upstreamLogout: env.VNEID_UPSTREAM_LOGOUT && !encrypted,
  };
  return { vneid, simulator };
}

/** TRUSTED_PROXY_HOPS, or 1 for the deprecated TRUST_PROXY=true. */
function trustedProxyHops(env: z.infer<typeof EnvSchema>): number {
  return env.TRUSTED_PROXY_HOPS ?? (env.TRUST_PROXY ? 1 : 0);
}

export type VneidConfig = NonNullable<Config['vneid']>;

function toConfig(env: z.infer<typeof EnvSchema>) {
  const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const issuerUrl = new URL(issuer);
  const embedded = !env.DATABASE_URL;
  /** The pure embedded development default: not production, no database server, no mail or SMS transport. */
  const embeddedDevDefault = env.NODE_ENV === 'development' && embedded && !env.SMTP_URL && !env.SMS_GATEWAY_URL;
  const dataDir = path.resolve(env.DATA_DIR);
  /**
   * A carrier webhook's shared secret: the variable when set. NOTE: otherwise, only in the embedded development
   * default, a file in DATA_DIR that the server generates at its first start (src/channels/webhook-secrets.ts, as the
   * encryption key is) and `bhxh-id dev sms|call` reads, so the demo's channels work with no configuration. Anywhere
   * else (production, PostgreSQL, a real transport) a channel without its variable stays off.
   */
  const webhookSecret = (value: string | undefined, file: string) => ({
    secret: value,
    secretFile: value || !embeddedDevDefault ? undefined : path.join(dataDir, file),
  });
  return {
    env: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    issuer,
    https: issuerUrl.protocol === 'https:',
    /** Proxies trusted to append the client address to X-Forwarded-For (src/security/client-address.ts). */
    trustedProxyHops: trustedProxyHops(env),
    /** Whether any proxy is trusted (X-Forwarded-Proto/Host, X-Request-Id). */
    trustProxy: trustedProxyHops(env) > 0,
    /** This node's name in X-Served-By (behind a load balancer). */
    nodeName: env.NODE_NAME,
    logLevel: env.LOG_LEVEL,
    database: embedded
      ? ({ kind: 'pglite', dataDir: path.resolve(env.DATA_DIR) } as const)
      : ({ kind: 'postgres', url: env.DATABASE_URL!, poolMax: env.DATABASE_POOL_MAX } as const),
    dataDir,
    keysEncryptionKey: env.KEYS_ENCRYPTION_KEY ? Buffer.from(env.KEYS_ENCRYPTION_KEY, 'base64') : undefined,
    previousKeysEncryptionKeys: (env.KEYS_ENCRYPTION_KEY_PREVIOUS ?? '')
      .split(',')
      .filter(Boolean)
      .map((k) => Buffer.from(k, 'base64')),
    seedDemo: env.SEED_DEMO ?? (embedded && env.NODE_ENV !== 'production'),
    /**
     * NOTE: the dev mailbox shows every code and temporary password sent. It is on by default only where nothing
     * could be delivered anyway (development, embedded, no mail or SMS transport at all); once any real transport is
     * configured it stays off unless DEV_MAILBOX=true is given, and production refuses that.
     */
    devMailbox: env.DEV_MAILBOX ?? embeddedDevDefault,
    /** /metrics: open outside production unless a token is set; in production only with METRICS_TOKEN. */
    metrics: { token: env.METRICS_TOKEN, open: !env.METRICS_TOKEN && env.NODE_ENV !== 'production' },
    // Hosts on loopback or private networks that outbound calls (back-channel logout, jwks_uri) may reach; the
    // library blocks special-use addresses otherwise. Loopback is allowed outside production.
    outboundPrivateHosts: new Set(
      (env.OUTBOUND_PRIVATE_HOSTS ?? (env.NODE_ENV === 'production' ? '' : 'localhost,127.0.0.1,[::1]'))
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
    argon2: {
      memoryCost: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
      maxConcurrency: env.ARGON2_MAX_CONCURRENCY || os.availableParallelism(),
    },
    loginThrottle: {
      accountMaxFailuresPerHour: env.LOGIN_ACCOUNT_MAX_FAILURES_PER_HOUR,
      ipMaxFailuresPerHour: env.LOGIN_IP_MAX_FAILURES_PER_HOUR,
      freeFailures: env.LOGIN_FREE_FAILURES,
      delayBaseMs: env.LOGIN_DELAY_BASE_MS,
      delayMaxMs: env.LOGIN_DELAY_MAX_MS,
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      pollMs: env.OUTBOX_POLL_MS,
      smtpTimeoutMs: env.SMTP_TIMEOUT_MS,
      requireTls: env.SMTP_REQUIRE_TLS ?? env.NODE_ENV === 'production',
    },
    outbox: {
      batchSize: env.OUTBOX_BATCH_SIZE,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      leaseSeconds: env.OUTBOX_LEASE_SECONDS,
      backoffBaseSeconds: env.OUTBOX_BACKOFF_BASE_SECONDS,
      backoffMaxSeconds: env.OUTBOX_BACKOFF_MAX_SECONDS,
      retentionSeconds: env.OUTBOX_RETENTION_DAYS * 86400,
    },
    recovery: {
      /** The methods the reset page offers, in order (each channel can be switched off). */
      methods: [
        ...(env.RECOVERY_EMAIL_ENABLED ? (['email-code'] as const) : []),
        ...(env.RECOVERY_SMS_ENABLED ? (['sms-code'] as const) : []),
      ],
      ttlSeconds: env.RECOVERY_CODE_TTL_SECONDS,
      maxAttempts: env.RECOVERY_CODE_MAX_ATTEMPTS,
      cooldownSeconds: env.RECOVERY_CODE_COOLDOWN_SECONDS,
      perAccountPerHour: env.RECOVERY_CODES_PER_ACCOUNT_PER_HOUR,
      perIpPerHour: env.RECOVERY_CODES_PER_IP_PER_HOUR,
    },
    captcha: { maxNumber: env.CAPTCHA_MAX_NUMBER, noJsPerIpPerHour: env.CAPTCHA_NOJS_PER_IP_PER_HOUR },
    temporaryPasswords: { ttlSeconds: env.TEMPORARY_PASSWORD_TTL_SECONDS },
    smsGateway: env.SMS_GATEWAY_URL
      ? { url: env.SMS_GATEWAY_URL, secret: env.SMS_GATEWAY_SECRET, timeoutMs: env.SMS_GATEWAY_TIMEOUT_MS }
      : undefined,
    // Inbound channels answer only when switched on and given their shared secret (a webhook without a secret is off).
    smsInbound: {
      ...webhookSecret(env.SMS_INBOUND_SECRET, 'sms-inbound.secret'),
      enabled: env.SMS_INBOUND_ENABLED && Boolean(env.SMS_INBOUND_SECRET || embeddedDevDefault),
      perSenderPerHour: env.SMS_INBOUND_PER_SENDER_PER_HOUR,
      perNumberPerHour: env.SMS_INBOUND_PER_NUMBER_PER_HOUR,
    },
    voice: {
      ...webhookSecret(env.VOICE_WEBHOOK_SECRET, 'voice-webhook.secret'),
      enabled: env.VOICE_ENABLED && Boolean(env.VOICE_WEBHOOK_SECRET || embeddedDevDefault),
      readAloud: env.VOICE_READ_ALOUD,
      perCallerPerHour: env.VOICE_PER_CALLER_PER_HOUR,
      perNumberPerHour: env.VOICE_PER_NUMBER_PER_HOUR,
      replaySeconds: env.VOICE_REPLAY_SECONDS,
    },
    ...vneidConfig(env, embedded),
    keys: {
      jwksMaxAgeSeconds: env.JWKS_MAX_AGE_SECONDS,
      stagingSeconds: env.KEY_STAGING_SECONDS,
      // Automatic rotation is on with PostgreSQL (every 90 days), off in the embedded mode unless asked for.
      rotationIntervalSeconds: (env.KEY_ROTATION_INTERVAL_DAYS ?? (embedded ? 0 : 90)) * 86400,
      marginSeconds: env.KEY_RETIREMENT_MARGIN_SECONDS,
      checkSeconds: env.KEY_LIFECYCLE_CHECK_SECONDS,
      pollMs: env.KEY_POLL_MS,
    },
    clientCacheSeconds: env.CLIENT_CACHE_SECONDS,
    accountCacheSeconds: env.ACCOUNT_CACHE_SECONDS,
    account: {
      reauthSeconds: env.ACCOUNT_REAUTH_SECONDS,
      idleSeconds: env.ACCOUNT_IDLE_SECONDS,
      phoneCoolingSeconds: env.PHONE_CHANGE_COOLING_HOURS * 3600,
    },
    ttl: {
      accessToken: env.ACCESS_TOKEN_TTL_SECONDS,
      idToken: env.ID_TOKEN_TTL_SECONDS,
      refreshToken: env.REFRESH_TOKEN_TTL_SECONDS,
      session: env.SESSION_TTL_SECONDS,
      interaction: env.INTERACTION_TTL_SECONDS,
    },
  };
}

function isPrivateJwk(value: string): boolean {
  try {
    const jwk = JSON.parse(value) as Record<string, unknown>;
    return typeof jwk === 'object' && jwk !== null && typeof jwk.kty === 'string' && typeof jwk.d === 'string';
  } catch {
    return false;
  }
}

/** Parses and validates the environment. Every problem becomes one line naming the variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const config = toConfig(parsed.data);
  const problems: string[] = [];
  if (config.production) {
    const host = new URL(config.issuer).hostname;
    const local = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
    if (!config.https && !local)
      problems.push('ISSUER: must be https in production (http is allowed only for localhost)');
    if (!config.keysEncryptionKey) problems.push('KEYS_ENCRYPTION_KEY: is required in production');
    if (!config.mail.smtpUrl)
      problems.push('SMTP_URL: is required in production (mail would otherwise go to the dev mailbox)');
    if (!config.smsGateway)
      problems.push('SMS_GATEWAY_URL: is required in production (SMS codes and notices would otherwise go nowhere)');
    if (config.mail.from.includes('@localhost'))
      problems.push('MAIL_FROM: must be set to a real sender address in production');
    if (parsed.data.SEED_DEMO) problems.push('SEED_DEMO: demo members and clients cannot be created in production');
    if (parsed.data.DEV_MAILBOX)
      problems.push('DEV_MAILBOX: the dev mailbox shows codes and passwords; it cannot run in production');
    if (config.database.kind === 'pglite' && !parsed.data.ALLOW_EMBEDDED_IN_PRODUCTION) {
      problems.push('DATABASE_URL: is required in production (or set ALLOW_EMBEDDED_IN_PRODUCTION=true)');
    }
  }
  const { TRUST_PROXY, TRUSTED_PROXY_HOPS } = parsed.data;
  if (TRUST_PROXY !== undefined && TRUSTED_PROXY_HOPS !== undefined && TRUST_PROXY !== TRUSTED_PROXY_HOPS > 0) {
    problems.push(
      'TRUST_PROXY: contradicts TRUSTED_PROXY_HOPS (TRUST_PROXY is deprecated: set only TRUSTED_PROXY_HOPS)',
    );
  }
  if (config.voice.replaySeconds > config.temporaryPasswords.ttlSeconds) {
    problems.push(
      'VOICE_REPLAY_SECONDS: must not exceed TEMPORARY_PASSWORD_TTL_SECONDS (a repeat never outlives the password)',
    );
  }
  if (config.recovery.methods.length === 0)
    problems.push(
      'RECOVERY_EMAIL_ENABLED: at least one of RECOVERY_EMAIL_ENABLED and RECOVERY_SMS_ENABLED must be true',
    );
  if (config.smsGateway && !config.smsGateway.secret)
    problems.push('SMS_GATEWAY_SECRET: is required with SMS_GATEWAY_URL');
  if (config.smsGateway && config.outbox.leaseSeconds * 1000 <= config.smsGateway.timeoutMs)
    problems.push('OUTBOX_LEASE_SECONDS: must exceed SMS_GATEWAY_TIMEOUT_MS');
  if (config.outbox.leaseSeconds * 1000 <= 3 * config.mail.smtpTimeoutMs)
    problems.push('OUTBOX_LEASE_SECONDS: must exceed 3 × SMTP_TIMEOUT_MS');
  if (config.vneid) {
    const v = config.vneid;
    if (!v.clientId) problems.push('VNEID_CLIENT_ID: is required with VNEID_ISSUER');
    if (v.clientAuth.method === 'client_secret_basic' && !v.clientAuth.secret)
      problems.push('VNEID_CLIENT_SECRET: is required with VNEID_CLIENT_AUTH=client_secret_basic');
    if (v.clientAuth.method === 'private_key_jwt' && !isPrivateJwk(v.clientAuth.privateKey)) {
      problems.push(
        'VNEID_CLIENT_PRIVATE_KEY: must be a private JWK (JSON with "d") with VNEID_CLIENT_AUTH=private_key_jwt',
      );
    }
    if (config.production && !config.simulator && !v.issuer.startsWith('https://'))
      problems.push('VNEID_ISSUER: must be https in production');
    for (const [name, url] of [
      ['VNEID_AUTHORIZATION_URL', v.authorizationUrl],
      ['VNEID_TOKEN_URL', v.tokenUrl],
      ['VNEID_USERINFO_URL', v.userinfoUrl],
    ] as const) {
      if (config.production && url && !url.startsWith('https://'))
        problems.push(`${name}: must be https in production`);
    }
    if (v.profile === 'encrypted-oauth2') {
      if (v.clientAuth.method !== 'client_secret_basic')
        problems.push('VNEID_CLIENT_AUTH: the encrypted-oauth2 profile sends client_secret in the body');
      if (v.privateKeyPem === undefined)
        problems.push('VNEID_PRIVATE_KEY: is required (or VNEID_PRIVATE_KEY_FILE) with VNEID_PROFILE=encrypted-oauth2');
      else {
        const problem = rsaPrivateKeyProblem(v.privateKeyPem);
        if (problem) problems.push(`${v.privateKeySetting}: ${problem}`);
      }
    } else if (!v.idToken && v.scope.split(' ').includes('openid'))
      problems.push('VNEID_SCOPE: must not contain openid when VNEID_ID_TOKEN=false');
    if (v.levels[1].some((value) => v.levels[2].includes(value)))
      problems.push('VNEID_LEVEL2_VALUES: must not share a value with VNEID_LEVEL1_VALUES');
  }
  if (config.keys.stagingSeconds < config.keys.jwksMaxAgeSeconds) {
    problems.push(
      'KEY_STAGING_SECONDS: must be at least JWKS_MAX_AGE_SECONDS (a new key must be in every cache before it signs)',
    );
  }
  if (config.production && config.simulator)
    problems.push('VNEID_SIMULATOR: the VNeID simulator cannot run in production');
  if (new URL(config.issuer).search || new URL(config.issuer).hash)
    problems.push('ISSUER: must not have a query or fragment');
  if (problems.length) throw new ConfigError(problems);
  return config;
}
