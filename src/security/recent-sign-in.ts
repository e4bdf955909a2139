// Which changes need a fresh proof of identity, and how fresh. A session can be hours old and left open on a shared
// phone; changing the password, an email or a phone, removing a VNeID link, a session or a second factor, and
// downloading one's data therefore need a sign-in within ACCOUNT_REAUTH_SECONDS (5 minutes by default), measured from
// the sign-in's `auth_time`, on the injected clock. Every account-page path that makes such a change asks this module
// (through flows/account/account-session.ts: `isRecent` for the page, `requireRecentSignIn` for the POST).

/**
 * Was the sign-in at `authTime` (epoch seconds) recent enough, at `now`, for a sensitive change?
 * NOTE: `auth_time` comes from oidc-provider's own clock (the system's), `now` from the injected one: a sign-in that
 * looks slightly in the future is recent (it cannot be forged: only our provider writes it).
 */
export function signedInRecently(authTime: number, now: Date, maxAgeSeconds: number): boolean {
  return Math.floor(now.getTime() / 1000) - authTime <= maxAgeSeconds;
}
