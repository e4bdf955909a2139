// The full password sign-in, as the VssID app and a browser do it: GET /auth → 303 /interaction/:uid → the hosted
// page (its CSRF token) → POST the BHXH number and password → 303 /auth/:uid → 303 redirect_uri?code → POST /token
// with the PKCE verifier. Used to measure sign-ins (flows/s, flow latency) and to obtain real tokens for other rows.
import crypto from 'node:crypto';
import { CookieJar, postForm, send, type Reply } from './http.js';
import { percentile } from './stats.js';

export const VSSID_REDIRECT_URI = 'http://127.0.0.1:53123/callback';

export interface Member {
  bhxhNumber: string;
  password: string;
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

function fail(step: string, reply: Reply): never {
  throw new Error(`sign-in: ${step} answered ${reply.status}: ${reply.body.slice(0, 300).replace(/\s+/g, ' ')}`);
}

/** GET with the jar's cookies; returns the reply (redirects are not followed). */
async function get(jar: CookieJar, url: string): Promise<Reply> {
  const reply = await send(url, { headers: { cookie: jar.header(url) } });
  jar.remember(reply);
  return reply;
}

/** Follows redirects on the issuer until one leaves it (the client's redirect URI) or a page is shown. */
async function follow(jar: CookieJar, url: string, issuer: string): Promise<{ url: string; reply: Reply }> {
  let current = url;
  for (let hops = 0; hops < 10; hops++) {
    const reply = await get(jar, current);
    const location = reply.headers.location;
    if (reply.status < 300 || reply.status >= 400 || !location) return { url: current, reply };
    current = new URL(location, current).href;
    if (!current.startsWith(issuer)) return { url: current, reply };
  }
  throw new Error('sign-in: too many redirects');
}

function authorizationUrl(issuer: string, challenge: string, scope: string, prompt?: string): string {
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: 'vssid',
    response_type: 'code',
    scope,
    redirect_uri: VSSID_REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: crypto.randomBytes(8).toString('base64url'),
    ...(prompt ? { prompt } : {}),
  }).toString();
  return url.href;
}

/** One complete sign-in by a fresh browser; returns the tokens. */
export async function signIn(
  issuer: string,
  member: Member,
  opts: { scope?: string; prompt?: string } = {},
): Promise<Tokens> {
  const jar = new CookieJar();
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');

  const page = await follow(
    jar,
    authorizationUrl(issuer, challenge, opts.scope ?? 'openid profile', opts.prompt),
    issuer,
  );
  if (page.reply.status !== 200) fail('GET /auth → page', page.reply);
  const action = /<form[^>]*action="([^"]*\/login)"/.exec(page.reply.body)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.reply.body)?.[1];
  if (!action || !csrf) fail('the sign-in page (no form)', page.reply);

  const loginUrl = new URL(action.replace(/&amp;/g, '&'), page.url).href;
  const posted = await postForm(
    loginUrl,
    { csrf, bhxh_number: member.bhxhNumber, password: member.password },
    { cookie: jar.header(loginUrl) },
  );
  jar.remember(posted);
  if (posted.status !== 303 || !posted.headers.location) fail('POST credentials', posted);

  const back = await follow(jar, new URL(posted.headers.location, loginUrl).href, issuer);
  const code = back.url.startsWith(VSSID_REDIRECT_URI) ? new URL(back.url).searchParams.get('code') : null;
  if (!code) fail(`resume (ended at ${back.url})`, back.reply);

  const token = await postForm(`${issuer}/token`, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: VSSID_REDIRECT_URI,
    client_id: 'vssid',
    code_verifier: verifier,
  });
  if (token.status !== 200) fail('POST /token', token);
  return JSON.parse(token.body) as Tokens;
}

/** Signs in `count` times (members round-robin) with `concurrency` browsers at once; returns the tokens. */
export async function signInMany(
  issuer: string,
  members: () => Member,
  count: number,
  concurrency: number,
  opts: { scope?: string; prompt?: string } = {},
): Promise<Tokens[]> {
  const out: Tokens[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      out.push(await signIn(issuer, members(), opts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

export interface FlowLoad {
  flows: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs complete sign-ins back to back on `concurrency` browsers for `seconds`; flows/s and flow latency (ms). */
export async function flowLoad(
  issuer: string,
  members: () => Member,
  seconds: number,
  concurrency: number,
): Promise<FlowLoad> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await signIn(issuer, members());
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors += 1;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return {
    flows: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
