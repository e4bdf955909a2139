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
  address?: string;
  /** Known only once the code is verified. */
  accountId?: string;
  /** The matched account's credential version when the code was issued (absent when nothing matched). */
  credentialVersion?: number;
}

declare module '../flow-store.js' {
  interface FlowKinds {
    /** Keyed by a random id in the URL, tied to the browser that started it (`binding`). */
    recovery: { state: RecoveryState; data: RecoveryData };
  }
}
