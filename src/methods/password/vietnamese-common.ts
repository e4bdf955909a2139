// Passwords Vietnamese members often choose, added to the ranked English list. Lower case.
export const VIETNAMESE_COMMON_PASSWORDS: readonly string[] = [
  'matkhau', 'matkhau1', 'matkhau123', 'matkhau@123', 'matkhaumoi', 'anhyeuem',
  'anhyeuem1', 'anhyeuem123', 'anhyeuem1234', 'emyeuanh', 'emyeuanh123', 'yeuemmaimai',
  'yeuanhmaimai', 'iloveyou', 'iloveyou123', 'toiyeuem', 'motdentam', '12345678',
  '123456789', '1234567890', '0123456789', '987654321', '11111111', '88888888',
  '66668888', '68686868', 'vietnam', 'vietnam1', 'vietnam123', 'vietnam@123',
  'vietnamvodich', 'hanoi123', 'hanoi1234', 'saigon123', 'hochiminh', 'hochiminh123',
  'baohiem', 'baohiem123', 'baohiemxahoi', 'bhxh123', 'bhxh1234', 'bhxh@123',
  'vssid123', 'vssid1234', 'vssid@123', 'dichvucong', 'dichvucong123', 'admin123',
  'nguyen123', 'nguyenvan', 'tranthi123', 'hoilamgi', 'khongbiet', 'quenmatkhau',
  'abc123456', 'a123456789', 'qwerty123', 'conyeu123', 'giadinh123', 'hanhphuc',
  'hanhphuc123',
];
