// Request id, one JSON log line per request, and Prometheus metrics.
import crypto from 'node:crypto';
import type { Context, Next } from 'koa';
import { pino, type Logger } from 'pino';
import client from 'prom-client';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'bhxh-id' },
    // NOTE: secrets never reach the logs; these paths are redacted if an object carrying them is ever logged.
    redact: {
      paths: [
        'password',
        '*.password',
        'new_password',
        '*.new_password',
        'client_secret',
        '*.client_secret',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route group and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const signIns = new client.Counter({
    name: 'bhxh_sign_in_attempts_total',
    help: 'Password sign-in attempts by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, signIns };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Collapses a path to a low-cardinality route label. */
function routeLabel(path: string): string {
  if (path.startsWith('/interaction/')) return '/interaction';
  if (path.startsWith('/auth/')) return '/auth/:uid';
  if (path.startsWith('/static/')) return '/static';
  const known = [
    '/auth',
    '/token',
    '/me',
    '/jwks',
    '/session/end',
    '/token/introspection',
    '/token/revocation',
    '/.well-known/openid-configuration',
    '/healthz',
    '/readyz',
    '/metrics',
    '/',
  ];
  return known.includes(path) ? path : 'other';
}

/** The request id: the proxy's X-Request-Id when we trust the proxy and it looks like one, else a new UUID. */
export function requestIdFor(incoming: string | undefined, trustProxy: boolean): string {
  return trustProxy && incoming && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
}

/** Counts one answered request in the duration histogram. */
export function observeRequest(metrics: Metrics, method: string, path: string, status: number, seconds: number): void {
  metrics.httpDuration.observe({ method, route: routeLabel(path), status: String(status) }, seconds);
}

/** `nodeName` (NODE_NAME) is sent back as X-Served-By, so an operator (or a test) can see which node answered. */
export function requestContext(logger: Logger, metrics: Metrics, trustProxy: boolean, nodeName?: string) {
  return async (ctx: Context, next: Next) => {
    if (nodeName) ctx.set('X-Served-By', nodeName);
    const requestId = requestIdFor(ctx.get('x-request-id'), trustProxy);
    ctx.state.requestId = requestId;
    // The request's logger is made when first used: most requests log nothing below the configured level.
    let log: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      get: () => (log ??= logger.child({ requestId })),
      enumerable: true,
      configurable: true,
    });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
      observeRequest(metrics, ctx.method, ctx.path, status, seconds);
      if (logger.isLevelEnabled('info'))
        (ctx.state.log as Logger).info(
          { method: ctx.method, path: ctx.path, status, ms: Math.round(seconds * 1000), ip: ctx.ip },
          'request',
        );
    }
  };
}
