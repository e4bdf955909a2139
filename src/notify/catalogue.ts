// The catalogue of messages: every purpose the outbox carries, the channels it goes by and the template of each.
// Callers name a purpose, a channel, a recipient and the template's parameters (`outbox.send`); a purpose on a
// channel it does not have, or parameters its template does not take, is a type error. The purpose is kept on the
// outbox row and binds its sealed payload; the worker reads it from the row, not from here, so rows queued before a
// change to this catalogue are still delivered.
//
// Why an entry is marked `secret`: a code or a password goes only to a verified address
// (security/deliverable-address.ts); only the other purposes on both channels are notices that every address on file
// may hear (notify-every-channel.ts).
import type { Channel, EmailContent, EmailMessage, SmsContent, SmsMessage } from './messages.js';
import {
  addressVerificationEmail,
  addressVerificationSms,
  emailChangedEmail,
  emailChangedSms,
  emailRemovedEmail,
  emailRemovedSms,
  passwordChangedEmail,
  passwordChangedSms,
  phoneChangedEmail,
  phoneChangedSms,
  recoveryCodeEmail,
  recoveryCodeSms,
  smsHelpReply,
  smsMismatchReply,
  temporaryPasswordEmail,
  temporaryPasswordSms,
  vneidLinkedEmail,
  vneidLinkedSms,
  vneidLinkRemovedEmail,
  vneidLinkRemovedSms,
  vneidUnlinkedEmail,
  vneidUnlinkedSms,
  sessionsEndedEmail,
  sessionsEndedSms,
  appAccessRemovedEmail,
  appAccessRemovedSms,
  authenticatorChangedEmail,
  authenticatorChangedSms,
} from './templates.js';

interface Entry {
  /** It carries a code or a password. */
  secret: boolean;
  /** The channels it goes by, each with its template. */
  channels: { email?: (params: never) => EmailContent; sms?: (params: never) => SmsContent };
}

export const CATALOGUE = {
  recovery_code: { secret: true, channels: { email: recoveryCodeEmail, sms: recoveryCodeSms } },
  address_verification: { secret: true, channels: { email: addressVerificationEmail, sms: addressVerificationSms } },
  temporary_password: { secret: true, channels: { email: temporaryPasswordEmail, sms: temporaryPasswordSms } },
  password_changed: { secret: false, channels: { email: passwordChangedEmail, sms: passwordChangedSms } },
  vneid_linked: { secret: false, channels: { email: vneidLinkedEmail, sms: vneidLinkedSms } },
  vneid_link_removed: { secret: false, channels: { email: vneidLinkRemovedEmail, sms: vneidLinkRemovedSms } },
  // The member removed a link herself (the account page's VNeID section).
  vneid_unlinked: { secret: false, channels: { email: vneidUnlinkedEmail, sms: vneidUnlinkedSms } },
  // Replies to whoever texted the short code (channels/sms-inbound.ts).
  sms_inbound_help: { secret: false, channels: { sms: smsHelpReply } },
  sms_inbound_mismatch: { secret: false, channels: { sms: smsMismatchReply } },
  // The account page's sessions and apps (issue 16), and the CLI's end-sessions and revoke-grant.
  sessions_ended: { secret: false, channels: { email: sessionsEndedEmail, sms: sessionsEndedSms } },
  app_access_removed: { secret: false, channels: { email: appAccessRemovedEmail, sms: appAccessRemovedSms } },
  // The account page's address changes (src/security/address-change.ts): to the addresses on file before the change.
  email_changed: { secret: false, channels: { email: emailChangedEmail, sms: emailChangedSms } },
  email_removed: { secret: false, channels: { email: emailRemovedEmail, sms: emailRemovedSms } },
  phone_changed: { secret: false, channels: { email: phoneChangedEmail, sms: phoneChangedSms } },
  // Second factors and passkeys (src/security/authenticator-change.ts): one purpose, the change as a parameter.
  authenticator_changed: {
    secret: false,
    channels: { email: authenticatorChangedEmail, sms: authenticatorChangedSms },
  },
} as const satisfies Record<string, Entry>;

type Catalogue = typeof CATALOGUE;

/** Why a message is sent: a key of the catalogue (lower-case letters, digits and underscores, the outbox's rule). */
export type MessagePurpose = keyof Catalogue;

/** The channels a purpose goes by. */
export type ChannelOf<P extends MessagePurpose> = keyof Catalogue[P]['channels'] & Channel;

/** The purposes every address on file may hear: on both channels, no secret. */
export type NoticePurpose = {
  [P in MessagePurpose]: Catalogue[P]['secret'] extends false ? (Channel extends ChannelOf<P> ? P : never) : never;
}[MessagePurpose];

type ParamsOf<T> = T extends (params: infer X) => unknown ? X : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * What the template of `P` on channel `C` takes. For a channel known only as a union (`'email' | 'sms'`), what every
 * one of them takes, so the same parameters serve whichever it turns out to be.
 */
export type MessageParams<P extends MessagePurpose, C extends Channel> = Intersection<
  C extends ChannelOf<P> ? ParamsOf<Catalogue[P]['channels'][C]> : never
>;

/** A message asked for by purpose: `params` only when its template takes some. */
export type CatalogueMessage<P extends MessagePurpose, C extends ChannelOf<P>> = {
  purpose: P;
  channel: C;
  to: string;
} & (unknown extends MessageParams<P, C> ? { params?: undefined } : { params: MessageParams<P, C> });

/** A rendered message for the outbox: one channel, its content and recipient, and why it is sent. */
export type OutboundMessage = (({ channel: 'email' } & EmailMessage) | ({ channel: 'sms' } & SmsMessage)) & {
  purpose: MessagePurpose;
};

type AnyTemplate = (params: unknown) => EmailContent | SmsContent;

/** Renders the purpose's template for the channel. */
export function composeMessage<P extends MessagePurpose, C extends ChannelOf<P>>(
  message: CatalogueMessage<P, C>,
): OutboundMessage {
  const { purpose, channel, to, params } = message;
  // The types rule this out; the check keeps a caller that is not type-checked from sending an empty message.
  const templates = CATALOGUE[purpose].channels as Partial<Record<Channel, AnyTemplate>>;
  const template = templates[channel];
  if (!template) throw new Error(`messages: ${purpose} has no ${channel} template`);
  return { channel, to, purpose, ...template(params) } as OutboundMessage;
}
