// Message templates by purpose. Emails: Vietnamese first, English below, a plain-text and an HTML part rendered from
// the same paragraphs. SMS: Vietnamese without diacritics (GSM-7), one 160-character segment.
// NOTE: every link is the issuer passed in (from configuration), never a request's Host header; every value in HTML is
// escaped by core/html.ts.
import { html, type SafeHtml } from '../core/html.js';
import { HOTLINE } from '../core/hotline.js';
import { formatVietnamTime } from '../core/vietnam-time.js';
import { maskEmailAddress, maskPhoneNumber } from '../core/masking.js';
import type { EmailContent, SmsContent } from './messages.js';
import type { AuthenticatorChangeKind } from '../audit/authenticator-changes.js';

/** A run of text in a paragraph: plain, strong, or a link to the issuer. */
type Segment = string | { strong: string } | { link: string };
/** A paragraph, or the code on a line of its own. */
type Block = Segment[] | { code: string };

interface Email {
  subject: string;
  vi: Block[];
  en: Block[];
}

function renderText(blocks: Block[]): string {
  return blocks
    .map((block) =>
      'code' in block
        ? `    ${block.code}`
        : block.map((s) => (typeof s === 'string' ? s : 'strong' in s ? s.strong : s.link)).join(''),
    )
    .join('\n\n');
}

function renderHtml(blocks: Block[]): SafeHtml[] {
  return blocks.map((block) => {
    if ('code' in block) return html`<h2>${block.code}</h2>\n`;
    const parts = block.map((s) =>
      typeof s === 'string'
        ? html`${s}`
        : 'strong' in s
          ? html`<strong>${s.strong}</strong>`
          : html`<a href="${s.link}">${s.link}</a>`,
    );
    return html`<p>${parts}</p>\n`;
  });
}

function renderEmail(email: Email): EmailContent {
  const text = `${renderText(email.vi)}\n\n----- English -----\n\n${renderText(email.en)}\n`;
  const body = html`<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${email.subject}</title></head>
<body>
<div lang="vi">
${renderHtml(email.vi)}</div>
<hr>
<div lang="en">
${renderHtml(email.en)}</div>
</body>
</html>
`;
  return { subject: email.subject, text, html: body.value };
}

/** The issuer as an absolute http(s) URL without query or fragment; anything else is a wiring mistake. */
function officialSite(issuer: string): string {
  const url = new URL(issuer);
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new Error('templates: the issuer must be a plain http(s) URL');
  }
  return issuer;
}

/** Codes are short and alphanumeric; checked so nothing else can reach an SMS or a subject. */
function checkCode(code: string): string {
  if (!/^[0-9A-Za-z]{4,12}$/.test(code)) throw new Error('templates: a code must be 4 to 12 letters or digits');
  return code;
}

function checkMinutes(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 999)
    throw new Error('templates: minutes must be a whole number from 1 to 999');
  return minutes;
}

const scamWarningVi: Block = [
  { strong: 'Cảnh báo lừa đảo: ' },
  'Dịch vụ hoàn toàn miễn phí. Tuyệt đối không cung cấp mã này cho bất kỳ ai, kể cả người tự xưng là cán bộ BHXH. ',
  `Tổng đài chính thức duy nhất của BHXH Việt Nam là ${HOTLINE}.`,
];
const scamWarningEn: Block = [
  { strong: 'Scam warning: ' },
  'This service is free. Never give this code to anyone, including callers who say they are BHXH staff. ',
  `The only official hotline of Vietnam Social Security is ${HOTLINE}.`,
];

/** What an emailed code says: the code, how long it lives, and the official site to type it on. */
export interface EmailCodeParams {
  code: string;
  minutes: number;
  issuer: string;
}

