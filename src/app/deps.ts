// The services the composition root (src/app/server.ts) assembles once: the bag from which the route table
// (src/app/routes.ts) hands each flow, channel and method the few services its own deps type declares. Only src/app/
// imports this type.
import type { ProviderDocuments } from '../http/provider-documents.js';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AccountRepository } from '../accounts/account-repository.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientRepository } from '../clients/client-repository.js';
import type { ResourceServerRepository } from '../clients/resource-server-repository.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { FlowStore } from '../flows/flow-store.js';
import type { LoginThrottle } from '../flows/login/login-throttle.js';
import type { Csrf } from '../http/csrf.js';
import type { Metrics } from '../http/observability.js';
import type { PasswordHasher } from '../methods/password/hasher.js';
import type { Clock } from '../core/clock.js';
import type { Sealer } from '../keys/sealer.js';
import type { CodeStore } from '../methods/codes/code-store.js';
import type { AddressVerification } from '../methods/address-verification/address-verification.js';
import type { TemporaryPasswords } from '../methods/temporary-password/temporary-passwords.js';
import type { RecoveryMethod, RecoveryMethodId } from '../methods/recovery-method.js';
import type { Outbox } from '../notify/outbox.js';
import type { ChannelRequests } from '../channels/channel-requests.js';
import type { VoicePasswordReset } from '../channels/voice-password-reset.js';
import type { Captcha, CaptchaGate } from '../methods/captcha/captcha.js';
import type { Throttle } from '../security/throttle.js';
import type Router from '@koa/router';
import type { KeyLifecycle } from '../keys/lifecycle.js';
import type { Federation } from '../flows/federation/federation.js';
import type { FederatedIdentities } from '../accounts/federated-identities.js';
import type { RevokeAccountOptions } from '../oidc/revoke-account.js';
import type { AccountSessions } from '../oidc/account-sessions.js';

export interface AppDeps {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Waits before answering (progressive delays); tests inject one that records instead of sleeping. */
  sleep: (ms: number) => Promise<void>;
  accounts: AccountRepository;
  clients: ClientRepository;
  resourceServers: ResourceServerRepository;
  hasher: PasswordHasher;
  loginThrottle: LoginThrottle;
  /** The one throttle of every per-address and per-identifier limit (src/security/throttle.ts). */
  throttle: Throttle;
  flows: FlowStore;
  audit: AuditLog;
  csrf: Csrf;
  outbox: Outbox;
  codes: CodeStore;
  /** A member proves an email or phone on file with a code (the account page will call it). */
  addressVerification: AddressVerification;
  temporaryPasswords: TemporaryPasswords;
  /** The VNeID links (a password change removes the ones made with a password, configured upstream or not). */
  federatedIdentities: FederatedIdentities;
  /** Once per carrier message or call id (SMS keyword, hotline). */
  channelRequests: ChannelRequests;
  /** Keys the hashes of senders and BHXH numbers kept for the SMS keyword's hourly limits. */
  smsInboundKey: Buffer;
  /** The hotline's password-reset dialogue (src/channels/voice-password-reset.ts). */
  voice: VoicePasswordReset;
  /** Seals secrets at rest (upstream ID tokens kept for logout). */
  sealer: Sealer;
  recoveryMethods: Record<RecoveryMethodId, RecoveryMethod>;
  captcha: CaptchaGate;
  /** Issues captcha challenges (GET /captcha/challenge). */
  captchaChallenges: Pick<Captcha, 'challenge'>;
  /** Set outside production when mail goes to the dev mailbox: registers GET /dev/mailbox (src/dev/mailbox-routes.ts,
   * loaded by the composition root, src/server.ts, so src/http never imports src/dev). */
  devRoutes?: (router: Router) => void;
  /** Sign in with VNeID, when configured (VNEID_ISSUER, or the simulator in the embedded default). */
  federation?: Federation;
  /** Staging, activating, retiring and revoking keys (the admin API; set by the composition root). */
  keyLifecycle?: KeyLifecycle;
  /** The provider serving now; a key change swaps it (see docs/architecture.md). */
  provider: () => Provider;
  /** Ends every session, grant and token of an account, on the provider serving now (src/oidc/revoke-account.ts). */
  revokeAccount: (
    accountId: string,
    options?: RevokeAccountOptions,
  ) => Promise<{ sessions: number; artifacts: number }>;
  /** A member's sessions and apps with access: list and end them (src/oidc/account-sessions.ts; the CLI's too). */
  accountSessions: AccountSessions;
  /** Discovery and JWKS as each provider instance first answered them (src/http/provider-documents.ts). */
  documents: ProviderDocuments;
}
