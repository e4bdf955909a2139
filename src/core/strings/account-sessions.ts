// Strings of the account page's sessions section (src/flows/account/sessions.ts, views/account/sessions.ts).
import { defineStrings } from './define.js';

export const accountSessionsStrings = defineStrings(
  {
    'account.sessions.intro':
      'Các thiết bị và trình duyệt đang đăng nhập tài khoản BHXH của bạn. Nếu thấy nơi nào lạ, hãy đăng xuất khỏi đó và đổi mật khẩu.',
    'account.sessions.this_device': 'Thiết bị này',
    'account.sessions.device': '{browser} trên {system}',
    'account.sessions.unknown_browser': 'Trình duyệt không rõ',
    'account.sessions.unknown_system': 'thiết bị không rõ',
    'account.sessions.first_seen': 'Đăng nhập lần đầu',
    'account.sessions.last_seen': 'Hoạt động gần nhất',
    'account.sessions.network': 'Mạng',
    'account.sessions.unknown': 'Không rõ',
    'account.sessions.when': '{date} lúc {time}',
    'account.sessions.end': 'Đăng xuất',
    'account.sessions.end_label': 'Đăng xuất khỏi {device}',
    'account.sessions.end_others': 'Đăng xuất khỏi mọi nơi khác',
    'account.sessions.this_device_hint': 'Để đăng xuất trên thiết bị này, dùng “Đăng xuất” ở đầu trang.',
    'account.sessions.only_this': 'Tài khoản của bạn chỉ đang đăng nhập trên thiết bị này.',
    'account.sessions.done.one': 'Đã đăng xuất khỏi thiết bị đó.',
    'account.sessions.done.others': 'Đã đăng xuất khỏi mọi nơi khác. Trình duyệt này vẫn đăng nhập.',
    'account.sessions.done.none': 'Không có nơi nào khác đang đăng nhập.',
    'account.sessions.error.unknown':
      'Không tìm thấy nơi đăng nhập này trong tài khoản của bạn; có thể nó đã kết thúc. Danh sách dưới đây là các nơi đang đăng nhập hiện nay.',
    'account.sessions.error.this_device':
      'Đây là thiết bị bạn đang dùng. Để đăng xuất ở đây, dùng “Đăng xuất” ở đầu trang.',
  },
  {
    'account.sessions.intro':
      'The devices and browsers signed in to your social insurance account. If you see one you do not know, sign it out and change your password.',
    'account.sessions.this_device': 'This device',
    'account.sessions.device': '{browser} on {system}',
    'account.sessions.unknown_browser': 'Unknown browser',
    'account.sessions.unknown_system': 'an unknown device',
    'account.sessions.first_seen': 'First signed in',
    'account.sessions.last_seen': 'Last active',
    'account.sessions.network': 'Network',
    'account.sessions.unknown': 'Unknown',
    'account.sessions.when': '{date} at {time}',
    'account.sessions.end': 'Sign out',
    'account.sessions.end_label': 'Sign out of {device}',
    'account.sessions.end_others': 'Sign out everywhere else',
    'account.sessions.this_device_hint': 'To sign out on this device, use “Sign out” at the top of the page.',
    'account.sessions.only_this': 'Your account is signed in on this device only.',
    'account.sessions.done.one': 'That device was signed out.',
    'account.sessions.done.others': 'You were signed out everywhere else. This browser stays signed in.',
    'account.sessions.done.none': 'Nowhere else is signed in.',
    'account.sessions.error.unknown':
      'This sign-in was not found in your account; it may have ended already. The list below shows where you are signed in now.',
    'account.sessions.error.this_device':
      'This is the device you are using. To sign out here, use “Sign out” at the top of the page.',
  },
);
