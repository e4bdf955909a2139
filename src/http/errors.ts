// Errors users see: a listed code with safe text in both languages; details stay in the logs. The error boundary
// (middleware.ts) renders each as one page (views/message.ts): its title and message, then the next step — back to
// the app when the error knows it, else the start page — and the hotline.
import type { MessageId } from '../core/i18n.js';
import type { AppLink } from '../core/self-link.js';

export const FLOW_ERRORS = {
  CSRF: { status: 403, title: 'error.csrf.title', message: 'error.csrf' },
  SESSION_EXPIRED: { status: 400, title: 'error.session_expired.title', message: 'error.session_expired' },
  INVALID_REQUEST: { status: 400, title: 'error.title', message: 'error.invalid_request' },
  NOT_FOUND: { status: 404, title: 'error.not_found.title', message: 'error.not_found' },
  FEDERATION_STATE: { status: 400, title: 'federation.failed.title', message: 'federation.bad_state' },
  /** The account's credentials changed after this step began (security/credential-change.ts): start again. */
  CREDENTIALS_CHANGED: { status: 409, title: 'error.credentials_changed.title', message: 'error.credentials_changed' },
  /**
   * The interaction was finished (signed in) or cancelled here before: Back, or a form sent again, after it ended
   * (flows/interaction.ts). Not a mistake of the member's: the page says so calmly, with a 200.
   */
  INTERACTION_COMPLETED: { status: 200, title: 'ended.completed.title', message: 'ended.completed' },
  INTERACTION_CANCELLED: { status: 200, title: 'ended.cancelled.title', message: 'ended.cancelled' },
} as const satisfies Record<string, { status: number; title: MessageId; message: MessageId }>;

export type FlowErrorCode = keyof typeof FLOW_ERRORS;

export interface FlowErrorOptions {
  detail?: Record<string, unknown>;
  cause?: unknown;
  /** The relying party to offer the way back to, when the page has no loaded interaction to take it from. */
  app?: AppLink | undefined;
  /** The language the relying party asked for (`ui_locales`), likewise. */
  uiLocales?: string | undefined;
}

export class FlowError extends Error {
  readonly status: number;
  readonly titleId: MessageId;
  readonly messageId: MessageId;
  constructor(
    readonly code: FlowErrorCode,
    readonly options: FlowErrorOptions = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'FlowError';
    this.status = FLOW_ERRORS[code].status;
    this.titleId = FLOW_ERRORS[code].title;
    this.messageId = FLOW_ERRORS[code].message;
  }
}
