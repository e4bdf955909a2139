// Strings of the account page's data section (src/flows/account/data.ts, views/account/data.ts), and the notes the
// downloaded file carries (in both languages).
import { defineStrings } from './define.js';

export const accountDataStrings = defineStrings(
  {
    'account.data.intro':
      'Theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15) và Nghị định 356/2025/NĐ-CP, bạn có quyền xem dữ liệu cá nhân mà chúng tôi lưu về bạn. Tại đây bạn tải về một tệp JSON gồm mọi dữ liệu BHXH ID lưu về tài khoản của bạn.',
    'account.data.holds': 'Tệp gồm:',
    'account.data.part.account':
      'thông tin tài khoản: mã số BHXH, số định danh, họ tên, ngày sinh, trạng thái, ngôn ngữ;',
    'account.data.part.addresses': 'email và số điện thoại, và đã được xác minh hay chưa;',
    'account.data.part.links': 'các liên kết VNeID: lúc nào, bằng cách nào;',
    'account.data.part.sessions': 'các phiên đăng nhập còn hiệu lực;',
    'account.data.part.grants': 'các ứng dụng được bạn cho phép và phạm vi quyền;',
    'account.data.part.events':
      'mọi sự kiện bảo mật ghi nhận về tài khoản (đăng nhập, đổi mật khẩu…), kèm địa chỉ mạng.',
    'account.data.left_out':
      'Tệp không có mật khẩu (kể cả ở dạng đã mã hóa), mật khẩu tạm thời, mã xác thực hay mã phiên đăng nhập: những thứ đó có thể giúp người khác đăng nhập vào tài khoản của bạn. Tệp có giải thích những gì được để lại và vì sao.',
    'account.data.careful':
      'Tệp chứa dữ liệu cá nhân của bạn (số định danh, địa chỉ mạng…). Hãy giữ tệp cẩn thận và không gửi cho người khác.',
    'account.data.download': 'Tải về dữ liệu của tôi (JSON)',
    'account.data.note.format':
      'Tệp này gồm mọi dữ liệu BHXH ID lưu về tài khoản của bạn lúc tải về. Giờ theo UTC (ISO 8601).',
    'account.data.note.secrets':
      'Không có trong tệp: băm mật khẩu và mật khẩu tạm thời (bí mật dùng để đăng nhập), số phiên bản thông tin đăng nhập (một bộ đếm nội bộ, không mang thông tin về bạn), mã phiên đăng nhập, mã thông báo (token) và mã xác thực (ai có chúng có thể hành động thay bạn).',
    'account.data.note.events':
      'Sự kiện bảo mật được ghi kèm địa chỉ IP đầy đủ; phần chi tiết của sự kiện được giữ nguyên trừ những trường có thể chứa bí mật.',
    'account.data.note.hashed':
      'Không có trong tệp vì chúng tôi không lưu chúng ở dạng đọc được: mã xác thực (chỉ lưu mã băm, tự hết hạn), bộ đếm chống dò mật khẩu (lưu theo mã băm), nội dung tin nhắn và email đã gửi (được mã hóa và xóa sau khi gửi).',
  },
  {
    'account.data.intro':
      'Under the Personal Data Protection Law (Law No. 91/2025/QH15) and Decree 356/2025/ND-CP, you have the right to see the personal data we keep about you. Here you can download a JSON file with everything BHXH ID stores about your account.',
    'account.data.holds': 'The file holds:',
    'account.data.part.account':
      'your account: social insurance number, identification number, name, date of birth, status, language;',
    'account.data.part.addresses': 'your email and phone number, and whether each is verified;',
    'account.data.part.links': 'your VNeID links: when and how they were made;',
    'account.data.part.sessions': 'your sign-in sessions that are still valid;',
    'account.data.part.grants': 'the apps you allowed, and what they may see;',
    'account.data.part.events':
      'every security event recorded for the account (sign-ins, password changes…), with network addresses.',
    'account.data.left_out':
      'The file has no password (not even in hashed form), temporary password, code or session key: those could help someone else sign in as you. The file explains what was left out and why.',
    'account.data.careful':
      'The file holds your personal data (identification number, network addresses…). Keep it safe and do not send it to anyone.',
    'account.data.download': 'Download my data (JSON)',
    'account.data.note.format':
      'This file holds everything BHXH ID stores about your account at the time of the download. Times are UTC (ISO 8601).',
    'account.data.note.secrets':
      'Left out: the password hash and any temporary password (secrets used to sign in), the credential version (an internal counter that says nothing about you), session keys, tokens and codes (whoever holds them could act as you).',
    'account.data.note.events':
      'Security events carry the full IP address; each event’s detail is kept as stored except fields that could hold a secret.',
    'account.data.note.hashed':
      'Not in the file because we do not keep them in readable form: verification codes (only a hash, and they expire), the counters that slow down password guessing (kept under hashes), the content of messages and emails sent to you (sealed, and deleted once sent).',
  },
);
