# Layout, sign-in and language switch.
product-name = Lightdeck
nav-teams = Teams
nav-dashboard = Dashboard
nav-instances = Instances
nav-audit = Audit log
nav-orders = Orders
nav-members = Members
nav-accounts = Cloud accounts
nav-signed-in-as = Signed in as { $name }
nav-sign-out = Sign out
nav-language = Language
nav-language-apply = Switch
nav-menu = Menu
lang-en = English
lang-zh-CN = 简体中文
skip-to-content = Skip to content
footer-text = Lightdeck — a control panel for Huawei Cloud Flexus L instances

login-title = Sign in
login-heading = Sign in to Lightdeck
login-login = Login name
login-password = Password
login-submit = Sign in
login-failed = Wrong login name or password.
login-login-required = Enter your login name.
login-password-required = Enter your password.
login-session-ended = Your session ended. Please sign in again.
login-signed-out = You have signed out.
login-busy = The panel is busy checking other sign-ins; try again in a moment.
login-throttled = Too many failed sign-ins. Try again in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
login-slowed = Too many failed sign-ins for this login from browsers it has not used before. Try again in { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
}.
