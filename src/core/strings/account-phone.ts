// Strings of the account page's phone section (src/flows/account/phone.ts, views/account/phone.ts), and of its code
// step (src/flows/account/address-step.ts, views/account/address-code.ts): the email section has the same suffixes.
import { defineStrings } from './define.js';

export const accountPhoneStrings = defineStrings(
  {
    'account.phone.intro':
      'Số điện thoại di động dùng để nhận tin nhắn, mật khẩu tạm thời (tin nhắn BH MK gửi 8079, tổng đài) và mã khi bạn quên mật khẩu.',
    'account.phone.on_file': 'Số điện thoại hiện tại',
    'account.phone.none': 'Chưa có số điện thoại',
    'account.phone.verified': 'Đã xác nhận',
    'account.phone.unverified': 'Chưa xác nhận',
    'account.phone.verify_hint':
      'Số này chưa được xác nhận nên chưa dùng được để lấy lại mật khẩu. Hãy gửi mã tới số này để xác nhận.',
    'account.phone.verify': 'Gửi mã xác nhận',
    'account.phone.change_title': 'Đổi số điện thoại',
    'account.phone.add_title': 'Thêm số điện thoại',
    'account.phone.new': 'Số điện thoại mới',
    'account.phone.new_hint': 'Số di động Việt Nam, ví dụ 0912 345 678. Chúng tôi sẽ gửi mã gồm 6 chữ số tới số mới.',
    'account.phone.submit': 'Gửi mã tới số mới',
    'account.phone.cooling_rule':
      'Lưu ý: sau khi đổi, trong {hours} giờ số mới chưa dùng được để lấy lại mật khẩu (tin nhắn BH MK, tổng đài {hotline}, mã qua SMS). Vì sao: nếu kẻ gian chiếm được SIM hoặc tài khoản của bạn rồi đổi số, bạn vẫn kịp nhận thông báo qua số cũ và email để ngăn chặn.',
    'account.phone.cooling_now':
      'Số này vừa được đổi: đến {until} (giờ Việt Nam) chưa dùng được để lấy lại mật khẩu. Bạn vẫn đăng nhập bình thường bằng mật khẩu.',
    'account.phone.no_remove':
      'Không thể xóa số điện thoại: tài khoản cần một số di động để nhận tin nhắn và mật khẩu tạm thời. Bạn có thể đổi sang số mới.',
    'account.phone.pending': 'Mã xác nhận đã được gửi tới {address}.',
    'account.phone.pending_link': 'Nhập mã',
    'account.phone.done.changed':
      'Đã lưu số điện thoại mới. Chúng tôi đã gửi tin nhắn thông báo tới số cũ. Trong {hours} giờ tới, số mới chưa dùng được để lấy lại mật khẩu.',
    'account.phone.done.added':
      'Đã thêm số điện thoại. Trong {hours} giờ tới, số này chưa dùng được để lấy lại mật khẩu.',
    'account.phone.done.verified': 'Đã xác nhận số điện thoại.',
    'account.phone.error.format': 'Số điện thoại không hợp lệ. Vui lòng nhập số di động Việt Nam, ví dụ 0912 345 678.',
    'account.phone.error.unchanged': 'Đây đã là số điện thoại đã xác nhận của bạn.',
    'account.phone.error.ip_limit': 'Có quá nhiều yêu cầu gửi mã từ mạng của bạn. Vui lòng thử lại sau một giờ.',
    'account.phone.error.wait':
      'Tài khoản vừa nhận một mã nên chưa gửi được mã mới. Bạn có thể yêu cầu mã mới sau {seconds} giây.',
    'account.phone.error.hour_limit':
      'Tài khoản đã nhận tối đa {perHour} mã trong một giờ. Bạn có thể yêu cầu mã mới sau {minutes} phút.',
    'account.phone.code.title': 'Xác nhận số điện thoại',
    'account.phone.code.sent':
      'Chúng tôi đã gửi mã xác nhận gồm 6 chữ số bằng tin nhắn tới {address}. Mã có hiệu lực trong {minutes} phút.',
    'account.phone.code.resend_hint':
      'Chưa nhận được tin nhắn? Hãy kiểm tra số ở trên. Tin nhắn có thể đến chậm một vài phút và bắt đầu bằng "BHXH: Ma xac nhan so dien thoai".',
    'account.phone.code.limits':
      'Mỗi tài khoản chỉ nhận một mã trong {cooldown} giây và tối đa {perHour} mã mỗi giờ. Mã mới thay cho mã trước đó.',
    'account.phone.code.resent': 'Đã gửi mã mới; mã trước đó không còn dùng được.',
    'account.phone.code.wait':
      'Chưa gửi mã mới: mã đã gửi trước đó vẫn dùng được. Bạn có thể yêu cầu mã mới sau {seconds} giây.',
    'account.phone.code.another': 'Dùng số khác',
  },
  {
    'account.phone.intro':
      'Your mobile number receives text messages, temporary passwords (the BH MK text to 8079, the hotline) and codes when you forget your password.',
    'account.phone.on_file': 'Current phone number',
    'account.phone.none': 'No phone number yet',
    'account.phone.verified': 'Confirmed',
    'account.phone.unverified': 'Not confirmed',
    'account.phone.verify_hint':
      'This number is not confirmed yet, so it cannot be used to recover your password. Send a code to it to confirm it.',
    'account.phone.verify': 'Send a confirmation code',
    'account.phone.change_title': 'Change your phone number',
    'account.phone.add_title': 'Add a phone number',
    'account.phone.new': 'New phone number',
    'account.phone.new_hint':
      'A Vietnamese mobile number, for example 0912 345 678. We will text a 6-digit code to it.',
    'account.phone.submit': 'Send a code to the new number',
    'account.phone.cooling_rule':
      'Please note: for {hours} hours after a change, the new number cannot be used to recover your password (the BH MK text, the hotline {hotline}, SMS codes). Why: if someone takes over your SIM or your account and changes the number, you still have time to learn of it from the notices sent to your old number and your email, and stop them.',
    'account.phone.cooling_now':
      'This number was just changed: until {until} (Vietnam time) it cannot be used to recover your password. You can still sign in with your password as usual.',
    'account.phone.no_remove':
      'The phone number cannot be removed: your account needs a mobile number for text messages and temporary passwords. You can change it to a new one.',
    'account.phone.pending': 'A confirmation code was sent to {address}.',
    'account.phone.pending_link': 'Enter the code',
    'account.phone.done.changed':
      'Your new phone number is saved. We sent a text message to the old number. For the next {hours} hours the new number cannot be used to recover your password.',
    'account.phone.done.added':
      'Your phone number is added. For the next {hours} hours it cannot be used to recover your password.',
    'account.phone.done.verified': 'Your phone number is confirmed.',
    'account.phone.error.format':
      'The phone number is not valid. Please enter a Vietnamese mobile number, for example 0912 345 678.',
    'account.phone.error.unchanged': 'This is already your confirmed phone number.',
    'account.phone.error.ip_limit': 'Too many codes were asked for from your network. Please try again in an hour.',
    'account.phone.error.wait':
      'Your account just received a code, so no new one was sent. You can ask for a new code in {seconds} seconds.',
    'account.phone.error.hour_limit':
      'Your account has received {perHour} codes in the last hour. You can ask for a new code in {minutes} minutes.',
    'account.phone.code.title': 'Confirm your phone number',
    'account.phone.code.sent': 'We texted a 6-digit confirmation code to {address}. It is valid for {minutes} minutes.',
    'account.phone.code.resend_hint':
      'No text message yet? Check the number above. Messages can take a few minutes to arrive; ours begins "BHXH: Ma xac nhan so dien thoai".',
    'account.phone.code.limits':
      'An account gets one code per {cooldown} seconds and at most {perHour} codes an hour. A new code replaces the previous one.',
    'account.phone.code.resent': 'A new code was sent; the previous one no longer works.',
    'account.phone.code.wait':
      'No new code was sent: the code sent before still works. You can ask for a new code in {seconds} seconds.',
    'account.phone.code.another': 'Use another number',
  },
);
