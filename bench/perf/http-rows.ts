// The HTTP rows, driven by autocannon against our server or the bare library: discovery, JWKS, client credentials,
// refresh with rotation, introspection and userinfo. Tokens come from the target (real sign-ins on our server, the
// library's models on the bare one) before each measured window.
import type autocannon from 'autocannon';
import { cannon, type CannonOptions, type CannonResult } from './cannon.js';
import { basicAuth, postForm } from './http.js';
import type { Measured } from './proc.js';
import type { Durations, RowResult } from './rows.js';
import type { Target } from './targets.js';
import { measureOn, noiseNote, perUnit } from './window.js';

export const HTTP_ROWS = ['discovery', 'jwks', 'client-credentials', 'refresh', 'introspection', 'userinfo'] as const;
export type HttpRow = (typeof HTTP_ROWS)[number];

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CONNECTIONS = 16;

/** Round-robin over a list (tokens for introspection and userinfo). */
function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

/**
 * Refresh with rotation: every refresh token is used once. A pool of chains (twice the connections, each a real
 * grant) is shared by the connections: a request takes a chain's current token, and its response puts the rotated
 * token back, so no chain is ever used by two requests at once and no token is ever presented twice.
 */
function refreshRequest(pool: string[]): autocannon.Request {
  return {
    method: 'POST',
    path: '/token',
    headers: FORM,
    setupRequest(req) {
      // An empty pool (chains lost to errors) sends a request that fails visibly rather than stalling the run.
      return {
        ...req,
        body: `grant_type=refresh_token&client_id=vssid&refresh_token=${pool.shift() ?? 'pool-exhausted'}`,
      };
    },
    onResponse(status, body) {
      if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  };
}

/** Introspection must answer active: true for the tokens of the row, or the row would measure a cheaper path. */
async function checkIntrospection(target: Target, token: string): Promise<void> {
  const reply = await postForm(
    `${target.base}/token/introspection`,
    { token },
    { authorization: basicAuth('bench-api', target.secrets.api) },
  );
  if (reply.status !== 200 || !(JSON.parse(reply.body) as { active: boolean }).active)
    throw new Error(`introspection of a fresh token on ${target.kind}: ${reply.status} ${reply.body}`);
}

/** The autocannon options of a row against a target (without duration). */
async function httpRowOptions(row: HttpRow, target: Target): Promise<Omit<CannonOptions, 'seconds'>> {
  const { base } = target;
  switch (row) {
    case 'discovery':
      return { url: `${base}/.well-known/openid-configuration`, connections: CONNECTIONS };
    case 'jwks':
      return { url: `${base}/jwks`, connections: CONNECTIONS };
    case 'client-credentials':
      return {
        url: `${base}/token`,
        method: 'POST',
        connections: CONNECTIONS,
        headers: { ...FORM, authorization: basicAuth('bench-cc', target.secrets.cc) },
        body: 'grant_type=client_credentials',
      };
    case 'refresh':
      // Twice as many chains as connections, each a real grant (see refreshRequest).
      return {
        url: `${base}/token`,
        connections: CONNECTIONS,
        requests: [refreshRequest((await target.tokens(CONNECTIONS * 2)).map((t) => t.refresh_token!))],
      };
    case 'introspection': {
      const tokens = (await target.tokens(CONNECTIONS)).map((t) => t.access_token);
      await checkIntrospection(target, tokens[0]!);
      const next = cycle(tokens);
      const auth = basicAuth('bench-api', target.secrets.api);
      const request: autocannon.Request = {
        method: 'POST',
        path: '/token/introspection',
        setupRequest: (req) => ({ ...req, headers: { ...FORM, authorization: auth }, body: `token=${next()}` }),
      };
      return { url: `${base}/token/introspection`, connections: CONNECTIONS, requests: [request] };
    }
    case 'userinfo': {
      const next = cycle((await target.tokens(CONNECTIONS)).map((t) => t.access_token));
      const request: autocannon.Request = {
        method: 'GET',
        path: '/me',
        setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${next()}` } }),
      };
      return { url: `${base}/me`, connections: CONNECTIONS, requests: [request] };
    }
  }
}

function fromCannon(row: string, engine: string, measured: Measured<CannonResult>, connections: number): RowResult {
  const r = measured.result;
  const failed = r.non2xx + r.errors;
  return {
    row,
    engine,
    unit: 'request',
    perSecond: r.perSecond,
    p50: r.p50,
    p99: r.p99,
    ...perUnit(measured, r.responses),
    completed: r.ok,
    failed,
    seconds: r.seconds,
    concurrency: connections,
    ...(failed ? { note: `${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)` } : {}),
  };
}

/** One HTTP row: warm-up (not measured), then the measured run with the target's CPU and RSS around it. */
export async function runHttpRow(row: HttpRow, target: Target, durations: Durations): Promise<RowResult> {
  const name = target.kind === 'bare' ? `bare:${row}` : row;
  // Fresh options (and fresh tokens) for each run: a run's refresh chains end with it.
  if (durations.warmup > 0) await cannon({ ...(await httpRowOptions(row, target)), seconds: durations.warmup });
  const m = await measureOn(
    target,
    durations,
    () => httpRowOptions(row, target),
    (options) => cannon({ ...options, seconds: durations.http }),
  );
  const result = fromCannon(name, target.engine, m, CONNECTIONS);
  const notes = [result.note, noiseNote(m.otherShare, durations.attempts)].filter(Boolean);
  return {
    ...result,
    window: m.window,
    otherCpuShare: m.otherShare,
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}
