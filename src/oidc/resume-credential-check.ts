// The last line of "a credential change ends everything begun before it" (src/security/credential-change.ts), at the
// moment a decided password sign-in becomes a session. The sign-in records the account's credential version in the
// interaction result; after oidc-provider has resumed it (session, grant and code saved), the version is read again.
// NOTE: why after, not before: a password change commits the new version first and deletes the account's sessions
// and codes after; a resume that read the interaction before that delete may save its session after it. Checking once
// the saves are done closes that gap: either the saves came before the commit (the delete removes them) or this check
// sees the new version and destroys exactly what this resume saved, answering "start again" instead of the code.
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.js';
import { pageContext, resolveLocale } from '../core/locale.js';
import { appLink } from '../core/self-link.js';
import { credentialsUnchanged } from '../security/credential-change.js';
import { messagePage } from '../../views/message.js';

/** The member of an interaction result's `login` that carries the credential version (our own addition). */
export const CREDENTIAL_VERSION = 'credentialVersion';

interface Destroyable {
  destroy(): Promise<void>;
}

export function installResumeCredentialCheck(
  provider: Provider,
  deps: { accounts: Pick<AccountRepository, 'credentialVersion'> },
): void {
  const check: Middleware = async (ctx, next) => {
    await next();
    const { oidc } = ctx as unknown as KoaContextWithOIDC;
    if (oidc?.route !== 'resume') return;
    const login = (oidc.result as { login?: { accountId?: string; [CREDENTIAL_VERSION]?: number } } | undefined)?.login;
    if (!login?.accountId || typeof login[CREDENTIAL_VERSION] !== 'number') return;
    if (await credentialsUnchanged(deps.accounts, login.accountId, login[CREDENTIAL_VERSION])) return;
    // What this resume saved goes; nothing else of the account is touched (her own new sign-ins stay).
    const entities = oidc.entities as Record<string, Destroyable | undefined>;
    for (const name of ['AuthorizationCode', 'AccessToken', 'RefreshToken', 'Grant'])
      await entities[name]?.destroy().catch(() => {});
    await (oidc.session as unknown as Destroyable | undefined)?.destroy().catch(() => {});
    const page = pageContext(ctx, resolveLocale(ctx));
    ctx.remove('Location');
    ctx.status = 409;
    ctx.type = 'html';
    ctx.body = messagePage(page, {
      title: page.t('error.credentials_changed.title'),
      message: page.t('error.credentials_changed'),
      next: { app: oidc.client ? appLink(oidc.client, oidc.params?.redirect_uri) : undefined },
    });
  };
  provider.use(check);
}
