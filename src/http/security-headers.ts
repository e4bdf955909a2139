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

export function securityHeaders({ https }: { https: boolean }) {
  return async (ctx: Context, next: Next) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
