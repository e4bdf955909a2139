// A group of user-facing strings kept beside the others of its flow or section: the Vietnamese text (which fixes the
// ids) and the English text for every one of those ids. src/core/i18n.ts merges every group into one catalogue, so
// `t('account.email.title')` is typed like any other id.
export interface StringGroup<V extends Record<string, string>> {
  vi: V;
  en: Record<keyof V, string>;
}

export function defineStrings<const V extends Record<string, string>>(
  vi: V,
  en: Record<keyof V, string>,
): StringGroup<V> {
  return { vi, en };
}
