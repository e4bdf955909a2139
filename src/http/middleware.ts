// The HTTP pieces every route shares, below the route table (src/app/routes.ts): the error boundary that turns our
// routes' errors into pages, the operations endpoints, the hand-over to the provider serving now, and the middleware
// installed on each provider instance.
import crypto from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { homePage } from '../../views/home.js';
import { messagePage } from '../../views/message.js';
import { APP_CSS } from '../../views/styles.js';
import { FORM_SCRIPT, FORM_SCRIPT_PATH, isCurrentFormScript } from '../../views/form-script.js';
import type { Config } from '../config/config.js';
import type { MessageId } from '../core/i18n.js';
import { ApiError, respondJsonError } from '../core/json-errors.js';
import { pageContext, resolveLocale, type PageContext } from '../core/locale.js';
import type { AppLink } from '../core/self-link.js';
import type { Db } from '../db/database.js';
import { FlowError } from './errors.js';
import type { Metrics } from './observability.js';
import { isDatabaseUnavailable, respondUnavailable } from './unavailable.js';

/** What an error page says: its status, title and message, the app to offer the way back to, a request id. */
interface ErrorPage {
  status: number;
  title: MessageId;
  message: MessageId;
  app?: AppLink | undefined;
  uiLocales?: string | undefined;
  withRequestId?: boolean;
}

/** Every error page of our routes: the message, the next step (back to the app, else the start page), the hotline. */
function renderErrorPage(ctx: Context, view: ErrorPage) {
  const page = (ctx.state.page as PageContext | undefined) ?? pageContext(ctx, resolveLocale(ctx, view.uiLocales));
  ctx.status = view.status;
  ctx.type = 'html';
  // An error page is about one request: Back and reload ask again.
  ctx.set('Cache-Control', 'no-store');
  ctx.body = messagePage(page, {
    title: page.t(view.title),
    message: page.t(view.message),
    ...(view.withRequestId ? { detail: page.t('error.request_id', { id: String(ctx.state.requestId) }) } : {}),
    next: { app: view.app },
  });
}

/**
 * One place turns errors from our routes into pages: listed codes get their text; the rest is "something went wrong".
 * An ApiError (core/json-errors.ts) that reaches it is answered as JSON; JSON routes catch their own with jsonErrors().
 */
export function errorBoundary(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const log = (ctx.state.log as Logger | undefined) ?? logger;
      // PostgreSQL is down or restarting: say so at once (503, Retry-After); the pool reconnects by itself. A flow
      // error counts when its cause does (an interaction that could not be loaded is not an expired session).
      if (err instanceof FlowError ? isDatabaseUnavailable(err.options.cause) : isDatabaseUnavailable(err)) {
        log.warn({ err: String((err as Error).cause ?? (err as Error).message) }, 'database unavailable');
        return respondUnavailable(ctx, ctx.accepts('html', 'json') === 'json');
      }
      if (err instanceof ApiError) return respondJsonError(ctx, err);
      // The app of the interaction the route loaded (flows/interaction.ts), unless the error names its own.
      const loadedApp = ctx.state.app as AppLink | undefined;
      if (err instanceof FlowError) {
        log.info({ code: err.code, detail: err.options.detail }, 'flow error');
        return renderErrorPage(ctx, {
          status: err.status,
          title: err.titleId,
          message: err.messageId,
          app: err.options.app ?? loadedApp,
          uiLocales: err.options.uiLocales,
        });
      }
      const status = (err as { status?: number; expose?: boolean }).expose
        ? ((err as { status: number }).status ?? 500)
        : 500;
      if (status >= 500) log.error({ err }, 'unexpected error');
      return renderErrorPage(ctx, {
        status,
        title: 'error.title',
        message: status >= 500 ? 'error.generic' : 'error.invalid_request',
        app: loadedApp,
        withRequestId: status >= 500,
      });
    }
  };
}

/** `Authorization: Bearer <token>` with the expected token, compared in constant time. */
function bearerMatches(header: string, expected: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b) && given.length > 0;
}

/** What the operations endpoints use. */
export interface OpsRouteDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  /** /metrics: open (outside production) or behind METRICS_TOKEN. */
  metricsAccess: Config['metrics'];
}

export function registerOpsRoutes(router: Router, deps: OpsRouteDeps) {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await deps.db.raw('select 1');
      ctx.body = { status: 'ready' };
    } catch (err) {
      ((ctx.state.log as Logger | undefined) ?? deps.logger).warn({ err }, 'database not reachable');
      ctx.status = 503;
      ctx.body = { status: 'unavailable' };
    }
  });
  router.get('/metrics', async (ctx) => {
    // NOTE: metrics tell an outsider what is happening (sign-in outcomes, traffic): in production only with the
    // METRICS_TOKEN bearer token, and without one configured there is no /metrics at all.
    const { token, open } = deps.metricsAccess;
    if (!open) {
      if (!token) throw new ApiError('not_found');
      if (!bearerMatches(ctx.get('authorization'), token))
        throw new ApiError('invalid_token', 'a Bearer token is required', {
          headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
        });
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  router.get('/static/app.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = APP_CSS;
  });
  router.get(FORM_SCRIPT_PATH, (ctx) => {
    ctx.type = 'text/javascript';
    // Pages link the versioned URL, which never changes; any other is cached briefly.
    ctx.set(
      'Cache-Control',
      isCurrentFormScript(ctx.query.v) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    ctx.body = FORM_SCRIPT;
  });
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
    ctx.set('Cache-Control', 'public, max-age=86400');
  });
  // The start page: where error pages send a member whose app they do not know.
  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = homePage(pageContext(ctx, resolveLocale(ctx)));
  });
}

/** Hands the request to the provider serving now; renders our 404 page for paths nobody serves. */
export function delegateToProvider(current: () => Provider): Middleware {
  const handlers = new WeakMap<object, ReturnType<Koa['callback']>>();
  return async (ctx) => {
    const provider = current();
    let handler = handlers.get(provider);
    if (!handler) {
      handler = provider.callback();
      handlers.set(provider, handler);
    }
    ctx.respond = false;
    await handler(ctx.req, ctx.res);
  };
}

/**
 * JWKS is cacheable for JWKS_MAX_AGE_SECONDS: relying parties cache it and refetch on an unknown kid. A staged key is
 * published at least that long before it signs, so every honest cache knows it by then (installed on each provider).
 */
export function jwksCacheControl(maxAgeSeconds: number): Middleware {
  return async (ctx, next) => {
    await next();
    if ((ctx as unknown as { oidc?: { route?: string } }).oidc?.route === 'jwks' && ctx.status === 200) {
      ctx.set('Cache-Control', `public, max-age=${maxAgeSeconds}`);
    }
  };
}

/**
 * The provider's own 404 (no route of ours or its own) becomes our page, with the way to the start page; a client
 * that prefers JSON gets the JSON family's `not_found` (installed on each provider instance).
 */
export function notFoundPage(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    if (ctx.accepts('html', 'json') === 'json') return respondJsonError(ctx, new ApiError('not_found'));
    renderErrorPage(ctx, { status: 404, title: 'error.not_found.title', message: 'error.not_found' });
  };
}
