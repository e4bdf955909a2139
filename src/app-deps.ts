// The services every route may use, assembled once by the composition root (src/server.ts).
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AccountRepository } from './accounts/account-repository.js';
import type { AuditLog } from './audit/audit-log.js';
import type { ClientRepository } from './clients/client-repository.js';
import type { ResourceServerRepository } from './clients/resource-server-repository.js';
import type { Config } from './config/config.js';
import type { Db } from './db/database.js';
import type { FlowStore } from './flows/flow-store.js';
import type { LoginThrottle } from './flows/login/login-throttle.js';
import type { Csrf } from './http/csrf.js';
import type { Metrics } from './http/observability.js';
import type { PasswordHasher } from './methods/password/hasher.js';
import type { Clock } from './oidc/adapter.js';

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
  flows: FlowStore;
  audit: AuditLog;
  csrf: Csrf;
  /** The provider serving now; a key change swaps it (see docs/architecture.md). */
  provider: () => Provider;
}
