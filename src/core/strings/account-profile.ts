// Strings of the account page's profile section (src/flows/account/profile.ts, views/account/profile.ts).
import { defineStrings } from './define.js';

export const accountProfileStrings = defineStrings(
  {
    'account.profile.full_name': 'Họ và tên',
    'account.profile.birthdate': 'Ngày sinh',
    'account.profile.bhxh_number': 'Mã số BHXH',
    'account.profile.national_id': 'Số định danh cá nhân',
    'account.profile.national_id_none': 'Chưa có trong hồ sơ',
    'account.profile.agency_note':
      'Các thông tin trên lấy từ hồ sơ của cơ quan BHXH nên bạn không tự sửa được ở đây. Nếu có sai sót, hãy mang căn cước công dân đến cơ quan BHXH nơi bạn tham gia để được điều chỉnh, hoặc gọi tổng đài',
    'account.profile.masked_note': 'Mã số được che bớt, chỉ hiện 4 chữ số cuối.',
    'account.profile.language.title': 'Ngôn ngữ hiển thị',
    'account.profile.language.intro':
      'Ngôn ngữ của các trang BHXH ID khi bạn đăng nhập vào trang thông tin tài khoản. Bạn vẫn có thể đổi tạm thời bằng nút chuyển ngôn ngữ ở đầu trang.',
    'account.profile.language.none': 'Bạn chưa chọn; trang đang dùng ngôn ngữ của trình duyệt hoặc của ứng dụng.',
    'account.profile.language.vi': 'Tiếng Việt',
    'account.profile.language.en': 'English (tiếng Anh)',
    'account.profile.language.submit': 'Lưu ngôn ngữ',
    'account.profile.language.saved': 'Đã lưu ngôn ngữ hiển thị.',
    'account.profile.language.error': 'Vui lòng chọn Tiếng Việt hoặc English.',
  },
  {
    'account.profile.full_name': 'Full name',
    'account.profile.birthdate': 'Date of birth',
    'account.profile.bhxh_number': 'Social insurance number',
    'account.profile.national_id': 'Personal identification number',
    'account.profile.national_id_none': 'Not on record',
    'account.profile.agency_note':
      'These details come from the social insurance agency’s records, so you cannot change them here. If something is wrong, bring your citizen ID card to the BHXH office where you are registered to have it corrected, or call the hotline',
    'account.profile.masked_note': 'Numbers are partly hidden: only the last 4 digits are shown.',
    'account.profile.language.title': 'Display language',
    'account.profile.language.intro':
      'The language of BHXH ID pages once you are signed in to your account details. You can still switch for a while with the language link at the top of the page.',
    'account.profile.language.none': 'You have not chosen one; the pages follow your browser or the app.',
    'account.profile.language.vi': 'Tiếng Việt (Vietnamese)',
    'account.profile.language.en': 'English',
    'account.profile.language.submit': 'Save language',
    'account.profile.language.saved': 'Display language saved.',
    'account.profile.language.error': 'Please choose Tiếng Việt or English.',
  },
);
