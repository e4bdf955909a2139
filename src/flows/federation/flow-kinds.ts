// The kinds of flow the VNeID round trip and upstream logout keep in the flow store (src/flows/flow-store.ts).
// NOTE: the kinds that hold a sealed upstream ID token (`idTokenSealed`) are listed again in src/keys/reencrypt.ts,
// which re-seals them under a new key.
import type { MessageId } from '../../core/i18n.js';
import type { AuthorizationChecks } from '../../methods/vneid/upstream-client.js';

export type VneidState = 'awaiting_callback' | 'done';

/** The checks of one round trip (state, nonce, PKCE verifier) and the interaction that started it. */
export interface VneidFlowData extends AuthorizationChecks {
  uid: string;
}

/** A verified VNeID identity that matched no account, waiting for a password sign-in to link it (pending-link.ts). */
export interface PendingLink {
  issuer: string;
  subject: string;
  nationalId: string;
  level: 1 | 2;
  /** The upstream ID token for logout, sealed (src/flows/federation/upstream-logout.ts). */
  idTokenSealed?: string;
}

/**
 * The upstream session kept for logout. NOTE: the upstream ID token carries the national ID, the name and the birth
 * date: it is sealed at rest like every other secret (src/keys/sealer.ts), bound to this purpose, and kept no longer
 * than our session.
 */
export interface StoredUpstreamSession {
  issuer: string;
  idTokenSealed?: string;
}

/**
 * A VNeID round trip that ended short of a sign-in, kept so that its page can be reloaded and its language switched
 * (post/redirect/get): the callback's one-time code is used once, then the browser is sent to
 * /interaction/:uid/vneid/result, which renders this. Message ids, not text: the page is drawn in the language of
 * the request that shows it.
 */
export interface VneidProblem {
  status: number;
  title: MessageId;
  message: MessageId;
  messageVars?: Record<string, string>;
  next?: MessageId;
  retry?: boolean;
  passwordLabel?: MessageId;
}

declare module '../flow-store.js' {
  interface FlowKinds {
    /** The upstream round trip, keyed by its `state`. */
    vneid: { state: VneidState; data: VneidFlowData };
    /** Keyed by the interaction uid. */
    vneid_pending: { state: 'awaiting_password'; data: PendingLink };
    /** A VNeID sign-in's upstream session, keyed by the interaction uid until the provider makes it a session. */
    vneid_session_pending: { state: 'signed_in'; data: StoredUpstreamSession };
    /** The same, keyed by the uid of our session. */
    vneid_session: { state: 'signed_in'; data: StoredUpstreamSession };
    /** The last VNeID outcome of an interaction that is not a sign-in, keyed by the interaction uid. */
    vneid_result: { state: 'shown'; data: VneidProblem };
    /** Out to the upstream's end-session endpoint, keyed by its `state`: where the logout goes on to afterwards. */
    vneid_logout: { state: 'awaiting_return'; data: { returnTo: string } };
  }
}
