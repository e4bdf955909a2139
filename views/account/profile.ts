// "Hồ sơ" (/account/profile): what the agency's records say (read-only: name, birth date, the numbers masked) and how
// to have it corrected, then the one thing the member chooses here, the language of the pages.
import { HOTLINE, HOTLINE_HREF } from '../../src/core/hotline.js';
import { html } from '../../src/core/html.js';
import type { Locale } from '../../src/core/i18n.js';
import { fieldAttributes } from '../fields.js';
import { type AccountFrame, accountPage, maskNumber } from './layout.js';

export interface ProfileView {
  fullName: string;
  /** Already formatted (dd/mm/yyyy). */
  birthdate: string;
  bhxhNumber: string;
  nationalId: string | null;
  /** The language the member saved (null: none yet). */
  locale: Locale | null;
  csrfToken: string;
  saved?: boolean;
  error?: string | undefined;
}

export function profilePage(frame: AccountFrame, view: ProfileView): string {
  const { t } = frame.page;
  const field = fieldAttributes({
    order: ['locale'],
    errorId: view.error ? 'profile-error' : undefined,
    inError: ['locale'],
  });
  const choice = (locale: Locale, first: boolean) =>
    html`<label><input type="radio" name="locale" value="${locale}" id="locale-${locale}"${
      view.locale === locale ? html` checked` : ''
    }${first ? field('locale') : view.error ? html` aria-invalid="true"` : ''}> ${t(`account.profile.language.${locale}`)}</label>`;
  return accountPage(
    frame,
    t('account.section.profile'),
    html`
<dl class="facts" id="profile-facts">
  <dt>${t('account.profile.full_name')}</dt><dd id="profile-name">${view.fullName}</dd>
  <dt>${t('account.profile.birthdate')}</dt><dd id="profile-birthdate">${view.birthdate}</dd>
  <dt>${t('account.profile.bhxh_number')}</dt><dd id="profile-bhxh">${maskNumber(view.bhxhNumber)}</dd>
  <dt>${t('account.profile.national_id')}</dt><dd id="profile-national-id">${
    view.nationalId ? maskNumber(view.nationalId) : t('account.profile.national_id_none')
  }</dd>
</dl>
<p class="muted">${t('account.profile.masked_note')}</p>
<p id="profile-agency-note">${t('account.profile.agency_note')} <a href="${HOTLINE_HREF}">${HOTLINE}</a>.</p>
<h2 id="language">${t('account.profile.language.title')}</h2>
${view.saved ? html`<p class="notice-ok" role="status" id="profile-saved">${t('account.profile.language.saved')}</p>` : ''}
${view.error ? html`<div class="alert" role="alert" id="profile-error">${view.error}</div>` : ''}
<form method="post" action="/account/profile" novalidate>
  <input type="hidden" name="csrf" value="${view.csrfToken}">
  <fieldset class="choices"${view.error ? html` aria-describedby="profile-error"` : ''}>
    <legend>${t('account.profile.language.intro')}</legend>
    ${choice('vi', true)}
    ${choice('en', false)}
  </fieldset>
  ${view.locale ? '' : html`<p class="muted" id="locale-none">${t('account.profile.language.none')}</p>`}
  <button type="submit">${t('account.profile.language.submit')}</button>
</form>`,
  );
}
