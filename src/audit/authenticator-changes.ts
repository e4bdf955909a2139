// The changes of a member's second factors and passkeys that are audited (`authenticator.changed`, detail.change) and
// told on every channel on file (notify: `authenticator_changed`). One list, read by the audit's plain sentences
// (activity.ts), the notice templates and src/security/authenticator-change.ts.
export const AUTHENTICATOR_CHANGES = [
  'totp_added',
  'totp_removed',
  'recovery_codes_regenerated',
  'recovery_code_used',
  'passkey_added',
  'passkey_removed',
  'passkey_clone_suspected',
  'two_step_reset',
] as const;

export type AuthenticatorChangeKind = (typeof AUTHENTICATOR_CHANGES)[number];
