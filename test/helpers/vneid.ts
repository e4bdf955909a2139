// A BHXH ID test server federated to a VNeID simulator over real HTTP: the simulator knows our callback, we know its
// issuer and the client secret (made up at run time). Citizens get fresh identification numbers per pair.
import crypto from 'node:crypto';
import {
  startVneidSimulator,
  type Citizen,
  type SimBehaviour,
  type SimClient,
  type VneidSimulator,
} from '../../src/dev/vneid-sim/simulator.js';
import type { Clock } from '../../src/core/clock.js';
import { demoClients } from '../../src/dev/seed-demo.js';
import { Browser, type Page } from './browser.js';
import { authorizationRequest, discover, type AuthRequest, type oidc } from './oidc.js';
import { freePort, startTestServer, type TestServer } from './server.js';

export const REDIRECT_URI = 'http://127.0.0.1/callback';

export function randomNationalId(): string {
  return String(crypto.randomInt(0, 1e12)).padStart(12, '0');
}

export interface FederatedPair {
  t: TestServer;
  sim: VneidSimulator;
  /** Citizens of the simulator: level 2, level 1, and a level 2 one with no account. */
  citizens: { level2: Citizen; level1: Citizen; stranger: Citizen };
  /** The VssID app as a relying party of BHXH ID. */
  rp: oidc.Configuration;
  /** Encrypted profile: our RSA private key (PKCS#8 PEM) whose public key the simulator holds. */
  rsaPrivateKey?: string;
  close(): Promise<void>;
}

/** A fresh RSA key pair for the encrypted profile (PEM strings; private as PKCS#8 unless asked for PKCS#1). */
export function rsaKeyPair(type: 'pkcs8' | 'pkcs1' = 'pkcs8') {
  return crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type, format: 'pem' },
  });
}

export async function startFederatedPair(
  options: {
    behaviour?: Partial<SimBehaviour>;
    env?: (sim: VneidSimulator) => Record<string, string>;
    simClient?: Partial<SimClient>;
    /** 'encrypted-oauth2': the simulator speaks VNeID's encrypted profile, and we are configured for it. */
    profile?: 'oidc' | 'encrypted-oauth2';
    clock?: Clock;
  } = {},
): Promise<FederatedPair> {
  const encrypted = options.profile === 'encrypted-oauth2';
  const keys = encrypted ? rsaKeyPair() : undefined;
  const port = await freePort();
  const idp = `http://127.0.0.1:${port}`;
  const secret = crypto.randomBytes(24).toString('base64url');
  const citizens = {
    level2: { nationalId: randomNationalId(), fullName: 'Nguyễn Văn An', birthdate: '1990-05-15', level: 2 as const },
    level1: { nationalId: randomNationalId(), fullName: 'Trần Thị Bình', birthdate: '1985-11-02', level: 1 as const },
    stranger: { nationalId: randomNationalId(), fullName: 'Lê Văn Cường', birthdate: '1995-03-20', level: 2 as const },
  };
  const sim = await startVneidSimulator({
    clients: [
      {
        client_id: 'bhxh-id',
        client_name: 'BHXH ID',
        client_secret: secret,
        redirect_uris: [`${idp}/federation/vneid/callback`],
        post_logout_redirect_uris: [`${idp}/federation/vneid/logged-out`],
        ...(keys ? { rsa_public_key: keys.publicKey } : {}),
        ...options.simClient,
      },
    ],
    citizens: Object.values(citizens),
    behaviour: { ...(encrypted ? { profile: 'encrypted-oauth2' as const } : {}), ...options.behaviour },
  });
  const t = await startTestServer({
    port,
    ...(options.clock ? { clock: options.clock } : {}),
    env: {
      VNEID_ISSUER: sim.issuer,
      VNEID_CLIENT_ID: 'bhxh-id',
      VNEID_CLIENT_SECRET: secret,
      VNEID_TIMEOUT_MS: '2000',
      ...(keys ? { VNEID_PROFILE: 'encrypted-oauth2', VNEID_PRIVATE_KEY: keys.privateKey } : {}),
      ...options.env?.(sim),
    },
  }).catch(async (err) => {
    await sim.close();
    throw err;
  });
  const [vssid] = demoClients(t.url);
  await t.createClient(vssid!.metadata, { firstParty: true });
  const rp = await discover(t.url, 'vssid');
  return {
    t,
    sim,
    citizens,
    rp,
    ...(keys ? { rsaPrivateKey: keys.privateKey } : {}),
    async close() {
      await t.close();
      await sim.close();
    },
  };
}

/** A browser that follows redirects through BHXH ID and the simulator, stopping at the relying party. */
export function federatedBrowser(pair: FederatedPair): Browser {
  return new Browser(pair.t.url, [pair.sim.issuer]);
}

export function authorize(pair: FederatedPair, params: Record<string, string> = {}): Promise<AuthRequest> {
  return authorizationRequest(pair.rp, { redirect_uri: REDIRECT_URI, scope: 'openid profile', ...params });
}

/** From our sign-in page, press the VNeID button; returns the simulator's citizen page. */
export async function pressVneid(browser: Browser, login: Page): Promise<Page> {
  const chooser = await browser.submit(login, {}, '/vneid');
  if (!chooser.html.includes('/choose'))
    throw new Error(
      `expected the simulator's citizen page, got ${chooser.status} ${chooser.url}\n${chooser.html.slice(0, 600)}`,
    );
  return chooser;
}

export function chooseCitizen(browser: Browser, chooser: Page, citizen: Citizen): Promise<Page> {
  return browser.submit(chooser, { national_id: citizen.nationalId }, '/choose');
}

/** The whole round trip from authorization to wherever it ends (the relying party's redirect URI, or one of our pages). */
export async function signInWithVneid(
  _pair: FederatedPair,
  browser: Browser,
  request: AuthRequest,
  citizen: Citizen,
): Promise<Page> {
  const login = await browser.get(request.url.href);
  return chooseCitizen(browser, await pressVneid(browser, login), citizen);
}
