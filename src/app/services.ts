// The services the server and the CLI both build, in one place, so an operator's command and a member's request go
// through the same repositories and use cases (a temporary password issued at the office is the same as one sent by
// SMS). The server adds what only a running node needs (caches, throttles, flows, the provider); see server.ts.
import { createAccountRepository } from '../accounts/account-repository.js';
import { createFederatedIdentities } from '../accounts/federated-identities.js';
import { createAuditLog } from '../audit/audit-log.js';
import { type ClientRepository, createClientRepository } from '../clients/client-repository.js';
import { createResourceServerRepository } from '../clients/resource-server-repository.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/database.js';
import { createKeyLifecycle, policyFromConfig } from '../keys/lifecycle.js';
import type { Sealer } from '../keys/sealer.js';
import { revokeIssuedBetween } from '../oidc/revoke-issued.js';
import { createKnexAdapter } from '../oidc/adapter.js';
import type { ProviderStorage } from '../oidc/provider.js';
import { createPasswordHasher } from '../methods/password/hasher.js';
import { createTemporaryPasswords } from '../methods/temporary-password/temporary-passwords.js';
import { createOutbox } from '../notify/outbox.js';

export function buildSharedServices(config: Config, { db, sealer, clock }: { db: Db; sealer: Sealer; clock: Clock }) {
  const audit = createAuditLog(db);
  const hasher = createPasswordHasher(config.argon2);
  const outbox = createOutbox(db, sealer, clock);
  const resourceServers = createResourceServerRepository(db);
  const accounts = createAccountRepository(db);
  return {
    accounts,
    /** Uncached: the server wraps it in its cache (src/clients/client-cache.ts). */
    clients: createClientRepository(db, sealer),
    resourceServers,
    audit,
    hasher,
    outbox,
    temporaryPasswords: createTemporaryPasswords(accounts, hasher, clock, config.temporaryPasswords, {
      outbox,
      issuer: config.issuer,
    }),
    federatedIdentities: createFederatedIdentities(db, clock),
    /**
     * Where a provider instance stores what it issues, over a client repository (the server's cache, or not).
     * NOTE: loaded on demand: oidc-provider is heavy and warns on Node 20 at import, and most CLI commands never
     * build a provider.
     */
    async providerStorage(clientRepository: ClientRepository): Promise<ProviderStorage> {
      const { createJwtAccessTokenStore } = await import('../oidc/jwt-access-tokens.js');
      return {
        adapter: createKnexAdapter(db, clock, clientRepository),
        jwtAccessTokens: createJwtAccessTokenStore(db, clock),
      };
    },
    /** Key staging, activation, retirement; `changed` tells this node's key watcher at once (the server's). */
    keyLifecycle: (changed?: () => void) =>
      createKeyLifecycle({
        db,
        sealer,
        clock,
        audit,
        policy: policyFromConfig(config, resourceServers),
        revokeIssuedBetween,
        ...(changed ? { changed } : {}),
      }),
  };
}

export type SharedServices = ReturnType<typeof buildSharedServices>;
