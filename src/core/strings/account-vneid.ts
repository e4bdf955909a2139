// Strings of the account page's vneid section (src/flows/account/vneid.ts, views/account/vneid.ts).
import { defineStrings } from './define.js';

export const accountVneidStrings = defineStrings(
  {
    'account.vneid.linked': 'Đã liên kết',
    'account.vneid.intro_linked':
      'Tài khoản BHXH của bạn đang liên kết với tài khoản định danh điện tử VNeID dưới đây, nên bạn có thể đăng nhập bằng VNeID.',
    'account.vneid.account': 'Tài khoản VNeID',
    'account.vneid.when': 'Liên kết lúc',
    'account.vneid.how': 'Cách liên kết',
    'account.vneid.last_used': 'Dùng để đăng nhập lần gần nhất',
    'account.vneid.how.national_id': 'Bằng số định danh đã xác minh',
    'account.vneid.how.password': 'Bằng mật khẩu (chỉ có mức đăng nhập mật khẩu)',
    'account.vneid.how.office': 'Xác nhận tại cơ quan BHXH',
    'account.vneid.level.full':
      'Ứng dụng yêu cầu VNeID mức độ 2 chấp nhận đăng nhập qua liên kết này khi tài khoản VNeID của bạn ở mức độ 2.',
    'account.vneid.level.password':
      'Liên kết này chỉ có giá trị như đăng nhập bằng mật khẩu: ứng dụng yêu cầu VNeID mức độ 2 sẽ không chấp nhận. Hãy mang căn cước công dân đến cơ quan BHXH để được xác nhận liên kết. Liên kết này cũng tự động bị gỡ khi mật khẩu thay đổi.',
    'account.vneid.remove': 'Gỡ liên kết',
    'account.vneid.remove_note':
      'Sau khi gỡ, bạn không đăng nhập bằng tài khoản VNeID này được nữa cho đến khi liên kết lại. Chúng tôi sẽ gửi thông báo đến email và số điện thoại của bạn.',
    'account.vneid.none': 'Tài khoản BHXH của bạn chưa liên kết với VNeID.',
    'account.vneid.how_to_link':
      'Để liên kết, trên trang đăng nhập của một ứng dụng BHXH (ví dụ VssID), hãy chọn “Đăng nhập bằng tài khoản định danh điện tử VNeID”. Nếu hồ sơ BHXH của bạn có số định danh cá nhân trùng với tài khoản VNeID, liên kết được tạo ngay; nếu chưa có, bạn sẽ được đề nghị đăng nhập thêm bằng mã số BHXH và mật khẩu.',
    'account.vneid.unlinked': 'Đã gỡ liên kết VNeID. Chúng tôi đã gửi thông báo đến email và số điện thoại của bạn.',
    'account.vneid.gone': 'Liên kết này không còn nữa (có thể đã được gỡ trước đó). Không có gì thay đổi.',
    'account.vneid.error.link': 'Không xác định được liên kết cần gỡ. Vui lòng tải lại trang và thử lại.',
  },
  {
    'account.vneid.linked': 'Linked',
    'account.vneid.intro_linked':
      'Your social insurance account is linked to the VNeID electronic identity below, so you can sign in with VNeID.',
    'account.vneid.account': 'VNeID account',
    'account.vneid.when': 'Linked on',
    'account.vneid.how': 'How it was linked',
    'account.vneid.last_used': 'Last used to sign in',
    'account.vneid.how.national_id': 'By the verified identification number',
    'account.vneid.how.password': 'With your password (password sign-in level only)',
    'account.vneid.how.office': 'Confirmed at a BHXH office',
    'account.vneid.level.full':
      'Apps that require VNeID level 2 accept a sign-in through this link when your VNeID account is at level 2.',
    'account.vneid.level.password':
      'This link counts only as a password sign-in: apps that require VNeID level 2 will not accept it. Bring your citizen ID card to a BHXH office to have the link confirmed. The link is also removed automatically when your password changes.',
    'account.vneid.remove': 'Remove link',
    'account.vneid.remove_note':
      'Once removed, you cannot sign in with this VNeID account until you link it again. We will send a notice to your email and phone number.',
    'account.vneid.none': 'Your social insurance account is not linked to VNeID.',
    'account.vneid.how_to_link':
      'To link it, choose “Sign in with your VNeID electronic identity” on the sign-in page of a BHXH app (VssID, for example). If your social insurance record carries the same personal identification number as your VNeID account, the link is made at once; if not, you will be asked to sign in with your social insurance number and password as well.',
    'account.vneid.unlinked': 'The VNeID link was removed. We sent a notice to your email and phone number.',
    'account.vneid.gone': 'This link no longer exists (it may have been removed already). Nothing was changed.',
    'account.vneid.error.link': 'We could not tell which link to remove. Please reload the page and try again.',
  },
);
