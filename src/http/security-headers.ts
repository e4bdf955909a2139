// Security headers on every response: CSP that forbids framing, no referrer, no sniffing, HSTS over https.
import type { Context, Next } from 'koa';

// NOTE: no form-action directive: browsers apply it to the redirects after a form post (to the client's
// redirect_uri), which would break sign-in for native apps.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every response carries (also written directly by the fast path of provider-documents.ts). */
export function securityHeaderList({ https }: { https: boolean }): Array<[string, string]> {
  return [
    ['Content-Security-Policy', CSP],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
    ...(https
      ? ([['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']] as Array<[string, string]>)
      : []),
  ];
}

export function securityHeaders(options: { https: boolean }) {
  const headers = securityHeaderList(options);
  return async (ctx: Context, next: Next) => {
    for (const [name, value] of headers) ctx.set(name, value);
    await next();
  };
}
