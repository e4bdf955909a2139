// The kinds of flow the account page keeps in the flow store (src/flows/flow-store.ts).
//
//   (no cookie) ──GET /account/…──▶ account_sign_in (awaiting_callback, keyed by `state`) ──/auth: sign in──▶
//   GET /account/callback: the code redeemed in-process ──▶ account_session (active, keyed by a hash of the cookie)
//
// A re-authentication (a sensitive change more than ACCOUNT_REAUTH_SECONDS after the sign-in) is the same round trip
// with `prompt=login`: it replaces the account session with one carrying the new sign-in time.

/** The account page's own session: which provider session it rides on, and when that sign-in happened. */
export interface AccountSessionData {
  accountId: string;
  /** The oidc-provider session (its `uid`) the code came from: the account page lives only as long as it. */
  sessionUid: string;
  /** When the member last proved who she is (epoch seconds; the code's `auth_time`). */
  authTime: number;
  acr?: string | undefined;
  amr?: string[] | undefined;
}

export interface AccountSignInData {
  /** The PKCE verifier of this round trip. */
  verifier: string;
  /** Where to go after the sign-in: an /account path (checked when the flow is made). */
  returnTo: string;
  /** A re-authentication for a sensitive change (`prompt=login`), not a first sign-in. */
  reauth: boolean;
  /** Ties the round trip to the browser that began it (csrf.binding). */
  binding: string;
}

declare module '../flow-store.js' {
  interface FlowKinds {
    account_session: { state: 'active'; data: AccountSessionData };
    account_sign_in: { state: 'awaiting_callback' | 'used'; data: AccountSignInData };
  }
}

/**
 * The email and phone sections' code step (address-step.ts), keyed by account and channel: where the code went. The
 * code (methods/address-verification) is the proof; this only names the address it is bound to and how to show it.
 */
export interface AccountAddressData {
  /** 'change': the code went to a new address; 'verify': to the address on file, to confirm it. */
  mode: 'change' | 'verify';
  channel: 'email' | 'sms';
  /** The address the code went to, normalised (the one email rule; E.164). */
  address: string;
  /** As the pages show it (a phone masked as the member typed it). */
  shown: string;
}

declare module '../flow-store.js' {
  interface FlowKinds {
    account_address: { state: 'awaiting_code'; data: AccountAddressData };
  }
}
