// Strings of the account page's apps section (src/flows/account/apps.ts, views/account/apps.ts). What each app may
// see is said with the consent page's own words (`consent.scope.*`, `consent.resource` in core/i18n.ts).
import { defineStrings } from './define.js';

export const accountAppsStrings = defineStrings(
  {
    'account.apps.intro':
      'Các ứng dụng bạn đã cho phép dùng tài khoản BHXH. Khi gỡ quyền truy cập, ứng dụng bị đăng xuất và phải xin bạn đồng ý lại nếu muốn dùng tiếp.',
    'account.apps.none': 'Chưa có ứng dụng nào được cấp quyền truy cập tài khoản của bạn.',
    'account.apps.scopes': 'Được phép xem',
    'account.apps.granted': 'Cấp quyền từ',
    'account.apps.remove': 'Gỡ quyền truy cập',
    'account.apps.remove_label': 'Gỡ quyền truy cập của {app}',
    'account.apps.done': 'Đã gỡ quyền truy cập của ứng dụng. Ứng dụng đã bị đăng xuất.',
    'account.apps.error.unknown':
      'Ứng dụng này hiện không có quyền truy cập tài khoản của bạn; có thể quyền đã được gỡ trước đó.',
  },
  {
    'account.apps.intro':
      'The apps you allowed to use your social insurance account. Removing an app’s access signs it out; it must ask for your agreement again to go on.',
    'account.apps.none': 'No app has access to your account.',
    'account.apps.scopes': 'May see',
    'account.apps.granted': 'Allowed since',
    'account.apps.remove': 'Remove access',
    'account.apps.remove_label': 'Remove the access of {app}',
    'account.apps.done': 'The app’s access was removed, and the app was signed out.',
    'account.apps.error.unknown': 'This app has no access to your account; its access may have been removed already.',
  },
);
