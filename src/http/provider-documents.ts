// Discovery and JWKS are the same bytes for every request to one provider instance (one key snapshot, one
// configuration), and relying parties and gateways fetch them often. After the provider's first answer, each is
// kept (serialised) per provider instance and served by our app without entering the provider. A key change builds
// a new provider instance (src/server.ts), whose documents are remembered afresh, so JWKS never lags a rotation.
//
// oidc-provider writes its endpoint URLs from the request's own origin, so only answers to requests addressed to
// the issuer's origin are kept (a request with another Host header goes to the provider as before); the CORS
// headers (`Access-Control-Allow-Origin` echoing Origin, `Vary: Origin`) are written per request as the provider
// writes them.
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';

interface Document {
  body: Buffer;
  type: string;
  cacheControl: string | undefined;
}

const ROUTES = new Set(['discovery', 'jwks']);

export function providerDocuments(issuer: string, current: () => Provider) {
  const issuerOrigin = new URL(issuer).origin;
  const documents = new WeakMap<Provider, Map<string, Document>>();

  /** In our app, before the routes: answers GET/HEAD of a remembered document. */
  const serve: Middleware = async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.origin !== issuerOrigin) return next();
    const doc = documents.get(current())?.get(ctx.path);
    if (!doc) return next();
    ctx.vary('Origin');
    ctx.set('Access-Control-Allow-Origin', ctx.get('Origin') || '*');
    if (doc.cacheControl) ctx.set('Cache-Control', doc.cacheControl);
    ctx.type = doc.type;
    ctx.body = doc.body;
  };

  /** On each provider instance, outside the handlers whose headers it keeps (jwksCacheControl). */
  const remember: Middleware = async (ctx, next) => {
    await next();
    const route = (ctx as unknown as { oidc?: { route?: string; provider?: Provider } }).oidc;
    if (!route?.provider || !ROUTES.has(route.route ?? '') || ctx.method !== 'GET' || ctx.status !== 200) return;
    if (ctx.origin !== issuerOrigin || typeof ctx.body !== 'object' || ctx.body === null) return;
    let byPath = documents.get(route.provider);
    if (!byPath) documents.set(route.provider, (byPath = new Map()));
    byPath.set(ctx.path, {
      body: Buffer.from(JSON.stringify(ctx.body)),
      type: ctx.response.get('Content-Type') as string,
      cacheControl: (ctx.response.get('Cache-Control') as string) || undefined,
    });
  };

  return { serve, remember };
}

export type ProviderDocuments = ReturnType<typeof providerDocuments>;
