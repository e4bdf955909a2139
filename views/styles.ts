// The one stylesheet, served at /static/app.css. Mobile first: readable at 360 px, large touch targets.
export const APP_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;font-size:16px;line-height:1.5;color:#1b1f24;background:#eef3f8}
a{color:#0b5cad}
.skip{position:absolute;left:-999px;display:inline-flex;align-items:center;min-height:44px;padding:0 12px}.skip:focus{left:8px;top:8px;background:#fff}
.top{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:10px 16px;background:#0b5cad;color:#fff}
.top a{color:#fff}
.lang{display:inline-flex;align-items:center;min-height:44px;padding:0 10px;margin:-10px -10px -10px 0;white-space:nowrap}
.brand{display:flex;align-items:center;gap:8px;font-weight:600;font-size:15px}
.logo{background:#fff;color:#0b5cad;border-radius:4px;padding:2px 6px;font-weight:800;font-size:13px}
.card{max-width:440px;margin:16px auto;background:#fff;border-radius:12px;padding:20px 16px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:22px;margin:0 0 8px}
p{margin:0 0 12px}
label{display:block;font-weight:600;margin:14px 0 4px}
.hint{display:block;font-weight:400;font-size:14px;color:#4a5561;margin:-2px 0 6px}
button,input,select,textarea{font-family:inherit}
pre.wrap{white-space:pre-wrap;overflow-wrap:anywhere}
.mailbox a{overflow-wrap:anywhere}
iframe{max-width:100%}
input[type=text],input[type=password],input[type=email],input[type=tel]{width:100%;font-size:18px;padding:12px;border:1px solid #8895a3;border-radius:8px;background:#fff}
input[aria-invalid=true]{border-color:#b3261e}
input:focus{outline:3px solid #9cc7f5;border-color:#0b5cad}
button,.button{display:block;width:100%;margin-top:18px;padding:13px;font-size:17px;font-weight:600;border:0;border-radius:8px;background:#0b5cad;color:#fff;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}
.alert{padding:10px 12px;border-radius:8px;background:#fdecea;color:#8a1c12;border:1px solid #f5c2bc;margin:8px 0}
.links{margin-top:6px;display:flex;flex-direction:column;align-items:flex-start}
.links a{display:inline-flex;align-items:center;min-height:44px;min-width:44px}
.password-field{position:relative}
.password-field.has-reveal input{padding-right:76px}
.password-field .reveal{position:absolute;top:1px;right:1px;bottom:1px;display:flex;align-items:center;justify-content:center;width:auto;min-width:64px;min-height:44px;margin:0;padding:0 12px;font-size:15px;background:#fff;color:#0b5cad;border:0;border-left:1px solid #dde3ea;border-radius:0 7px 7px 0}
.password-field .reveal[aria-pressed=true]{background:#dbe9f8;color:#083f78}
.password-field .reveal:focus-visible{outline:3px solid #9cc7f5;outline-offset:-3px}
button[aria-busy=true]{cursor:progress;opacity:.8}
ul.scopes{padding-left:20px}
.foot{max-width:440px;margin:0 auto 24px;padding:0 16px;font-size:14px;color:#4a5561}
.foot a,.next .help a{display:inline-flex;align-items:center;min-height:44px;min-width:44px;color:#0b5cad}
.notice{font-size:13px}
.muted{color:#4a5561;font-size:14px}
h2{font-size:17px;margin:20px 0 6px}
.other-ways{margin-top:20px;padding-top:8px;border-top:1px solid #dde3ea;font-size:15px}
.other-ways ul{padding-left:20px;margin:0}
.captcha{margin-top:14px}
form + p.muted{margin-top:12px}
.or{display:flex;align-items:center;gap:10px;margin:18px 0 0;color:#4a5561;font-size:14px}
.or::before,.or::after{content:"";flex:1;border-top:1px solid #dde3ea}
.vneid button{background:#fff;color:#b3261e;border:1px solid #b3261e}
.vneid button:not(.secondary){background:#b3261e;color:#fff}
.next{margin-top:18px}
.next p{margin:12px 0 0}
.help{font-size:15px}
details.technical{margin-top:20px;padding-top:10px;border-top:1px solid #dde3ea;font-size:14px;color:#4a5561}
details.technical summary{cursor:pointer;padding:6px 0}
details.technical dl{margin:8px 0 0}
details.technical dt{font-weight:600}
details.technical dd{margin:0 0 8px}
details.technical code{overflow-wrap:anywhere;word-break:break-word}
.notice-ok{padding:10px 12px;border-radius:8px;background:#e7f4ea;color:#1d5e2c;border:1px solid #b9dfc2}
.account-bar{display:flex;justify-content:space-between;align-items:center;gap:8px;margin:-8px 0 8px;font-size:15px}
.account-bar a{display:inline-flex;align-items:center;min-height:44px;min-width:44px}
.who{margin:0 0 14px;color:#4a5561;font-size:14px;overflow-wrap:anywhere}
ul.sections{list-style:none;margin:0;padding:0;border-top:1px solid #dde3ea}
ul.sections li{border-bottom:1px solid #dde3ea}
ul.sections a{display:block;min-height:44px;padding:10px 4px;text-decoration:none;color:#1b1f24}
ul.sections a strong{display:block;color:#0b5cad}
ul.sections a span{display:block;font-size:14px;color:#4a5561}
dl.facts{margin:0 0 12px}
dl.facts dt{font-size:14px;color:#4a5561;margin-top:10px}
dl.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
ul.items{list-style:none;margin:0;padding:0}
ul.items>li{border:1px solid #dde3ea;border-radius:8px;padding:10px 12px;margin:0 0 10px;overflow-wrap:anywhere}
ul.items>li p{margin:0 0 4px}
ul.items>li form button,button.inline{display:inline-flex;align-items:center;justify-content:center;width:auto;min-height:44px;margin-top:6px;padding:8px 14px;font-size:15px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;background:#dbe9f8;color:#083f78;font-size:13px;font-weight:600}
.confirm-box{padding:12px;border-radius:8px;background:#fff8e1;color:#5c4400;border:1px solid #f0d98a;margin:8px 0}
.confirm-box h2{margin-top:0}
.badge.warn{background:#fdecea;color:#8a1c12}
fieldset.choices{border:0;margin:0;padding:0}
fieldset.choices label{display:flex;align-items:center;gap:8px;min-height:44px;font-weight:400}
fieldset.choices input{width:auto;margin:0}
.wrap{overflow-wrap:anywhere}
@media (max-width:480px){.card{margin:12px 8px;padding:18px 14px}.brand span:last-child{font-size:13px}}
`;
