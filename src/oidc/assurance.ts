// Levels of assurance: the `acr` values we issue, how they rank, and what an authorization request demands.
//
//   urn:vn:bhxh:loa:password   rank 1   BHXH number + password (or a temporary password)
//   urn:vn:bhxh:loa:mfa        rank 2   password + a second factor: an authenticator-app code (TOTP) or a recovery code
//   urn:vn:bhxh:loa:passkey    rank 3   a passkey (WebAuthn) with user verification: phishing-resistant, two factors
//                                       in one gesture (the device and the member's PIN or biometric)
//   urn:vn:bhxh:loa:vneid:1    rank 4   VNeID level 1 (self-registered in the app, checked against the population DB)
//   urn:vn:bhxh:loa:vneid:2    rank 5   VNeID level 2 (registered in person with biometrics)
//
// Why VNeID sits above our own strongest factor: our factors prove that the person signing in holds what the account's
// member enrolled, on an account whose identity the agency took from an employer's declaration; VNeID adds proof of
// WHO that person is, checked by the state against the population database (level 1) or in person with the chip ID
// card and biometrics (level 2). A passkey ranks above password + TOTP because it cannot be phished (the browser
// binds it to our origin), where a TOTP code can be relayed by a fake page within its 30 seconds. The ladder is one
// order; a relying party that needs phishing resistance as such reads `amr` (`hwk`/`swk` with `user`).
//
// A relying party states a demand with an essential `acr` claim (`claims={"id_token":{"acr":{"essential":true,
// "values":[…]}}}`) or with `acr_values`. We treat both as a minimum, not as an exact match: the demand is met by
// any sign-in ranked at least as high as the lowest value asked for, and the ID token's `acr` says what was achieved.
// NOTE: OpenID Connect calls `acr_values` voluntary; a government IdP serving services that need a proven identity
// treats it as a floor, so a relying party that lists level 2 never receives a weaker sign-in. Unknown values are
// ignored (they demand nothing).
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

export const ACR = {
  password: 'urn:vn:bhxh:loa:password',
  mfa: 'urn:vn:bhxh:loa:mfa',
  passkey: 'urn:vn:bhxh:loa:passkey',
  vneid1: 'urn:vn:bhxh:loa:vneid:1',
  vneid2: 'urn:vn:bhxh:loa:vneid:2',
} as const;

export type Acr = (typeof ACR)[keyof typeof ACR];

/** Lowest first: the order is the rank. */
export const ACR_VALUES: Acr[] = [ACR.password, ACR.mfa, ACR.passkey, ACR.vneid1, ACR.vneid2];

const RANK: Record<string, number> = Object.fromEntries(ACR_VALUES.map((acr, i) => [acr, i + 1]));

export function rankOf(acr: string | undefined): number {
  return (acr && RANK[acr]) || 0;
}

export function vneidAcr(level: 1 | 2): Acr {
  return level === 2 ? ACR.vneid2 : ACR.vneid1;
}

/** The lowest acr that meets the demand, or undefined when the request demands nothing we know. */
export function requiredAcr(params: { acr_values?: unknown; claims?: unknown }): Acr | undefined {
  const asked: string[] = [];
  if (typeof params.acr_values === 'string') asked.push(...params.acr_values.split(' ').filter(Boolean));
  const claims = parseClaims(params.claims);
  for (const target of [claims?.id_token?.acr, claims?.userinfo?.acr]) {
    if (!target?.essential) continue;
    if (typeof target.value === 'string') asked.push(target.value);
    if (Array.isArray(target.values)) asked.push(...target.values.filter((v): v is string => typeof v === 'string'));
  }
  const known = asked.filter((v) => RANK[v]).sort((a, b) => RANK[a]! - RANK[b]!);
  return known[0] as Acr | undefined;
}

interface AcrRequest {
  essential?: boolean;
  value?: unknown;
  values?: unknown;
}

function parseClaims(
  claims: unknown,
): { id_token?: { acr?: AcrRequest }; userinfo?: { acr?: AcrRequest } } | undefined {
  if (typeof claims === 'object' && claims !== null) return claims as never;
  if (typeof claims !== 'string') return undefined;
  try {
    return JSON.parse(claims) as never;
  } catch {
    return undefined; // the provider rejects a malformed `claims` parameter itself
  }
}

/** Whether a sign-in with `achieved` meets what the request demands. */
export function meets(achieved: string | undefined, required: string | undefined): boolean {
  return !required || rankOf(achieved) >= rankOf(required);
}

/**
 * Replaces the library's exact-match `essential_acr` / `essential_acrs` login checks with one "at least" check that
 * also covers `acr_values`: an existing session that is weaker than the demand is asked to sign in again.
 */
export function installAssuranceCheck(policy: ReturnType<typeof interactionPolicy.base>): void {
  const login = policy.get('login')!;
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  login.checks.add(
    new interactionPolicy.Check(
      'required_acr',
      'the requested level of assurance has not been met',
      'login_required',
      (ctx: KoaContextWithOIDC) => {
        const required = requiredAcr({ acr_values: ctx.oidc.params?.acr_values, claims: ctx.oidc.claims });
        return meets(ctx.oidc.acr, required)
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
}
