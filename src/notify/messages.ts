// The messages the notification layer carries: what a template renders and what a sender delivers.

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmsMessage {
  /** E.164, for example +84912345678. */
  to: string;
  text: string;
}

/** What a template renders; the caller adds the recipient. */
export type EmailContent = Omit<EmailMessage, 'to'>;
export type SmsContent = Omit<SmsMessage, 'to'>;

export type Channel = 'email' | 'sms';
