// Strings of the account page's password section (src/flows/account/password.ts, views/account/password.ts). The new
// password's label, rules and policy messages are the new-password step's own (`password.*` in core/i18n.ts).
import { defineStrings } from './define.js';

export const accountPasswordStrings = defineStrings(
  {
    'account.password.intro':
      'Nhập mật khẩu hiện tại, rồi chọn mật khẩu mới. Sau khi đổi, tài khoản sẽ được đăng xuất khỏi mọi thiết bị và ứng dụng khác; trình duyệt này vẫn giữ đăng nhập.',
    'account.password.current': 'Mật khẩu hiện tại',
    'account.password.submit': 'Đổi mật khẩu',
    'account.password.done':
      'Đã đổi mật khẩu. Tài khoản đã được đăng xuất khỏi mọi nơi khác, và thông báo đã được gửi đến email, số điện thoại của bạn.',
    'account.password.no_password':
      'Tài khoản của bạn chưa có mật khẩu. Để đặt mật khẩu, hãy đăng xuất rồi chọn “Quên mật khẩu?” trên trang đăng nhập.',
    'account.password.error.missing_current': 'Vui lòng nhập mật khẩu hiện tại.',
    'account.password.error.wrong_current': 'Mật khẩu hiện tại không đúng.',
    'account.password.error.slowed':
      'Mật khẩu hiện tại không đúng. Vì mật khẩu đã bị nhập sai nhiều lần, các lần thử tiếp theo sẽ được trả lời chậm hơn. Nếu bạn không nhớ mật khẩu, hãy đăng xuất rồi chọn “Quên mật khẩu?”.',
    'account.password.error.throttled': 'Bạn đã thử quá nhiều lần. Vui lòng thử lại sau {minutes} phút.',
    'account.password.error.captcha_required':
      'Mật khẩu của tài khoản này đã bị nhập sai nhiều lần. Vui lòng chờ phần xác minh bạn không phải là máy rồi gửi lại.',
    'account.password.error.changed_meanwhile':
      'Mật khẩu vừa được thay đổi ở nơi khác nên yêu cầu này chưa được thực hiện. Vui lòng kiểm tra và thử lại.',
  },
  {
    'account.password.intro':
      'Type your current password, then choose a new one. Once it is changed, your account is signed out of every other device and app; this browser stays signed in.',
    'account.password.current': 'Current password',
    'account.password.submit': 'Change password',
    'account.password.done':
      'Your password was changed. Your account was signed out everywhere else, and a notice went to your email and phone.',
    'account.password.no_password':
      'Your account has no password yet. To set one, sign out and choose “Forgot password?” on the sign-in page.',
    'account.password.error.missing_current': 'Please type your current password.',
    'account.password.error.wrong_current': 'The current password is not right.',
    'account.password.error.slowed':
      'The current password is not right. Because it was mistyped many times, the next answers will be slower. If you do not remember it, sign out and choose “Forgot password?”.',
    'account.password.error.throttled': 'Too many tries. Please try again in {minutes} minutes.',
    'account.password.error.captcha_required':
      'The password of this account was mistyped many times. Please wait for the check that you are not a robot, then send again.',
    'account.password.error.changed_meanwhile':
      'The password was just changed elsewhere, so this request was not carried out. Please check and try again.',
  },
);
