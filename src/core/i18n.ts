// Every user-facing string, by stable id, in Vietnamese (default) and English.
import { HOTLINE } from './hotline.js';
import { accountStrings } from './strings/account.js';
import { accountEmailStrings } from './strings/account-email.js';
import { accountPhoneStrings } from './strings/account-phone.js';
import { accountPasswordStrings } from './strings/account-password.js';
import { accountSessionsStrings } from './strings/account-sessions.js';
import { accountAppsStrings } from './strings/account-apps.js';
import { accountProfileStrings } from './strings/account-profile.js';
import { accountVneidStrings } from './strings/account-vneid.js';
import { accountActivityStrings } from './strings/account-activity.js';
import { accountDataStrings } from './strings/account-data.js';

export type Locale = 'vi' | 'en';
export const LOCALES: readonly Locale[] = ['vi', 'en'];
export const DEFAULT_LOCALE: Locale = 'vi';

const viBase = {
  'site.name': 'BHXH ID',
  'site.agency': 'Bảo hiểm xã hội Việt Nam',
  'site.hotline_label': 'Tổng đài hỗ trợ:',
  'site.scam_notice': 'Dịch vụ hoàn toàn miễn phí. Không cung cấp mật khẩu hoặc mã OTP cho bất kỳ ai.',
  'site.switch_language': 'English',
  'site.skip': 'Bỏ qua đến nội dung chính',
  'form.reveal': 'Hiện',
  'form.reveal_label': 'Hiện mật khẩu',
  'form.busy': 'Đang xử lý…',

  'login.title': 'Đăng nhập',
  'login.intro': 'Đăng nhập vào {client} bằng tài khoản BHXH của bạn.',
  'login.bhxh_number': 'Mã số BHXH',
  'login.bhxh_number_hint': '10 chữ số, in trên thẻ BHYT hoặc sổ BHXH',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',
  'login.forgot': 'Quên mật khẩu?',
  'login.cancel': 'Hủy và quay lại ứng dụng',
  'login.error.format': 'Mã số BHXH gồm đúng 10 chữ số. Vui lòng kiểm tra lại.',
  'login.error.missing_password': 'Vui lòng nhập mật khẩu.',
  'login.error.invalid': 'Mã số BHXH hoặc mật khẩu không đúng.',
  'login.error.slowed':
    'Mã số BHXH hoặc mật khẩu không đúng. Vì mã số này đã bị nhập sai nhiều lần, các lần đăng nhập tiếp theo sẽ được trả lời chậm hơn. Nếu bạn không nhớ mật khẩu, hãy chọn “Quên mật khẩu?” bên dưới.',
  'login.error.throttled':
    'Bạn đã thử đăng nhập quá nhiều lần. Vui lòng thử lại sau {minutes} phút hoặc dùng chức năng Quên mật khẩu.',
  'login.error.captcha_required':
    'Mã số BHXH này đã bị nhập sai mật khẩu nhiều lần. Vui lòng chờ trang xác minh bạn không phải là máy rồi đăng nhập lại.',
  'login.error.vneid_required': 'Ứng dụng này yêu cầu đăng nhập bằng tài khoản định danh điện tử VNeID mức độ 2.',

  'password.title': 'Đặt mật khẩu mới',
  'password.intro': 'Vì lý do an toàn, bạn cần đặt mật khẩu mới trước khi tiếp tục.',
  'password.new': 'Mật khẩu mới',
  'password.confirm': 'Nhập lại mật khẩu mới',
  'password.rules':
    'Từ 8 đến 128 ký tự. Nên dùng một cụm từ dễ nhớ; không dùng mật khẩu phổ biến, mã số BHXH, số điện thoại hoặc ngày sinh của bạn.',
  'password.submit': 'Lưu mật khẩu và tiếp tục',
  'password.error.too_short': 'Mật khẩu phải có ít nhất 8 ký tự.',
  'password.error.too_long': 'Mật khẩu không được dài quá 128 ký tự.',
  'password.error.common': 'Mật khẩu này quá phổ biến và dễ bị đoán. Vui lòng chọn mật khẩu khác.',
  'password.error.contains_bhxh_number': 'Mật khẩu không được chứa mã số BHXH của bạn.',
  'password.error.contains_phone': 'Mật khẩu không được chứa số điện thoại của bạn.',
  'password.error.contains_birthdate': 'Mật khẩu không được chứa ngày sinh của bạn.',
  'password.error.mismatch': 'Hai mật khẩu không giống nhau.',
  'password.error.same_as_old': 'Mật khẩu mới phải khác mật khẩu hiện tại.',

  'consent.title': 'Cho phép truy cập',
  'consent.intro': '{client} muốn được truy cập các thông tin sau trong tài khoản BHXH của bạn:',
  'consent.allow': 'Đồng ý',
  'consent.deny': 'Từ chối',
  'consent.offline': 'Duy trì đăng nhập khi bạn không sử dụng ứng dụng',
  'consent.scope.openid': 'Định danh tài khoản của bạn',
  'consent.scope.profile': 'Họ tên và ngày sinh',
  'consent.scope.email': 'Địa chỉ email',
  'consent.scope.phone': 'Số điện thoại',
  'consent.scope.bhxh': 'Mã số BHXH',
  'consent.scope.offline_access': 'Duy trì đăng nhập khi bạn không sử dụng ứng dụng',
  'consent.resource': 'Quyền truy cập {resource}: {scopes}',

  'logout.title': 'Đăng xuất',
  'logout.confirm': 'Bạn có muốn đăng xuất khỏi BHXH ID không?',
  'logout.also_vneid': 'Bạn đã đăng nhập bằng VNeID, nên bạn cũng sẽ được đăng xuất khỏi VNeID trên trình duyệt này.',
  'logout.yes': 'Đăng xuất',
  'logout.no': 'Không, giữ đăng nhập',
  'logout.done': 'Bạn đã đăng xuất.',
  'logout.expired': 'Trang đăng xuất này đã hết hạn. Nếu bạn vẫn muốn đăng xuất, hãy đăng xuất lại từ ứng dụng.',

  'error.title': 'Đã xảy ra lỗi',
  'error.generic': 'Đã xảy ra lỗi. Vui lòng thử lại sau.',
  'error.request_id': 'Mã tham chiếu: {id}',
  'error.not_found.title': 'Không tìm thấy trang',
  'error.not_found': 'Trang bạn tìm không tồn tại, hoặc đường dẫn đã bị gõ sai.',
  'error.session_expired.title': 'Phiên đăng nhập đã hết hạn',
  'error.session_expired':
    'Vì lý do an toàn, mỗi lần đăng nhập chỉ có hiệu lực trong một thời gian giới hạn. Vui lòng quay lại ứng dụng và đăng nhập lại.',
  'error.credentials_changed.title': 'Vui lòng bắt đầu lại',
  'error.credentials_changed':
    'Mật khẩu của tài khoản này vừa được thay đổi nên bước này không còn hiệu lực. Vui lòng quay lại ứng dụng và bắt đầu lại.',
  'error.csrf.title': 'Trang đã hết hạn',
  'error.csrf': 'Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.',
  'error.invalid_request': 'Yêu cầu không hợp lệ.',
  'error.technical': 'Chi tiết kỹ thuật (cho nhà phát triển)',
  'rp_error.title': 'Ứng dụng đã gửi yêu cầu không hợp lệ',
  'rp_error.message':
    'Ứng dụng chuyển bạn đến đây đã gửi kèm một yêu cầu đăng nhập không hợp lệ, nên chúng tôi chưa thể tiếp tục. Đây không phải lỗi của bạn. Vui lòng quay lại ứng dụng và thử lại sau; nếu vẫn gặp lỗi này, hãy báo cho đơn vị quản lý ứng dụng.',
  'rp_error.message_named':
    '{client} đã gửi kèm một yêu cầu đăng nhập không hợp lệ khi chuyển bạn đến đây, nên chúng tôi chưa thể tiếp tục. Đây không phải lỗi của bạn. Vui lòng quay lại ứng dụng và thử lại sau; nếu vẫn gặp lỗi này, hãy báo cho đơn vị quản lý ứng dụng.',
  'ended.completed.title': 'Lần đăng nhập này đã hoàn tất',
  'ended.completed':
    'Bạn đã đăng nhập xong ở trang này, nên không cần làm gì thêm ở đây. Hãy quay lại ứng dụng để tiếp tục.',
  'ended.cancelled.title': 'Bạn đã hủy lần đăng nhập này',
  'ended.cancelled':
    'Thông tin tài khoản của bạn không được chia sẻ với ứng dụng. Nếu muốn đăng nhập, hãy quay lại ứng dụng và chọn đăng nhập lại.',
  'next.back_to_app': 'Quay lại {client}',
  'next.close_to_app': 'Bạn có thể đóng trang này để quay lại ứng dụng {client}.',
  'next.start_page': 'Về trang chủ BHXH ID',
  'next.hotline': 'Cần hỗ trợ? Gọi Tổng đài',

  'home.title': 'BHXH ID',
  'home.intro': 'Dịch vụ đăng nhập một lần của Bảo hiểm xã hội Việt Nam cho ứng dụng VssID và Cổng dịch vụ công.',
  'home.how':
    'Để đăng nhập, hãy mở ứng dụng VssID hoặc Cổng dịch vụ công BHXH và chọn Đăng nhập: ứng dụng sẽ đưa bạn đến trang đăng nhập của BHXH ID.',
  'home.developers': 'Dành cho nhà phát triển:',

  'recovery.title': 'Lấy lại mật khẩu',
  'recovery.intro': 'Nhập mã số BHXH và địa chỉ email đã đăng ký. Chúng tôi sẽ gửi mã xác thực (OTP) tới email đó.',
  'recovery.email': 'Email đã đăng ký',
  'recovery.phone': 'Số điện thoại đã đăng ký',
  'recovery.phone_hint': 'Ví dụ: 0912 345 678',
  'recovery.intro_phone':
    'Nhập mã số BHXH và số điện thoại đã đăng ký. Chúng tôi sẽ gửi mã xác thực (OTP) bằng tin nhắn tới số điện thoại đó.',
  'recovery.use_phone': 'Nhận mã qua tin nhắn SMS thay cho email',
  'recovery.use_email': 'Nhận mã qua email thay cho SMS',
  'recovery.error.phone_format': 'Số điện thoại không hợp lệ. Vui lòng nhập số di động Việt Nam, ví dụ 0912 345 678.',
  'recovery.submit': 'Gửi mã xác thực',
  'recovery.captcha_noscript':
    'Trình duyệt của bạn đang tắt JavaScript: yêu cầu vẫn được gửi, nhưng mỗi mạng chỉ được gửi vài lần mỗi giờ.',
  'recovery.error.email_format': 'Địa chỉ email không hợp lệ. Vui lòng kiểm tra lại.',
  'recovery.error.captcha': 'Không xác minh được bạn không phải là máy. Vui lòng thử lại.',
  'recovery.error.ip_limit':
    'Có quá nhiều yêu cầu từ mạng của bạn. Vui lòng thử lại sau một giờ hoặc dùng cách khác bên dưới.',
  'recovery.other_ways.title': 'Cách khác để lấy lại mật khẩu',
  'recovery.other_ways.sms': 'Nhắn tin BH MK <mã số BHXH> gửi 8079 từ số điện thoại đã đăng ký.',
  'recovery.other_ways.hotline': `Gọi Tổng đài ${HOTLINE}, bấm phím 8 và làm theo hướng dẫn của trợ lý ảo.`,
  'recovery.other_ways.office': 'Đến cơ quan BHXH nơi gần nhất, mang theo giấy tờ tùy thân.',
  'recovery.code.title': 'Nhập mã xác thực (OTP)',
  'recovery.code.sent':
    'Nếu thông tin bạn nhập khớp với một tài khoản, mã xác thực gồm 6 chữ số đã được gửi tới {address}. Mã có hiệu lực trong {minutes} phút.',
  'recovery.code.label': 'Mã xác thực (OTP)',
  'recovery.code.submit': 'Xác nhận',
  'recovery.code.resend': 'Gửi lại mã',
  'recovery.code.resend_hint_email':
    'Chưa nhận được thư? Hãy kiểm tra địa chỉ email ở trên và thư mục thư rác (spam). Thư có tiêu đề bắt đầu bằng "[BHXH] Mã xác thực".',
  'recovery.code.resend_hint_sms':
    'Chưa nhận được tin nhắn? Hãy kiểm tra số điện thoại ở trên. Tin nhắn có thể đến chậm một vài phút và bắt đầu bằng "BHXH: Ma dat lai mat khau".',
  'recovery.code.limits':
    'Mỗi tài khoản chỉ nhận một mã trong {cooldown} giây và tối đa {perHour} mã mỗi giờ. Nếu mã vừa được yêu cầu từ trình duyệt khác hoặc tới địa chỉ khác, chúng tôi không gửi thêm mã: hãy dùng mã đó ở nơi đã yêu cầu, hoặc yêu cầu lại sau.',
  'recovery.code.repeat_live':
    'Bạn vừa yêu cầu mã cách đây chưa đầy {cooldown} giây nên chúng tôi không gửi mã mới. Nếu thông tin khớp với một tài khoản, mã đã gửi tới {address} khi đó vẫn dùng được: hãy nhập mã đó bên dưới.',
  'recovery.code.repeat_dead':
    'Bạn vừa yêu cầu mã cách đây chưa đầy {cooldown} giây nên chúng tôi không gửi mã mới. Mã của lần yêu cầu đó đã được dùng hoặc đã bị nhập sai quá nhiều lần.',
  'recovery.code.wait': 'Bạn có thể yêu cầu mã mới sau {seconds} giây.',
  'recovery.code.resent':
    'Nếu thông tin khớp với một tài khoản và giới hạn bên dưới cho phép, một mã mới đã được gửi; mã trước đó không còn dùng được.',
  'recovery.code.error.wrong': 'Mã xác thực không đúng.',
  'recovery.code.error.dead':
    'Mã xác thực đã hết hạn, đã được thay bằng mã mới hơn hoặc đã bị nhập sai quá nhiều lần. Vui lòng gửi lại mã mới.',
  'recovery.code.never_share': 'Không cung cấp mã này cho bất kỳ ai, kể cả người tự xưng là cán bộ BHXH.',
  'recovery.password.intro': 'Chọn mật khẩu mới cho tài khoản của bạn.',
  'recovery.done.title': 'Đã đổi mật khẩu',
  'recovery.done.message': 'Mật khẩu của bạn đã được thay đổi. Mọi phiên đăng nhập cũ đã kết thúc.',
  'recovery.done.sign_in': 'Vui lòng đăng nhập bằng mật khẩu mới.',
  'recovery.back_to_sign_in': 'Quay lại đăng nhập',
  'login.notice.password_reset': 'Mật khẩu đã được thay đổi. Vui lòng đăng nhập bằng mật khẩu mới.',
  'login.notice.confirm_identity': 'Vì lý do an toàn, vui lòng đăng nhập lại để xác nhận đó là bạn.',
  'login.or': 'hoặc',
  'login.vneid': 'Đăng nhập bằng tài khoản định danh điện tử VNeID',
  'login.error.vneid1_required': 'Ứng dụng này yêu cầu đăng nhập bằng tài khoản định danh điện tử VNeID.',
  'login.error.vneid_unavailable':
    'Ứng dụng này yêu cầu đăng nhập bằng VNeID, nhưng hiện chưa thể đăng nhập bằng VNeID. Vui lòng thử lại sau.',
  'login.notice.link_pending':
    'Tài khoản VNeID của bạn đã được xác thực. Đăng nhập một lần bằng mã số BHXH và mật khẩu để liên kết hai tài khoản; lần sau bạn chỉ cần đăng nhập bằng VNeID.',
  'federation.failed.title': 'Chưa đăng nhập được bằng VNeID',
  'federation.unavailable':
    'Hệ thống VNeID hiện không phản hồi. Vui lòng thử lại sau ít phút, hoặc đăng nhập bằng mã số BHXH và mật khẩu.',
  'federation.cancelled':
    'Bạn đã hủy đăng nhập bằng VNeID. Bạn có thể thử lại hoặc đăng nhập bằng mã số BHXH và mật khẩu.',
  'federation.error_response':
    'VNeID đã từ chối yêu cầu đăng nhập. Vui lòng thử lại, hoặc đăng nhập bằng mã số BHXH và mật khẩu.',
  'federation.invalid_response':
    'Không xác minh được phản hồi từ VNeID nên chúng tôi đã dừng đăng nhập để bảo vệ tài khoản của bạn. Vui lòng thử lại.',
  'federation.identity_incomplete':
    'VNeID không cung cấp số định danh cá nhân hoặc mức độ định danh của bạn, nên chưa thể đăng nhập. Vui lòng thử lại sau hoặc đăng nhập bằng mã số BHXH và mật khẩu.',
  'federation.bad_state':
    'Yêu cầu đăng nhập bằng VNeID này không hợp lệ hoặc đã được sử dụng. Vui lòng bắt đầu lại từ trang đăng nhập.',
  'federation.account_disabled': `Tài khoản BHXH gắn với định danh này đang bị khóa. Vui lòng gọi Tổng đài ${HOTLINE} hoặc đến cơ quan BHXH gần nhất.`,
  'federation.level.title': 'Cần tài khoản VNeID mức độ 2',
  'federation.level.message':
    '{client} yêu cầu tài khoản định danh điện tử mức độ 2. Tài khoản VNeID bạn vừa dùng đang ở mức độ 1. Bạn có thể nâng lên mức độ 2 tại cơ quan Công an nơi cư trú.',
  'federation.no_account.title': 'Chưa có tài khoản BHXH gắn với định danh này',
  'federation.no_account.message':
    'Chúng tôi chưa tìm thấy tài khoản BHXH nào gắn với số định danh cá nhân của bạn. Chúng tôi không tự tạo tài khoản mới.',
  'federation.no_account.what':
    'Bạn có thể đăng nhập một lần bằng mã số BHXH và mật khẩu để liên kết tài khoản VNeID này, hoặc mang căn cước công dân đến cơ quan BHXH gần nhất để được hỗ trợ.',
  'federation.no_account.link': 'Đăng nhập bằng mã số BHXH để liên kết',
  'federation.link_refused.title': 'Không liên kết được tài khoản VNeID',
  'federation.link_refused.message':
    'Tài khoản BHXH này đã gắn với một số định danh cá nhân khác, hoặc tài khoản VNeID đã liên kết với tài khoản BHXH khác, nên chúng tôi không liên kết. Vui lòng đến cơ quan BHXH để được kiểm tra.',
  'federation.back_to_password': 'Đăng nhập bằng mã số BHXH và mật khẩu',
  'federation.link_level.title': 'Liên kết VNeID chưa đủ mức định danh',
  'federation.link_level.message':
    '{client} yêu cầu đăng nhập bằng VNeID ở mức định danh cao hơn. Tài khoản VNeID này được liên kết bằng mật khẩu nên chỉ có giá trị như đăng nhập bằng mật khẩu. Vui lòng mang căn cước công dân đến cơ quan BHXH gần nhất để được xác nhận liên kết.',
  'federation.retry': 'Thử lại với VNeID',
};