/** The code that lets a member reset a forgotten password (email recovery). */
export function recoveryCodeEmail({ code, minutes, issuer }: EmailCodeParams): EmailContent {
  checkCode(code);
  checkMinutes(minutes);
  const site = officialSite(issuer);
  return renderEmail({
    subject: '[BHXH] Mã xác thực đặt lại mật khẩu / Password reset code',
    vi: [
      ['Xin chào,'],
      ['Mã xác thực để đặt lại mật khẩu tài khoản BHXH ID của bạn là:'],
      { code },
      [`Mã có hiệu lực trong ${minutes} phút. Chỉ nhập mã trên trang chính thức: `, { link: site }],
      scamWarningVi,
      ['Nếu bạn không yêu cầu đặt lại mật khẩu, hãy bỏ qua thư này: mật khẩu của bạn không thay đổi.'],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      ['Your BHXH ID password reset code is:'],
      { code },
      [`The code is valid for ${minutes} minutes. Only enter it on the official site: `, { link: site }],
      scamWarningEn,
      ['If you did not ask to reset your password, ignore this email: your password has not changed.'],
      ['Vietnam Social Security'],
    ],
  });
}

/** The code that proves the member controls the email on file (src/methods/address-verification). */
export function addressVerificationEmail({ code, minutes, issuer }: EmailCodeParams): EmailContent {
  checkCode(code);
  checkMinutes(minutes);
  const site = officialSite(issuer);
  return renderEmail({
    subject: '[BHXH] Mã xác nhận địa chỉ email / Email address verification code',
    vi: [
      ['Xin chào,'],
      ['Mã xác nhận địa chỉ email này cho tài khoản BHXH ID của bạn là:'],
      { code },
      [`Mã có hiệu lực trong ${minutes} phút. Chỉ nhập mã trên trang chính thức: `, { link: site }],
      scamWarningVi,
      ['Nếu bạn không yêu cầu, hãy bỏ qua thư này: địa chỉ sẽ không được xác nhận.'],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      ['Your code to confirm this email address for your BHXH ID account is:'],
      { code },
      [`The code is valid for ${minutes} minutes. Only enter it on the official site: `, { link: site }],
      scamWarningEn,
      ['If you did not ask for it, ignore this email: the address will not be confirmed.'],
      ['Vietnam Social Security'],
    ],
  });
}

