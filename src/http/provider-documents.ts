// Discovery and JWKS are the same bytes for every request to one provider instance (one key snapshot, one
// configuration), and relying parties, gateways and monitors fetch them often. After the provider's first answer,
// each is kept (serialised, with its headers) per provider instance, and the HTTP server answers later requests for
// it directly (`answer`, called before the Koa app): no Koa context, no middleware, no provider. A key change builds
// a new provider instance (src/server.ts), whose documents are remembered afresh, so JWKS never lags a rotation.
//
// What the fast path keeps of the Koa path: our security headers, X-Request-Id, X-Served-By, the CORS headers as
// oidc-provider writes them for these routes (`Access-Control-Allow-Origin` echoing Origin, `Vary: Origin`), the
// request metrics, and the request log line when LOG_LEVEL asks for it.
//
// oidc-provider writes its endpoint URLs from the request's own origin, so only answers to requests addressed to the
// issuer's origin (as Koa computes it, X-Forwarded-* when the proxy is trusted) are kept and served; any other
// request, and any method but GET and HEAD, goes to the Koa app as before.
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { observeRequest, requestIdFor, type Metrics } from './observability.js';
import { clientAddressFrom } from '../security/client-address.js';

interface Document {
  body: Buffer;
  headers: Record<string, string | number>;
}

const ROUTES = new Set(['discovery', 'jwks']);

/** The first value of a possibly repeated, comma-separated forwarded header. */
function first(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  return raw?.split(',')[0]?.trim() || undefined;
}

/** The request's origin as Koa computes it (`ctx.origin`). */
function originOf(req: http.IncomingMessage, trustProxy: boolean): string {
  const protocol = (req.socket as TLSSocket).encrypted
    ? 'https'
    : trustProxy
      ? (first(req.headers['x-forwarded-proto']) ?? 'http')
      : 'http';
  const host = (trustProxy ? first(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host ?? '';
  return `${protocol}://${host}`;
}

export function providerDocuments(options: {
  issuer: string;
  trustProxy: boolean;
  /** For the logged client address, derived as Koa does (src/security/client-address.ts). */
  trustedProxyHops: number;
  current: () => Provider;
  /** Headers every response carries (security headers, X-Served-By). */
  headers: Array<[string, string]>;
  metrics: Metrics;
  logger: Logger;
}) {
  const issuerOrigin = new URL(options.issuer).origin;
  const documents = new WeakMap<Provider, Map<string, Document>>();
  let served = 0;

  /** Answers a GET or HEAD of a remembered document; false when the request is not one (the Koa app takes it). */
  function answer(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const doc = documents.get(options.current())?.get(path);
    if (!doc || originOf(req, options.trustProxy) !== issuerOrigin) return false;
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(req.headers['x-request-id'] as string | undefined, options.trustProxy);
    res.writeHead(200, {
      ...doc.headers,
      'X-Request-Id': requestId,
      'Access-Control-Allow-Origin': req.headers.origin || '*',
    });
    res.end(req.method === 'HEAD' ? undefined : doc.body);
    served += 1;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    observeRequest(options.metrics, req.method, path, 200, seconds);
    if (options.logger.isLevelEnabled('info')) {
      const ip = clientAddressFrom(req.headers['x-forwarded-for'], req.socket.remoteAddress, options.trustedProxyHops);
      options.logger.info(
        { requestId, method: req.method, path, status: 200, ms: Math.round(seconds * 1000), ip },
        'request',
      );
    }
    return true;
  }

  /** On each provider instance, outside the handlers whose headers it keeps (jwksCacheControl). */
  const remember: Middleware = async (ctx, next) => {
    await next();
    const oidc = (ctx as unknown as { oidc?: { route?: string; provider?: Provider } }).oidc;
    if (!oidc?.provider || !ROUTES.has(oidc.route ?? '') || ctx.method !== 'GET' || ctx.status !== 200) return;
    // NOTE: the origin as the fast path computes it (Koa's ctx.origin reads "null" inside the provider's app).
    if (originOf(ctx.req, options.trustProxy) !== issuerOrigin || typeof ctx.body !== 'object' || ctx.body === null)
      return;
    let byPath = documents.get(oidc.provider);
    if (!byPath) documents.set(oidc.provider, (byPath = new Map()));
    const body = Buffer.from(JSON.stringify(ctx.body));
    const cacheControl = ctx.response.get('Cache-Control') as string;
    byPath.set(ctx.path, {
      body,
      headers: {
        ...Object.fromEntries(options.headers),
        'Content-Type': ctx.response.get('Content-Type') as string,
        'Content-Length': body.length,
        Vary: 'Origin',
        ...(cacheControl ? { 'Cache-Control': cacheControl } : {}),
      },
    });
  };

  return {
    answer,
    remember,
    /** How many requests the fast path has answered (for tests and curiosity). */
    served: () => served,
  };
}

export type ProviderDocuments = ReturnType<typeof providerDocuments>;
