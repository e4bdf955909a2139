// The agency's one hotline, as members see it and as a phone dials it. Pages (core/i18n.ts, views/message.ts) and
// messages (notify/templates.ts) take it from here.
export const HOTLINE = '1900 9068';

/** The `tel:` link of the hotline (digits only). */
export const HOTLINE_HREF = `tel:${HOTLINE.replace(/\D/g, '')}`;
