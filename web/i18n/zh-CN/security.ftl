# 第二重验证：用验证码登录、在“你的账号”中设置、成员页面上的团队要求，以及站点管理员重置。

# 登录的第二步。
login-code-expired = 输入验证码超过了五分钟，请重新登录。
code-title = 验证码
code-heading = 输入验证码
code-intro = 密码正确。请打开手机上的身份验证器应用，输入它为 Lightdeck 显示的六位数验证码。
code-label = 验证码
code-hint = 手机丢了？可以改为输入一个恢复码。
code-submit = 登录
code-start-again = 以其他用户身份登录
code-required = 请输入身份验证器应用中的验证码，或一个恢复码。
code-wrong = 验证码不正确，或已经用过。验证码每 30 秒更换一次：请等下一个验证码出现后再试。

# 你的账号。
sf-heading = 第二重验证
sf-back = 返回你的账号
sf-intro = 开启第二重验证后，登录需要密码和手机上身份验证器应用（如 Google Authenticator、Microsoft Authenticator 或 FreeOTP）中的验证码。即使别人知道了你的密码，也无法登录。
sf-account-on = 已开启：登录时需要输入身份验证器应用中的验证码。
sf-account-off = 未开启：登录只需要密码。
sf-account-manage = 管理第二重验证
sf-account-set-up = 设置第二重验证
sf-on-heading = 第二重验证已开启
sf-on-since = 自 { $since } 起开启。
sf-recovery-left = { $count ->
    [0] 你已没有可用的恢复码，请在下方生成新的恢复码。
   *[other] 你还有 { $count } 个恢复码。
}
sf-off-heading = 第二重验证未开启
sf-off = 登录只需要密码。
sf-apps = 你需要在手机上安装身份验证器应用。设置只需一分钟：扫描二维码，然后输入应用显示的数字。
sf-start = 设置第二重验证
sf-start-password-hint = 你登录已有一段时间：请再次输入密码，以免他人在你未关闭的浏览器上设置第二重验证。
sf-required-by = 团队 { $team } 要求每位成员使用第二重验证登录。请在此设置，以便继续在该团队中工作。
sf-already-on = 你的第二重验证已开启。如需重新设置，请先关闭它。
sf-password = 你的密码
sf-code = 应用中的验证码，或一个恢复码
sf-code-hint = 应用中的六位数字，或你的一个恢复码。
sf-new-codes-heading = 新的恢复码
sf-new-codes-hint = 生成十个新的恢复码；你现有的恢复码将失效。
sf-new-codes-submit = 生成新的恢复码
sf-off-form-heading = 关闭第二重验证
sf-off-form-hint = 之后登录只需要密码。要求第二重验证的团队会请你重新设置。
sf-off-form-submit = 关闭第二重验证
sf-done-enabled = 第二重验证已开启。今后登录时需要输入验证码。
sf-done-new-codes = 新的恢复码已生成，旧的恢复码已失效。
sf-done-disabled = 第二重验证已关闭。登录只需要密码。
sf-done-enrol-again = 该次设置未在 15 分钟内完成，或已开始了更新的一次设置（在其他标签页或浏览器中）。请重新开始：你会得到一个新的密钥用于扫描。
sf-done-recovery-used = 你使用了一个恢复码登录，该恢复码现已失效。{ $count ->
    [0] 你已没有剩余的恢复码：请在下方生成新的。
   *[other] 你还剩 { $count } 个。
}
sf-error-password-required = 请输入你的密码。
sf-error-code-required = 请输入身份验证器应用中的验证码。
sf-error-enrol-code = 这不是你的应用当前显示的验证码。请确认应用是从本页面添加的 Lightdeck，并输入它显示的验证码（每 30 秒更换一次）。
sf-error-code = 验证码不正确，或已经用过。请等待应用中的下一个验证码，或使用一个恢复码。
sf-error-off = 你的第二重验证已经是关闭的。

# 设置。
sf-enrol-heading = 设置第二重验证
sf-enrol-scan-heading = 1. 在身份验证器应用中添加 Lightdeck
sf-enrol-scan = 在应用中选择添加账号，然后扫描此二维码。
sf-enrol-qr-caption = 用身份验证器应用扫描的二维码，其中包含下方的密钥。
sf-enrol-type = 无法扫描？在应用中选择手动输入密钥，输入以下内容：
sf-enrol-type-hint = 请勿告诉他人：拥有此密钥的人可以生成你的验证码。它只在本页面显示。
sf-enrol-confirm-heading = 2. 输入应用显示的验证码
sf-enrol-code = 六位数验证码
sf-enrol-submit = 开启第二重验证
sf-enrol-cancel = 暂不设置

# 恢复码，仅显示一次。
sf-codes-heading = 你的恢复码
sf-codes-save = 请把这些恢复码保存在安全的地方
sf-codes-intro = 如果手机丢失，可以用其中一个恢复码代替应用中的验证码登录。每个恢复码只能用一次。请打印出来或保存在密码管理器中，不要存放在手机上。
sf-codes-once = 它们只显示这一次。
sf-codes-done = 我已保存

# 团队要求（成员页面）。
members-sf-heading = 第二重验证
members-sf-legend = 是否要求每位成员使用第二重验证登录？
members-sf-yes = 是：未设置的成员须先设置，才能在本团队中工作
members-sf-no = 否：由每个人自行决定
members-sf-hint = 你自己需要先开启第二重验证，才能提出此要求。已开启的成员在上方列表中有标注。
members-sf-save = 保存
members-sf-badge = 第二重验证
members-sf-done-required = 现在每位成员都需要第二重验证。未设置的成员下次打开本团队时会被要求设置。
members-sf-done-not-required = 成员在本团队中工作不再需要第二重验证。
members-sf-error-choose = 请选择“是”或“否”。
members-sf-error-enrol-first = 请先（在“你的账号”中）设置你自己的第二重验证：否则你自己也会被挡在团队之外。

# 仪表盘上：团队要求第二重验证，而成员尚未设置。
dashboard-sf-required = 该团队要求每位成员使用第二重验证登录。设置后即可在此查看其实例和动态。
dashboard-sf-set-up = 设置第二重验证

# 审计语句：团队的（“alice 要求团队 Demo 使用第二重验证”）和站点的。
audit-do-team-second_factor-required = 要求团队 { $team } 使用第二重验证
audit-do-team-second_factor-not_required = 不再要求团队 { $team } 使用第二重验证
admin-audit-user-second_factor-enabled = 为 { $login } 开启了第二重验证
admin-audit-user-second_factor-disabled = 关闭了 { $login } 的第二重验证
admin-audit-user-second_factor-recovery_codes_replaced = 为 { $login } 生成了新的恢复码
admin-audit-user-second_factor-reset = 重置了 { $login } 的第二重验证

# 站点管理。
admin-users-sf-reset = 重置第二重验证
admin-users-sf-reset-who = 重置 { $name } 的第二重验证
admin-users-done-second-factor-reset = 已移除其第二重验证，其会话均已结束。对方可用密码登录，并重新设置。
admin-users-done-second-factor-none = 对方没有开启第二重验证，因此未作任何更改，其会话不受影响。
admin-error-own-second-factor = 请在“你的账号”中关闭你自己的第二重验证（需要输入验证码）。
