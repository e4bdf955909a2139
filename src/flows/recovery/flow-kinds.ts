// The kind of flow password recovery keeps in the flow store (src/flows/flow-store.ts); the states are drawn in
// routes.ts.
import type { RecoveryMethodId } from '../../methods/recovery-method.js';

export type RecoveryState = 'awaiting_address' | 'awaiting_code' | 'awaiting_password' | 'done';

export interface RecoveryData {
  method: RecoveryMethodId;
  binding: string;
  interactionUid?: string;
  uiLocales?: string;
  bhxhNumber?: string;
  /** The address as normalised (what the code goes to when it matches). */
  address?: string;
  /** The address as the code page names it: the phone masked in the form the member typed it (methods/sms-code). */
  shownAddress?: string;
  /**
   * The earlier code of the same requester (this browser, the same details) this flow continues, when its own request
   * was refused: verification accepts it too (methods/codes/code-store.ts).
   */
  continuesCode?: string;
  /** The last request was refused because this browser had asked within the cooldown: what the page then says. */
  repeat?: { live: boolean; resendAfter: string };
  /** Known only once the code is verified. */
  accountId?: string;
  /**
   * The matched account's credential version when the code the flow verifies was issued (absent when nothing
   * matched): of its own code, or of the earlier code it continues.
   */
  credentialVersion?: number;
}

declare module '../flow-store.js' {
  interface FlowKinds {
    /** Keyed by a random id in the URL, tied to the browser that started it (`binding`). */
    recovery: { state: RecoveryState; data: RecoveryData };
  }
}
