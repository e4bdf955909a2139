// Strings of the account page's email section (src/flows/account/email.ts, views/account/email.ts), and of its code
// step (src/flows/account/address-step.ts, views/account/address-code.ts): the phone section has the same suffixes.
import { defineStrings } from './define.js';

export const accountEmailStrings = defineStrings(
  {
    'account.email.intro':
      'Email dùng để nhận mã khi bạn quên mật khẩu và nhận thông báo bảo mật. Chỉ địa chỉ đã xác nhận mới nhận được mã đặt lại mật khẩu.',
    'account.email.on_file': 'Email hiện tại',
    'account.email.none': 'Chưa có email',
    'account.email.verified': 'Đã xác nhận',
    'account.email.unverified': 'Chưa xác nhận',
    'account.email.verify_hint':
      'Địa chỉ này chưa được xác nhận nên chưa nhận được mã đặt lại mật khẩu. Hãy gửi mã tới địa chỉ này để xác nhận.',
    'account.email.verify': 'Gửi mã xác nhận',
    'account.email.change_title': 'Đổi email',
    'account.email.add_title': 'Thêm email',
    'account.email.new': 'Email mới',
    'account.email.new_hint':
      'Chúng tôi sẽ gửi mã gồm 6 chữ số tới địa chỉ mới. Địa chỉ chỉ được lưu sau khi bạn nhập đúng mã.',
    'account.email.submit': 'Gửi mã tới địa chỉ mới',
    'account.email.pending': 'Mã xác nhận đã được gửi tới {address}.',
    'account.email.pending_link': 'Nhập mã',
    'account.email.remove_link': 'Xóa email',
    'account.email.remove.title': 'Xóa email',
    'account.email.remove.message':
      'Bạn có chắc muốn xóa {address} khỏi tài khoản? Sau khi xóa, bạn không lấy lại được mật khẩu qua email; bạn vẫn có thể dùng tin nhắn BH MK, tổng đài hoặc đến cơ quan BHXH. Chúng tôi sẽ gửi thông báo tới địa chỉ này.',
    'account.email.remove.submit': 'Xóa email',
    'account.email.remove.cancel': 'Giữ lại email',
    'account.email.done.changed': 'Đã lưu email mới. Chúng tôi đã gửi thông báo tới địa chỉ cũ.',
    'account.email.done.added': 'Đã thêm email. Từ nay bạn có thể nhận mã đặt lại mật khẩu qua địa chỉ này.',
    'account.email.done.removed': 'Đã xóa email khỏi tài khoản.',
    'account.email.done.verified': 'Đã xác nhận email. Từ nay bạn có thể nhận mã đặt lại mật khẩu qua địa chỉ này.',
    'account.email.error.format': 'Địa chỉ email không hợp lệ. Vui lòng kiểm tra lại, ví dụ ten@example.com.',
    'account.email.error.unchanged': 'Đây đã là email đã xác nhận của bạn.',
    'account.email.error.ip_limit': 'Có quá nhiều yêu cầu gửi mã từ mạng của bạn. Vui lòng thử lại sau một giờ.',
    'account.email.error.wait':
      'Tài khoản vừa nhận một mã nên chưa gửi được mã mới. Bạn có thể yêu cầu mã mới sau {seconds} giây.',
    'account.email.error.hour_limit':
      'Tài khoản đã nhận tối đa {perHour} mã trong một giờ. Bạn có thể yêu cầu mã mới sau {minutes} phút.',
    'account.email.code.title': 'Xác nhận email',
    'account.email.code.sent':
      'Chúng tôi đã gửi mã xác nhận gồm 6 chữ số tới {address}. Mã có hiệu lực trong {minutes} phút.',
    'account.email.code.resend_hint':
      'Chưa nhận được thư? Hãy kiểm tra địa chỉ ở trên và thư mục thư rác (spam). Thư có tiêu đề bắt đầu bằng "[BHXH] Mã xác nhận".',
    'account.email.code.limits':
      'Mỗi tài khoản chỉ nhận một mã trong {cooldown} giây và tối đa {perHour} mã mỗi giờ. Mã mới thay cho mã trước đó.',
    'account.email.code.resent': 'Đã gửi mã mới; mã trước đó không còn dùng được.',
    'account.email.code.wait':
      'Chưa gửi mã mới: mã đã gửi trước đó vẫn dùng được. Bạn có thể yêu cầu mã mới sau {seconds} giây.',
    'account.email.code.another': 'Dùng địa chỉ khác',
  },
  {
    'account.email.intro':
      'Your email receives a code when you forget your password, and security notices. Only a confirmed address receives password reset codes.',
    'account.email.on_file': 'Current email',
    'account.email.none': 'No email yet',
    'account.email.verified': 'Confirmed',
    'account.email.unverified': 'Not confirmed',
    'account.email.verify_hint':
      'This address is not confirmed yet, so it cannot receive password reset codes. Send a code to it to confirm it.',
    'account.email.verify': 'Send a confirmation code',
    'account.email.change_title': 'Change your email',
    'account.email.add_title': 'Add an email',
    'account.email.new': 'New email',
    'account.email.new_hint':
      'We will send a 6-digit code to the new address. It is saved only once you enter the right code.',
    'account.email.submit': 'Send a code to the new address',
    'account.email.pending': 'A confirmation code was sent to {address}.',
    'account.email.pending_link': 'Enter the code',
    'account.email.remove_link': 'Remove your email',
    'account.email.remove.title': 'Remove your email',
    'account.email.remove.message':
      'Do you want to remove {address} from your account? You will no longer be able to recover your password by email; the BH MK text message, the hotline and the social insurance offices still work. We will send a notice to this address.',
    'account.email.remove.submit': 'Remove the email',
    'account.email.remove.cancel': 'Keep the email',
    'account.email.done.changed': 'Your new email is saved. We sent a notice to the old address.',
    'account.email.done.added': 'Your email is added. Password reset codes can now be sent to it.',
    'account.email.done.removed': 'Your email was removed from your account.',
    'account.email.done.verified': 'Your email is confirmed. Password reset codes can now be sent to it.',
    'account.email.error.format': 'The email address is not valid. Please check it, for example name@example.com.',
    'account.email.error.unchanged': 'This is already your confirmed email.',
    'account.email.error.ip_limit': 'Too many codes were asked for from your network. Please try again in an hour.',
    'account.email.error.wait':
      'Your account just received a code, so no new one was sent. You can ask for a new code in {seconds} seconds.',
    'account.email.error.hour_limit':
      'Your account has received {perHour} codes in the last hour. You can ask for a new code in {minutes} minutes.',
    'account.email.code.title': 'Confirm your email',
    'account.email.code.sent': 'We sent a 6-digit confirmation code to {address}. It is valid for {minutes} minutes.',
    'account.email.code.resend_hint':
      'No email yet? Check the address above and your spam folder. The subject begins "[BHXH] Mã xác nhận".',
    'account.email.code.limits':
      'An account gets one code per {cooldown} seconds and at most {perHour} codes an hour. A new code replaces the previous one.',
    'account.email.code.resent': 'A new code was sent; the previous one no longer works.',
    'account.email.code.wait':
      'No new code was sent: the code sent before still works. You can ask for a new code in {seconds} seconds.',
    'account.email.code.another': 'Use another address',
  },
);
