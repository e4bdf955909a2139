// The kinds of flow the sign-in flow keeps in the flow store (src/flows/flow-store.ts), and the notice other flows
// leave for it.
/**
 * `stale`: the credentials changed under the step (a reset, a newer temporary password, a parallel post that won).
 * Kept, not deleted, until it expires or a new sign-in replaces it, so every late post of that page is told to start
 * again, not that the session expired.
 */
export type LoginState = 'awaiting_new_password' | 'done' | 'stale';

export interface LoginFlowData {
  accountId: string;
  /** Why a new password is needed: a temporary password was used, or the account demands a change. */
  via: 'temporary_password' | 'must_change_password';
  /** The account's credential version when the password was checked. */
  credentialVersion: number;
}

/**
 * A notice for the sign-in page of one authorization request, keyed by its interaction uid. Left by password
 * recovery (flows/recovery) when a reset begun on that request is done; read by the sign-in page, which says so
 * and fills in the number.
 */
export interface LoginNotice {
  bhxhNumber: string;
}

declare module '../flow-store.js' {
  interface FlowKinds {
    /** The new-password step, keyed by the interaction uid (awaiting_credentials has no row). */
    login: { state: LoginState; data: LoginFlowData };
    login_notice: { state: 'password_reset'; data: LoginNotice };
  }
}