export function passwordChangedEmail({ when, issuer }: { when: Date; issuer: string }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  return renderEmail({
    subject: '[BHXH] Mật khẩu của bạn đã được thay đổi / Your password was changed',
    vi: [
      ['Xin chào,'],
      ['Mật khẩu tài khoản BHXH ID của bạn đã được thay đổi lúc ', { strong: `${time} (giờ Việt Nam)` }, '.'],
      [
        'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
        { strong: `Nếu không phải bạn thực hiện, hãy gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      [
        'Dịch vụ hoàn toàn miễn phí. BHXH không bao giờ hỏi mật khẩu hay mã xác thực của bạn. Trang đăng nhập chính thức: ',
        { link: site },
      ],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      ['The password of your BHXH ID account was changed on ', { strong: `${time} (Vietnam time)` }, '.'],
      [
        'If this was you, there is nothing more to do. ',
        { strong: `If it was not you, call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['This service is free. BHXH never asks for your password or codes. The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

/** Sent by every channel on file when a VNeID identity is linked to the account (see flows/federation). */
export function vneidLinkedEmail({ when, issuer }: { when: Date; issuer: string }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  return renderEmail({
    subject: '[BHXH] Tài khoản VNeID đã được liên kết / A VNeID account was linked',
    vi: [
      ['Xin chào,'],
      [
        'Một tài khoản định danh điện tử VNeID đã được liên kết với tài khoản BHXH ID của bạn lúc ',
        { strong: `${time} (giờ Việt Nam)` },
        '. Từ nay bạn có thể đăng nhập bằng VNeID.',
      ],
      [
        'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
        { strong: `Nếu không phải bạn thực hiện, hãy gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [
        'A VNeID electronic identity was linked to your BHXH ID account on ',
        { strong: `${time} (Vietnam time)` },
        '. You can now sign in with VNeID.',
      ],
      [
        'If this was you, there is nothing more to do. ',
        { strong: `If it was not you, call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

/** The VNeID links made with a password were removed by a password change or reset (they never outlive one). */
export function vneidLinkRemovedEmail({ when, issuer }: { when: Date; issuer: string }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  return renderEmail({
    subject: '[BHXH] Liên kết VNeID đã được gỡ / A VNeID link was removed',
    vi: [
      ['Xin chào,'],
      [
        'Mật khẩu tài khoản BHXH ID của bạn đã được thay đổi lúc ',
        { strong: `${time} (giờ Việt Nam)` },
        '. Vì vậy, liên kết VNeID được tạo bằng mật khẩu đã được gỡ bỏ.',
      ],
      [
        'Nếu tài khoản VNeID đó là của bạn, hãy đăng nhập bằng VNeID và liên kết lại, hoặc mang căn cước công dân đến cơ quan BHXH để được xác nhận. ',
        { strong: `Nếu bạn không tạo liên kết đó, hãy gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [
        'The password of your BHXH ID account was changed on ',
        { strong: `${time} (Vietnam time)` },
        '. The VNeID link that was made with a password has therefore been removed.',
      ],
      [
        'If that VNeID account is yours, sign in with VNeID and link it again, or bring your citizen ID card to a BHXH office to have it confirmed. ',
        { strong: `If you did not make that link, call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

// Address changes (src/security/address-change.ts): told to every address on file before the change, never to the new
// one (it got only the code). The new address is masked here, in the template, so no notice can carry it in full.

/** What an address-change notice says about the new address: the full address, masked by the template. */
export interface AddressChangeParams {
  when: Date;
  /** The new address as written on file (normalised email, or E.164); only its masked form reaches the message. */
  address: string;
  /** There was none on file before (added rather than changed). */
  added: boolean;
}

const ifNotYouVi: Block = [
  'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
  { strong: `Nếu không phải bạn thực hiện, hãy gọi ngay ${HOTLINE}` },
  ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
];
const ifNotYouEn: Block = [
  'If this was you, there is nothing more to do. ',
  { strong: `If it was not you, call ${HOTLINE} now` },
  ' (the only official hotline of Vietnam Social Security).',
];

/** The email on file was changed (or one was added) on the account page. */
export function emailChangedEmail({
  when,
  issuer,
  address,
  added,
}: AddressChangeParams & { issuer: string }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  const masked = maskEmailAddress(address);
  return renderEmail({
    subject: added
      ? '[BHXH] Email đã được thêm vào tài khoản / An email address was added'
      : '[BHXH] Email tài khoản đã được thay đổi / Your email address was changed',
    vi: [
      ['Xin chào,'],
      added
        ? [
            'Địa chỉ email ',
            { strong: masked },
            ' đã được thêm vào tài khoản BHXH ID của bạn lúc ',
            { strong: `${time} (giờ Việt Nam)` },
            '.',
          ]
        : [
            'Email của tài khoản BHXH ID của bạn đã được đổi thành ',
            { strong: masked },
            ' lúc ',
            { strong: `${time} (giờ Việt Nam)` },
            '. Mã đặt lại mật khẩu sẽ được gửi tới địa chỉ mới.',
          ],
      ifNotYouVi,
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      added
        ? [
            'The email address ',
            { strong: masked },
            ' was added to your BHXH ID account on ',
            { strong: `${time} (Vietnam time)` },
            '.',
          ]
        : [
            'The email address of your BHXH ID account was changed to ',
            { strong: masked },
            ' on ',
            { strong: `${time} (Vietnam time)` },
            '. Password reset codes will go to the new address.',
          ],
      ifNotYouEn,
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

/** The email on file was removed on the account page. */
export function emailRemovedEmail({ when, issuer }: { when: Date; issuer: string }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  return renderEmail({
    subject: '[BHXH] Email đã bị xóa khỏi tài khoản / Your email address was removed',
    vi: [
      ['Xin chào,'],
      [
        'Địa chỉ email này đã được xóa khỏi tài khoản BHXH ID của bạn lúc ',
        { strong: `${time} (giờ Việt Nam)` },
        '. Từ nay bạn sẽ không nhận được mã đặt lại mật khẩu qua email.',
      ],
      ifNotYouVi,
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [
        'This email address was removed from your BHXH ID account on ',
        { strong: `${time} (Vietnam time)` },
        '. You will no longer receive password reset codes by email.',
      ],
      ifNotYouEn,
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

/** The phone on file was changed (or one was added) on the account page; the new number cools off for `coolingHours`. */
export function phoneChangedEmail({
  when,
  issuer,
  address,
  added,
  coolingHours,
}: AddressChangeParams & { issuer: string; coolingHours: number }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  const masked = maskPhoneNumber(address);
  return renderEmail({
    subject: added
      ? '[BHXH] Số điện thoại đã được thêm vào tài khoản / A phone number was added'
      : '[BHXH] Số điện thoại tài khoản đã được thay đổi / Your phone number was changed',
    vi: [
      ['Xin chào,'],
      added
        ? [
            'Số điện thoại ',
            { strong: masked },
            ' đã được thêm vào tài khoản BHXH ID của bạn lúc ',
            { strong: `${time} (giờ Việt Nam)` },
            '.',
          ]
        : [
            'Số điện thoại của tài khoản BHXH ID của bạn đã được đổi thành ',
            { strong: masked },
            ' lúc ',
            { strong: `${time} (giờ Việt Nam)` },
            '.',
          ],
      ...(coolingHours > 0
        ? [
            [
              `Để phòng kẻ gian chiếm đoạt SIM, trong ${coolingHours} giờ tới số mới chưa dùng được để lấy lại mật khẩu (tin nhắn BH MK, tổng đài, mã qua SMS).`,
            ],
          ]
        : []),
      ifNotYouVi,
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      added
        ? [
            'The phone number ',
            { strong: masked },
            ' was added to your BHXH ID account on ',
            { strong: `${time} (Vietnam time)` },
            '.',
          ]
        : [
            'The phone number of your BHXH ID account was changed to ',
            { strong: masked },
            ' on ',
            { strong: `${time} (Vietnam time)` },
            '.',
          ],
      ...(coolingHours > 0
        ? [
            [
              `To guard against SIM-swap fraud, the new number cannot be used to recover the password (BH MK text, hotline, SMS code) for the next ${coolingHours} hours.`,
            ],
          ]
        : []),
      ifNotYouEn,
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

/** The GSM 03.38 basic character set (no escapes): text made only of these fits 160 characters per segment. */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** True when the text is GSM-7 (basic set) and fits one 160-character segment. */
export function fitsOneSmsSegment(text: string): boolean {
  return text.length <= 160 && Array.from(text).every((c) => GSM7_BASIC.includes(c));
}

function sms(text: string): SmsContent {
  // NOTE: a longer or non-GSM text would be split or sent as UCS-2 (70 characters): refuse it here instead.
  if (!fitsOneSmsSegment(text)) throw new Error('templates: an SMS must be GSM-7 and at most 160 characters');
  return { text };
}

export function recoveryCodeSms({ code, minutes }: { code: string; minutes: number }): SmsContent {
  return sms(
    `BHXH: Ma dat lai mat khau ${checkCode(code)}, hieu luc ${checkMinutes(minutes)} phut. Mien phi. KHONG dua ma cho ai, ke ca nguoi xung la can bo BHXH. Tong dai duy nhat: ${HOTLINE}`,
  );
}

/** The code that proves the member controls the phone on file (src/methods/address-verification). */
export function addressVerificationSms({ code, minutes }: { code: string; minutes: number }): SmsContent {
  return sms(
    `BHXH: Ma xac nhan so dien thoai ${checkCode(code)}, hieu luc ${checkMinutes(minutes)} phut. Mien phi. KHONG dua ma cho ai, ke ca nguoi xung la can bo BHXH. Tong dai: ${HOTLINE}`,
  );
}

export function passwordChangedSms({ when }: { when: Date }): SmsContent {
  return sms(
    `BHXH: Mat khau cua ban da duoc doi luc ${formatVietnamTime(when)}. Neu khong phai ban thuc hien, hay goi ngay ${HOTLINE}. BHXH khong bao gio hoi mat khau, ma OTP.`,
  );
}

export function vneidLinkedSms({ when }: { when: Date }): SmsContent {
  return sms(
    `BHXH: Tai khoan VNeID da duoc lien ket voi tai khoan BHXH cua ban luc ${formatVietnamTime(when)}. Neu khong phai ban, hay goi ngay ${HOTLINE}.`,
  );
}

export function vneidLinkRemovedSms({ when }: { when: Date }): SmsContent {
  return sms(
    `BHXH: Mat khau doi luc ${formatVietnamTime(when)} nen lien ket VNeID tao bang mat khau da bi go. Neu khong phai ban tao lien ket do, hay goi ngay ${HOTLINE}.`,
  );
}

/** The member removed a VNeID link herself, on the account page ("Gỡ liên kết"). */
export function vneidUnlinkedEmail({ when, issuer }: { when: Date; issuer: string }): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  return renderEmail({
    subject: '[BHXH] Liên kết VNeID đã được gỡ / A VNeID link was removed',
    vi: [
      ['Xin chào,'],
      [
        'Liên kết giữa tài khoản định danh điện tử VNeID và tài khoản BHXH ID của bạn đã được gỡ trên trang thông tin tài khoản lúc ',
        { strong: `${time} (giờ Việt Nam)` },
        '. Tài khoản VNeID đó không còn dùng để đăng nhập vào BHXH ID được nữa.',
      ],
      [
        'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
        { strong: `Nếu không phải bạn thực hiện, hãy đổi mật khẩu và gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [
        'The link between a VNeID electronic identity and your BHXH ID account was removed on your account details page on ',
        { strong: `${time} (Vietnam time)` },
        '. That VNeID account can no longer be used to sign in to BHXH ID.',
      ],
      [
        'If this was you, there is nothing more to do. ',
        { strong: `If it was not you, change your password and call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

export function vneidUnlinkedSms({ when }: { when: Date }): SmsContent {
  return sms(
    `BHXH: Lien ket VNeID voi tai khoan BHXH cua ban da duoc go luc ${formatVietnamTime(when)}. Neu khong phai ban, hay doi mat khau va goi ngay ${HOTLINE}.`,
  );
}

export function emailChangedSms({ when, address, added }: AddressChangeParams): SmsContent {
  const masked = maskEmailAddress(address, '*');
  return sms(
    added
      ? `BHXH: Email ${masked} da duoc them vao tai khoan BHXH cua ban luc ${formatVietnamTime(when)}. Neu khong phai ban, hay goi ngay ${HOTLINE}.`
      : `BHXH: Email tai khoan BHXH cua ban da doi thanh ${masked} luc ${formatVietnamTime(when)}. Neu khong phai ban, hay goi ngay ${HOTLINE}.`,
  );
}

export function emailRemovedSms({ when }: { when: Date }): SmsContent {
  return sms(
    `BHXH: Email da bi xoa khoi tai khoan BHXH cua ban luc ${formatVietnamTime(when)}. Neu khong phai ban, hay goi ngay ${HOTLINE}.`,
  );
}

/** To the old number: the new one masked (the cooling-off is said on the page and in the email). */
export function phoneChangedSms({ when, address, added }: AddressChangeParams): SmsContent {
  const masked = maskPhoneNumber(address, '*').replace(/ /g, '');
  return sms(
    added
      ? `BHXH: So ${masked} da duoc them vao tai khoan BHXH cua ban luc ${formatVietnamTime(when)}. Neu khong phai ban, hay goi ngay ${HOTLINE}.`
      : `BHXH: So dien thoai tai khoan BHXH cua ban da doi sang ${masked} luc ${formatVietnamTime(when)}. Neu khong phai ban, hay goi ngay ${HOTLINE}.`,
  );
}

/** The short code members text `BH MK <mã số BHXH>` to. */
export const SHORT_CODE = '8079';

/** What a temporary password's message says: the password, how long it lives, and whether it ended a live one. */
export interface TemporaryPasswordParams {
  password: string;
  minutes: number;
  /** It replaced a temporary password that was still live: the member is told the earlier one no longer works. */
  replacesEarlier?: boolean;
}

/** A temporary password (SMS keyword, hotline without a verified caller ID, office reset): how long, once, change it at
 * once, never share it; and, when it replaced a live one, that the earlier one no longer works. */
export function temporaryPasswordSms({ password, minutes, replacesEarlier }: TemporaryPasswordParams): SmsContent {
  if (!/^[0-9a-z]{6,16}$/.test(password)) throw new Error('templates: unexpected temporary password format');
  checkMinutes(minutes);
  // NOTE: one segment even at 16 characters and 999 minutes: the notice costs "MK" for "mat khau" and a shorter ask.
  return sms(
    replacesEarlier
      ? `BHXH: MK tam thoi ${password}, hieu luc ${minutes} phut, dung 1 lan, doi MK khi dang nhap; MK tam truoc do het hieu luc. KHONG dua MK cho ai. Tong dai: ${HOTLINE}`
      : `BHXH: Mat khau tam thoi ${password}, hieu luc ${minutes} phut, dung 1 lan; phai doi mat khau khi dang nhap lan dau. KHONG dua mat khau cho ai. Tong dai: ${HOTLINE}`,
  );
}

/** The same reply for an unknown number, a sender that is not the phone on file, and a disabled account. */
export function smsMismatchReply(): SmsContent {
  return sms(
    `BHXH: So dien thoai va ma so bao hiem khong khop hoac chua dang ky voi co quan BHXH. Ho tro: goi ${HOTLINE}`,
  );
}

/** Any text that is not the keyword. */
export function smsHelpReply(): SmsContent {
  return sms(
    `BHXH: De lay mat khau tam thoi, soan BH MK <ma so BHXH> gui ${SHORT_CODE} tu so dien thoai da dang ky voi BHXH. Ho tro: goi ${HOTLINE}`,
  );
}

/** The office reset's temporary password by email. */
export function temporaryPasswordEmail({
  password,
  minutes,
  issuer,
  replacesEarlier,
}: TemporaryPasswordParams & { issuer: string }): EmailContent {
  if (!/^[a-z0-9]{8,16}$/.test(password))
    throw new Error('templates: a temporary password is 8–16 lower-case letters and digits');
  checkMinutes(minutes);
  const site = officialSite(issuer);
  return renderEmail({
    subject: '[BHXH] Mật khẩu tạm thời / Temporary password',
    vi: [
      ['Xin chào,'],
      ['Theo yêu cầu của bạn tại cơ quan BHXH, mật khẩu tạm thời của bạn là:'],
      { code: password },
      [
        `Mật khẩu chỉ dùng được một lần trong ${minutes} phút. Hãy đăng nhập tại `,
        { link: site },
        ' và đặt mật khẩu mới ngay.',
      ],
      ...(replacesEarlier ? [['Mật khẩu tạm thời cấp trước đó không còn dùng được.']] : []),
      scamWarningVi,
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      ['As you asked at a social insurance office, your temporary password is:'],
      { code: password },
      [`It works once, within ${minutes} minutes. Sign in at `, { link: site }, ' and choose a new password at once.'],
      ...(replacesEarlier ? [['The temporary password issued before this one no longer works.']] : []),
      scamWarningEn,
      ['Vietnam Social Security'],
    ],
  });
}

// The account page: sessions and apps (issue 16, items 7 and 8; also the CLI's end-sessions and revoke-grant).

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > 999) throw new Error('templates: a count is 1 to 999');
  return count;
}

/** Sessions of the account were ended (signed out remotely from the account page, or by an operator). */
export function sessionsEndedEmail({
  when,
  issuer,
  count,
}: {
  when: Date;
  issuer: string;
  count: number;
}): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  checkCount(count);
  return renderEmail({
    subject: '[BHXH] Đã đăng xuất khỏi thiết bị khác / Signed out of other devices',
    vi: [
      ['Xin chào,'],
      [
        `Tài khoản BHXH ID của bạn đã được đăng xuất khỏi ${count} thiết bị hoặc trình duyệt lúc `,
        { strong: `${time} (giờ Việt Nam)` },
        '. Ở đó cần đăng nhập lại.',
      ],
      [
        'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
        { strong: `Nếu không phải bạn thực hiện, hãy đổi mật khẩu và gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [
        `Your BHXH ID account was signed out of ${count} ${count === 1 ? 'device or browser' : 'devices or browsers'} on `,
        { strong: `${time} (Vietnam time)` },
        '. Signing in there again is needed.',
      ],
      [
        'If this was you, there is nothing more to do. ',
        { strong: `If it was not you, change your password and call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

export function sessionsEndedSms({ when, count }: { when: Date; count: number }): SmsContent {
  return sms(
    `BHXH: Tai khoan BHXH cua ban da duoc dang xuat khoi ${checkCount(count)} thiet bi luc ${formatVietnamTime(when)}. Neu khong phai ban, hay doi mat khau va goi ngay ${HOTLINE}.`,
  );
}

/** An app's access to the account was removed (its grant, tokens and sessions ended). */
export function appAccessRemovedEmail({
  when,
  issuer,
  app,
}: {
  when: Date;
  issuer: string;
  app: string;
}): EmailContent {
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  // A registered client's name, as the consent page shows it; cut so a long one cannot fill the message.
  const name = Array.from(app).slice(0, 80).join('');
  return renderEmail({
    subject: '[BHXH] Đã gỡ quyền truy cập của ứng dụng / An app no longer has access',
    vi: [
      ['Xin chào,'],
      [
        'Quyền truy cập tài khoản BHXH ID của ứng dụng ',
        { strong: name },
        ' đã được gỡ lúc ',
        { strong: `${time} (giờ Việt Nam)` },
        '. Ứng dụng sẽ cần bạn đăng nhập và đồng ý lại nếu muốn dùng tiếp.',
      ],
      [
        'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
        { strong: `Nếu không phải bạn thực hiện, hãy đổi mật khẩu và gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [
        'The access of the app ',
        { strong: name },
        ' to your BHXH ID account was removed on ',
        { strong: `${time} (Vietnam time)` },
        '. The app will need you to sign in and agree again to go on using it.',
      ],
      [
        'If this was you, there is nothing more to do. ',
        { strong: `If it was not you, change your password and call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

export function appAccessRemovedSms({ when }: { when: Date }): SmsContent {
  return sms(
    `BHXH: Quyen truy cap cua mot ung dung vao tai khoan BHXH cua ban da duoc go luc ${formatVietnamTime(when)}. Neu khong phai ban thuc hien, hay goi ngay ${HOTLINE}.`,
  );
}

/**
 * What changed among the member's second factors and passkeys (src/security/authenticator-change.ts). Each is told on
 * every channel on file; none carries a secret (never the TOTP secret, a recovery code or a passkey's name).
 */
const AUTHENTICATOR_CHANGE_WORDS: Record<
  AuthenticatorChangeKind,
  { subjectVi: string; subjectEn: string; vi: string; en: string; sms: string }
> = {
  totp_added: {
    subjectVi: 'Đã bật xác minh hai bước',
    subjectEn: 'Two-step verification turned on',
    vi: 'Một ứng dụng xác thực đã được thêm vào tài khoản BHXH ID của bạn: từ nay, sau mật khẩu, trang đăng nhập sẽ hỏi mã 6 chữ số của ứng dụng',
    en: 'An authenticator app was added to your BHXH ID account: from now on, after the password, the sign-in page asks for its 6-digit code',
    sms: 'Da bat xac minh hai buoc (ung dung xac thuc)',
  },
  totp_removed: {
    subjectVi: 'Đã tắt xác minh hai bước',
    subjectEn: 'Two-step verification turned off',
    vi: 'Ứng dụng xác thực và các mã dự phòng đã được gỡ khỏi tài khoản BHXH ID của bạn: đăng nhập bằng mật khẩu không còn hỏi mã nữa',
    en: 'The authenticator app and the recovery codes were removed from your BHXH ID account: a password sign-in no longer asks for a code',
    sms: 'Da tat xac minh hai buoc',
  },
  recovery_codes_regenerated: {
    subjectVi: 'Đã tạo mã dự phòng mới',
    subjectEn: 'New recovery codes',
    vi: 'Một bộ mã dự phòng mới đã được tạo cho tài khoản BHXH ID của bạn; các mã cũ không còn dùng được',
    en: 'A new set of recovery codes was made for your BHXH ID account; the old codes no longer work',
    sms: 'Da tao bo ma du phong moi, ma cu het hieu luc',
  },
  recovery_code_used: {
    subjectVi: 'Một mã dự phòng vừa được dùng',
    subjectEn: 'A recovery code was used',
    vi: 'Một mã dự phòng vừa được dùng để đăng nhập vào tài khoản BHXH ID của bạn; mỗi mã chỉ dùng được một lần',
    en: 'A recovery code was used to sign in to your BHXH ID account; each code works only once',
    sms: 'Mot ma du phong vua duoc dung de dang nhap',
  },
  passkey_added: {
    subjectVi: 'Đã thêm khóa truy cập (passkey)',
    subjectEn: 'A passkey was added',
    vi: 'Một khóa truy cập (passkey) đã được thêm vào tài khoản BHXH ID của bạn: thiết bị đó có thể đăng nhập không cần mật khẩu',
    en: 'A passkey was added to your BHXH ID account: that device can sign in without a password',
    sms: 'Da them khoa truy cap (passkey)',
  },
  passkey_removed: {
    subjectVi: 'Đã gỡ khóa truy cập (passkey)',
    subjectEn: 'A passkey was removed',
    vi: 'Một khóa truy cập (passkey) đã được gỡ khỏi tài khoản BHXH ID của bạn',
    en: 'A passkey was removed from your BHXH ID account',
    sms: 'Da go mot khoa truy cap (passkey)',
  },
  passkey_clone_suspected: {
    subjectVi: 'Khóa truy cập có dấu hiệu bị sao chép',
    subjectEn: 'A passkey may have been copied',
    vi: 'Một lần đăng nhập bằng khóa truy cập (passkey) đã bị từ chối vì khóa có dấu hiệu bị sao chép. Khóa đó đã bị khóa; hãy gỡ nó trên trang thông tin tài khoản',
    en: 'A passkey sign-in was refused because the passkey shows signs of having been copied. That passkey is blocked; remove it on your account page',
    sms: 'Tu choi dang nhap: khoa truy cap co dau hieu bi sao chep',
  },
  two_step_reset: {
    subjectVi: 'Cơ quan BHXH đã đặt lại xác minh hai bước',
    subjectEn: 'Two-step verification reset at a BHXH office',
    vi: 'Theo yêu cầu tại cơ quan BHXH, ứng dụng xác thực, mã dự phòng và khóa truy cập của tài khoản BHXH ID của bạn đã được gỡ',
    en: 'At your request at a BHXH office, the authenticator app, the recovery codes and the passkeys of your BHXH ID account were removed',
    sms: 'Co quan BHXH da dat lai xac minh hai buoc',
  },
};

export function authenticatorChangedEmail({
  when,
  issuer,
  change,
}: {
  when: Date;
  issuer: string;
  change: AuthenticatorChangeKind;
}): EmailContent {
  const words = AUTHENTICATOR_CHANGE_WORDS[change];
  const site = officialSite(issuer);
  const time = formatVietnamTime(when);
  return renderEmail({
    subject: `[BHXH] ${words.subjectVi} / ${words.subjectEn}`,
    vi: [
      ['Xin chào,'],
      [`${words.vi}. Thời điểm: `, { strong: `${time} (giờ Việt Nam)` }, '.'],
      [
        'Nếu đúng là bạn, bạn không cần làm gì thêm. ',
        { strong: `Nếu không phải bạn thực hiện, hãy đổi mật khẩu và gọi ngay ${HOTLINE}` },
        ' (tổng đài chính thức duy nhất của BHXH Việt Nam).',
      ],
      ['Trang đăng nhập chính thức: ', { link: site }],
      ['Bảo hiểm xã hội Việt Nam'],
    ],
    en: [
      ['Hello,'],
      [`${words.en}. When: `, { strong: `${time} (Vietnam time)` }, '.'],
      [
        'If this was you, there is nothing more to do. ',
        { strong: `If it was not you, change your password and call ${HOTLINE} now` },
        ' (the only official hotline of Vietnam Social Security).',
      ],
      ['The official sign-in site: ', { link: site }],
      ['Vietnam Social Security'],
    ],
  });
}

export function authenticatorChangedSms({ when, change }: { when: Date; change: AuthenticatorChangeKind }): SmsContent {
  return sms(
    `BHXH: ${AUTHENTICATOR_CHANGE_WORDS[change].sms} luc ${formatVietnamTime(when)}. Neu khong phai ban, hay doi mat khau va goi ngay ${HOTLINE}.`,
  );
}
