// Cross-site request forgery protection for our forms: a random cookie and a form token that is its HMAC
// (signed double submit). Forms under an interaction are also bound to oidc-provider's interaction cookie.
import crypto from 'node:crypto';
import type { Context, Next } from 'koa';
import { FlowError } from './errors.js';

const COOKIE = 'bhxh.csrf';

function mac(secret: Buffer, value: string): string {
  return crypto.createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
}

export function createCsrf(secret: Buffer) {
  const cookieValue = (ctx: Context): string => {
    let value = ctx.cookies.get(COOKIE, { signed: false });
    if (!value || !/^[A-Za-z0-9_-]{22,64}$/.test(value)) {
      value = crypto.randomBytes(24).toString('base64url');
      ctx.cookies.set(COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: false, path: '/' });
      ctx.state.csrfCookie = value;
    }
    return (ctx.state.csrfCookie as string | undefined) ?? value;
  };
  return {
    /** Returns the token to put in a form, setting the cookie when absent. */
    issue(ctx: Context): string {
      return mac(secret, cookieValue(ctx));
    },
    /** A value that ties a flow to this browser (derived from the same cookie; not the cookie itself). */
    binding(ctx: Context): string {
      return crypto
        .createHmac('sha256', secret)
        .update(`binding:${cookieValue(ctx)}`)
        .digest('base64url');
    },
    /** Middleware for POST routes: rejects a request whose form token does not match the cookie. */
    verify: async (ctx: Context, next: Next) => {
      const value = ctx.cookies.get(COOKIE, { signed: false });
      const token = (ctx.request as { body?: Record<string, unknown> }).body?.csrf;
      const expected = value ? Buffer.from(mac(secret, value)) : undefined;
      const given = typeof token === 'string' ? Buffer.from(token) : undefined;
      if (!expected || !given || expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
        throw new FlowError('CSRF');
      }
      await next();
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
