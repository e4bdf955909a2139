// The route table: the Koa application in front of oidc-provider. Shared middleware first, then our hosted pages
// (flows), the carrier webhooks (channels), the admin API and the operations endpoints, and finally the provider
// (protocol endpoints) for everything else. Each register* function takes only the services it declares; the
// service bag (AppDeps) stops here.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { registerAdminKeyRoutes } from '../admin/keys-routes.js';
import { registerSmsInboundRoutes } from '../channels/sms-inbound-routes.js';
import { registerVoiceRoutes } from '../channels/voice-routes.js';
import { registerAccountRoutes } from '../flows/account/routes.js';
import { registerConsentRoutes, showConsent } from '../flows/consent/routes.js';
import { registerFederationRoutes } from '../flows/federation/routes.js';
import { registerUpstreamLogoutRoutes } from '../flows/federation/upstream-logout.js';
import { registerLoginRoutes } from '../flows/login/routes.js';
import { registerRecoveryRoutes } from '../flows/recovery/routes.js';
import { delegateToProvider, errorBoundary, registerOpsRoutes } from '../http/middleware.js';
import { requestContext } from '../http/observability.js';
import { securityHeaders } from '../http/security-headers.js';
import { registerCaptchaRoutes } from '../methods/captcha/routes.js';
import { trustProxyHops } from '../security/client-address.js';
import type { AppDeps } from './deps.js';

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  trustProxyHops(app, deps.config.trustedProxyHops);
  app.silent = true; // errors are logged by our own middleware
  const parseForm = bodyParser({
    enableTypes: ['form'],
    formLimit: '16kb',
    encoding: 'utf-8',
  }) as unknown as Middleware;

  const router = new Router();
  registerOpsRoutes(router, { ...deps, metricsAccess: deps.config.metrics });
  registerLoginRoutes(router, deps, parseForm, showConsent(deps));
  registerConsentRoutes(router, deps, parseForm);
  registerRecoveryRoutes(router, deps, parseForm);
  registerFederationRoutes(router, deps, parseForm);
  registerUpstreamLogoutRoutes(router, deps);
  registerAccountRoutes(router, deps, parseForm);
  registerCaptchaRoutes(router, deps.captchaChallenges);
  registerAdminKeyRoutes(router, deps);
  // Carrier webhooks: each answers 404 itself while its channel is switched off.
  registerSmsInboundRoutes(router, deps);
  registerVoiceRoutes(router, deps);
  // NOTE: the dev mailbox exists only outside production (and only when mail is not sent over SMTP).
  if (deps.devRoutes && !deps.config.production) deps.devRoutes(router);

  app.use(requestContext(deps.logger, deps.metrics, deps.config.trustProxy, deps.config.nodeName));
  app.use(securityHeaders({ https: deps.config.https }));
  app.use(errorBoundary(deps.logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(delegateToProvider(deps.provider));
  return app;
}