/** The groups kept beside their flow (src/core/strings/): merged into the one catalogue. */
const groups = [
  accountStrings,
  accountEmailStrings,
  accountPhoneStrings,
  accountPasswordStrings,
  accountSessionsStrings,
  accountAppsStrings,
  accountProfileStrings,
  accountVneidStrings,
  accountActivityStrings,
  accountDataStrings,
] as const;

const vi = {
  ...viBase,
  ...accountStrings.vi,
  ...accountEmailStrings.vi,
  ...accountPhoneStrings.vi,
  ...accountPasswordStrings.vi,
  ...accountSessionsStrings.vi,
  ...accountAppsStrings.vi,
  ...accountProfileStrings.vi,
  ...accountVneidStrings.vi,
  ...accountActivityStrings.vi,
  ...accountDataStrings.vi,
};

export type MessageId = keyof typeof vi;

const enBase: Record<keyof typeof viBase, string> = {
  'site.name': 'BHXH ID',
  'site.agency': 'Vietnam Social Security',
  'site.hotline_label': 'Support hotline:',
  'site.scam_notice': 'This service is free. Never give your password or an OTP code to anyone.',
  'site.switch_language': 'Tiếng Việt',
  'site.skip': 'Skip to main content',
  'form.reveal': 'Show',
  'form.reveal_label': 'Show password',
  'form.busy': 'Please wait…',

  'login.title': 'Sign in',
  'login.intro': 'Sign in to {client} with your social insurance account.',
  'login.bhxh_number': 'Social insurance number (mã số BHXH)',
  'login.bhxh_number_hint': '10 digits, printed on your health insurance card or social insurance book',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.forgot': 'Forgot password?',
  'login.cancel': 'Cancel and return to the app',
  'login.error.format': 'A social insurance number has exactly 10 digits. Please check it.',
  'login.error.missing_password': 'Please enter your password.',
  'login.error.invalid': 'The social insurance number or the password is incorrect.',
  'login.error.slowed':
    'The social insurance number or the password is incorrect. Because this number has had several wrong attempts, further sign-ins are answered more slowly. If you do not remember your password, choose “Forgot password?” below.',
  'login.error.throttled': 'Too many sign-in attempts. Please try again in {minutes} minutes or use Forgot password.',
  'login.error.captcha_required':
    'There have been many wrong passwords for this social insurance number. Please wait for the page to check that you are not a robot, then sign in again.',
  'login.error.vneid_required': 'This application requires signing in with a level 2 VNeID electronic identity.',

  'password.title': 'Set a new password',
  'password.intro': 'For your security, please choose a new password before you continue.',
  'password.new': 'New password',
  'password.confirm': 'Repeat the new password',
  'password.rules':
    '8 to 128 characters. A memorable phrase works well; do not use a common password, your social insurance number, phone number or birth date.',
  'password.submit': 'Save password and continue',
  'password.error.too_short': 'The password must have at least 8 characters.',
  'password.error.too_long': 'The password must not be longer than 128 characters.',
  'password.error.common': 'This password is too common and easy to guess. Please choose another one.',
  'password.error.contains_bhxh_number': 'The password must not contain your social insurance number.',
  'password.error.contains_phone': 'The password must not contain your phone number.',
  'password.error.contains_birthdate': 'The password must not contain your birth date.',
  'password.error.mismatch': 'The two passwords do not match.',
  'password.error.same_as_old': 'The new password must differ from the current one.',

  'consent.title': 'Allow access',
  'consent.intro': '{client} would like to access the following from your social insurance account:',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'consent.offline': 'Stay signed in while you are not using the app',
  'consent.scope.openid': 'Your account identifier',
  'consent.scope.profile': 'Your full name and date of birth',
  'consent.scope.email': 'Your email address',
  'consent.scope.phone': 'Your phone number',
  'consent.scope.bhxh': 'Your social insurance number',
  'consent.scope.offline_access': 'Stay signed in while you are not using the app',
  'consent.resource': 'Access to {resource}: {scopes}',

  'logout.title': 'Sign out',
  'logout.confirm': 'Do you want to sign out of BHXH ID?',
  'logout.also_vneid': 'You signed in with VNeID, so you will also be signed out of VNeID in this browser.',
  'logout.yes': 'Sign out',
  'logout.no': 'No, stay signed in',
  'logout.done': 'You have signed out.',
  'logout.expired': 'This sign-out page has expired. If you still want to sign out, sign out again from the app.',

  'error.title': 'Something went wrong',
  'error.generic': 'Something went wrong. Please try again later.',
  'error.request_id': 'Reference: {id}',
  'error.not_found.title': 'Page not found',
  'error.not_found': 'The page you are looking for does not exist, or the address was mistyped.',
  'error.session_expired.title': 'Your sign-in session has expired',
  'error.session_expired':
    'For your security, a sign-in is valid only for a limited time. Please return to the app and sign in again.',
  'error.credentials_changed.title': 'Please start again',
  'error.credentials_changed':
    "This account's password was changed in the meantime, so this step is no longer valid. Please return to the app and start again.",
  'error.csrf.title': 'This page has expired',
  'error.csrf': 'The form has expired or is invalid. Please reload the page and try again.',
  'error.invalid_request': 'The request is invalid.',
  'error.technical': 'Technical details (for developers)',
  'rp_error.title': 'The app sent an invalid request',
  'rp_error.message':
    'The app that sent you here made a mistake in its sign-in request, so we cannot continue. This is not your fault. Please return to the app and try again later; if this keeps happening, tell the people who run the app.',
  'rp_error.message_named':
    '{client} made a mistake in the sign-in request that sent you here, so we cannot continue. This is not your fault. Please return to the app and try again later; if this keeps happening, tell the people who run the app.',
  'ended.completed.title': 'This sign-in is already complete',
  'ended.completed':
    'You have already signed in on this page, so there is nothing more to do here. Return to the app to continue.',
  'ended.cancelled.title': 'You cancelled this sign-in',
  'ended.cancelled':
    'Nothing from your account was shared with the app. To sign in, return to the app and choose to sign in again.',
  'next.back_to_app': 'Back to {client}',
  'next.close_to_app': 'You can close this page to return to the {client} app.',
  'next.start_page': 'Go to the BHXH ID home page',
  'next.hotline': 'Need help? Call the hotline',

  'home.title': 'BHXH ID',
  'home.intro':
    'The single sign-on service of Vietnam Social Security for the VssID app and the public-service portal.',
  'home.how':
    'To sign in, open the VssID app or the BHXH public-service portal and choose Sign in: the app brings you to the BHXH ID sign-in page.',
  'home.developers': 'For developers:',

  'recovery.title': 'Recover your password',
  'recovery.intro':
    'Enter your social insurance number and your registered email address. We will send a verification code (OTP) to that email.',
  'recovery.email': 'Registered email',
  'recovery.phone': 'Registered phone number',
  'recovery.phone_hint': 'For example: 0912 345 678',
  'recovery.intro_phone':
    'Enter your social insurance number and your registered phone number. We will text a verification code (OTP) to that number.',
  'recovery.use_phone': 'Get the code by SMS instead of email',
  'recovery.use_email': 'Get the code by email instead of SMS',
  'recovery.error.phone_format':
    'The phone number is not valid. Please enter a Vietnamese mobile number, for example 0912 345 678.',
  'recovery.submit': 'Send the code',
  'recovery.captcha_noscript':
    'JavaScript is off in your browser: the request still works, but only a few times per hour from one network.',
  'recovery.error.email_format': 'The email address is not valid. Please check it.',
  'recovery.error.captcha': 'We could not verify that you are not a robot. Please try again.',
  'recovery.error.ip_limit':
    'Too many requests from your network. Please try again in an hour or use another way below.',
  'recovery.other_ways.title': 'Other ways to recover your password',
  'recovery.other_ways.sms': 'Text BH MK <your BHXH number> to 8079 from your registered phone.',
  'recovery.other_ways.hotline': `Call ${HOTLINE}, press 8 and follow the virtual assistant.`,
  'recovery.other_ways.office': 'Visit your nearest social insurance office with an identity document.',
  'recovery.code.title': 'Enter the verification code (OTP)',
  'recovery.code.sent':
    'If the details you entered match an account, a 6-digit code has been sent to {address}. It is valid for {minutes} minutes.',
  'recovery.code.label': 'Verification code (OTP)',
  'recovery.code.submit': 'Confirm',
  'recovery.code.resend': 'Send a new code',
  'recovery.code.resend_hint_email':
    'No email yet? Check the address above and your spam folder. The subject begins "[BHXH] Mã xác thực".',
  'recovery.code.resend_hint_sms':
    'No text message yet? Check the number above. Messages can take a few minutes to arrive; ours begins "BHXH: Ma dat lai mat khau".',
  'recovery.code.limits':
    'An account gets one code per {cooldown} seconds and at most {perHour} codes an hour. If a code was just asked for from another browser or for another address, we do not send another: use that code where it was asked for, or ask again later.',
  'recovery.code.repeat_live':
    'You asked for a code less than {cooldown} seconds ago, so we did not send another. If the details match an account, the code sent to {address} then still works: enter it below.',
  'recovery.code.repeat_dead':
    'You asked for a code less than {cooldown} seconds ago, so we did not send another. The code of that request has been used or was entered wrongly too many times.',
  'recovery.code.wait': 'You can ask for a new code in {seconds} seconds.',
  'recovery.code.resent':
    'If the details match an account and the limits below allow it, a new code has been sent; the previous one no longer works.',
  'recovery.code.error.wrong': 'The code is not correct.',
  'recovery.code.error.dead':
    'The code has expired, was replaced by a newer one, or was entered wrongly too many times. Please ask for a new code.',
  'recovery.code.never_share':
    'Never give this code to anyone, including people who say they are social insurance staff.',
  'recovery.password.intro': 'Choose a new password for your account.',
  'recovery.done.title': 'Password changed',
  'recovery.done.message': 'Your password has been changed. All earlier sign-in sessions have ended.',
  'recovery.done.sign_in': 'Please sign in with your new password.',
  'recovery.back_to_sign_in': 'Back to sign in',
  'login.notice.password_reset': 'Your password has been changed. Please sign in with your new password.',
  'login.notice.confirm_identity': 'For your safety, please sign in again to confirm it is you.',
  'login.or': 'or',
  'login.vneid': 'Sign in with your VNeID electronic identity',
  'login.error.vneid1_required': 'This application requires signing in with your VNeID electronic identity.',
  'login.error.vneid_unavailable':
    'This application requires signing in with VNeID, which is not available right now. Please try again later.',
  'login.notice.link_pending':
    'Your VNeID account has been verified. Sign in once with your social insurance number and password to link the two accounts; next time VNeID alone will do.',
  'federation.failed.title': 'Could not sign in with VNeID',
  'federation.unavailable':
    'VNeID is not responding right now. Please try again in a few minutes, or sign in with your social insurance number and password.',
  'federation.cancelled':
    'You cancelled signing in with VNeID. You can try again or sign in with your social insurance number and password.',
  'federation.error_response':
    'VNeID refused the sign-in request. Please try again, or sign in with your social insurance number and password.',
  'federation.invalid_response':
    'We could not verify the answer from VNeID, so we stopped the sign-in to protect your account. Please try again.',
  'federation.identity_incomplete':
    'VNeID did not share your personal identification number or identification level, so you cannot sign in this way yet. Please try later or sign in with your social insurance number and password.',
  'federation.bad_state':
    'This VNeID sign-in request is invalid or has already been used. Please start again from the sign-in page.',
  'federation.account_disabled': `The social insurance account tied to this identity is locked. Please call the ${HOTLINE} hotline or visit a BHXH office.`,
  'federation.level.title': 'A level 2 VNeID account is needed',
  'federation.level.message':
    '{client} requires a level 2 electronic identity. The VNeID account you used is level 1. You can upgrade it to level 2 at your local police office.',
  'federation.no_account.title': 'No social insurance account is tied to this identity yet',
  'federation.no_account.message':
    'We found no social insurance account with your personal identification number. We do not create accounts automatically.',
  'federation.no_account.what':
    'You can sign in once with your social insurance number and password to link this VNeID account, or bring your citizen ID card to the nearest BHXH office for help.',
  'federation.no_account.link': 'Sign in with your social insurance number to link',
  'federation.link_refused.title': 'The VNeID account could not be linked',
  'federation.link_refused.message':
    'This social insurance account carries a different personal identification number, or the VNeID account is linked to another social insurance account, so we did not link them. Please visit a BHXH office to have this checked.',
  'federation.back_to_password': 'Sign in with social insurance number and password',
  'federation.link_level.title': 'This VNeID link does not give the level needed',
  'federation.link_level.message':
    '{client} requires a VNeID sign-in at a higher identification level. This VNeID account was linked with a password, so it counts only as a password sign-in. Please bring your citizen ID card to the nearest BHXH office to have the link confirmed.',
  'federation.retry': 'Try VNeID again',
};

const en: Record<MessageId, string> = Object.assign({}, enBase, ...groups.map((g) => g.en));

const catalogs: Record<Locale, Record<MessageId, string>> = { vi, en };

export type Translate = (id: MessageId, vars?: Record<string, string | number>) => string;

/** Returns the translator for a locale; `{name}` placeholders are filled from vars. */
export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (id, vars) => catalog[id].replace(/\{(\w+)\}/g, (m, k: string) => (vars && k in vars ? String(vars[k]) : m));
}

/** Picks the first supported locale from a space-separated preference list (`ui_locales`). */
export function pickLocale(...candidates: Array<string | undefined | null>): Locale {
  for (const candidate of candidates) {
    for (const tag of (candidate ?? '').split(/[\s,]+/)) {
      const base = tag.toLowerCase().split('-')[0];
      if (base === 'vi' || base === 'en') return base;
    }
  }
  return DEFAULT_LOCALE;
}
