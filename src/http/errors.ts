// Errors users see: a listed code with safe text in both languages; details stay in the logs.
import type { MessageId } from '../core/i18n.js';

export const FLOW_ERRORS = {
  CSRF: { status: 403, message: 'error.csrf' },
  SESSION_EXPIRED: { status: 400, message: 'error.session_expired' },
  INVALID_REQUEST: { status: 400, message: 'error.invalid_request' },
  NOT_FOUND: { status: 404, message: 'error.not_found' },
  FEDERATION_STATE: { status: 400, message: 'federation.bad_state' },
  /** The account's credentials changed after this step began (security/credential-change.ts): start again. */
  CREDENTIALS_CHANGED: { status: 409, message: 'error.credentials_changed' },
} as const satisfies Record<string, { status: number; message: MessageId }>;

export type FlowErrorCode = keyof typeof FLOW_ERRORS;

export class FlowError extends Error {
  readonly status: number;
  readonly messageId: MessageId;
  constructor(
    readonly code: FlowErrorCode,
    readonly options: { detail?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'FlowError';
    this.status = FLOW_ERRORS[code].status;
    this.messageId = FLOW_ERRORS[code].message;
  }
}
