# 团队成员页面。
members-heading = { $team } 的成员
members-col-name = 成员
members-col-role = 角色
members-col-added = 加入时间
members-col-last-sign-in = 上次登录
members-col-change = 修改
members-you = 你
members-disabled = 已停用
members-never = 从未
members-added-by = 由 { $name } 添加
members-role-owner = 所有者
members-role-admin = 管理员
members-role-operator = 操作员
members-role-viewer = 查看者
members-role-of = { $name } 的角色
members-change-role = 修改角色
members-remove = 移除
members-remove-who = 将 { $name } 移出团队
members-last-owner = 唯一的所有者：请先让其他人成为所有者，然后才能修改。
members-add-heading = 添加成员
members-add-login = 对方的登录名
members-add-role = 角色
members-add-hint = 对方必须已有 Lightdeck 用户；用户由站点管理员创建。
members-add = 加入团队
members-done-added = 已加入团队。
members-done-role = 角色已修改。
members-done-removed = 已移出团队。对方打开的页面将不再显示此团队。
members-error-login = 登录名为 3 到 32 个字符：以小写字母开头，之后可用小写字母、数字、点、短横线或下划线。
members-error-role = 请选择一个角色：所有者、管理员、操作员、查看者。
members-error-no-such-user = 没有使用此登录名的用户。
members-error-already = 该用户已经是团队成员。
members-error-last-owner = 团队至少需要一名所有者：请先让其他人成为所有者。

# 你的账号。
account-heading = 你的账号
account-who = 当前登录：{ $name }（{ $login }）。
account-password-heading = 修改密码
account-current = 当前密码
account-new = 新密码
account-new-hint = 至少 12 个字符；几个你记得住的词就是好密码。
account-confirm = 再次输入新密码
account-others-end = 修改后，你在其他地方的登录（其他浏览器、丢失的电脑）都会被退出。
account-change = 修改密码
account-password-changed = 密码已修改。你的其他会话都已退出。
account-error-short = 新密码至少需要 12 个字符。
account-error-long = 新密码最多 256 个字符。
account-error-control = 新密码不能包含制表符、换行等控制字符。
account-error-mismatch = 两次输入的新密码不一致。
account-error-current-required = 请输入当前密码。

# 成员变更的审计语句（“alice 将 bob 设为管理员”）。
audit-do-member-added = 将 { $login } 加入团队，角色为{ $role ->
    [owner] 所有者
    [admin] 管理员
    [operator] 操作员
   *[viewer] 查看者
}
audit-do-member-role_changed = 将 { $login } 设为{ $role ->
    [owner] 所有者
    [admin] 管理员
    [operator] 操作员
   *[viewer] 查看者
}
audit-do-member-removed = 将 { $login } 移出团队

# 新成员及其一次性设置链接。
members-new-heading = 添加新成员
members-new-login = 对方的登录名（用于登录）
members-new-name = 对方的姓名（其他人看到的名字）
members-new-hint = Lightdeck 会创建该用户和一个只能使用一次、24 小时内有效的设置链接：请把它交给对方（聊天或当面），对方在那里设置自己的密码。
members-new-submit = 创建并显示链接
members-new-link-heading = 对方的设置链接
members-new-link-intro = 已添加 { $login }。请把下面的链接交给对方。
members-new-link-once = 只显示这一次：Lightdeck 只保存它的指纹。它只能使用一次，24 小时内有效。
members-new-link-copy = 复制链接
members-new-link-copied = 链接已复制。
members-error-name = 请输入对方的姓名：1 到 64 个字符，不能有控制字符。
members-error-login-taken = 该登录名已被使用：请用“添加成员”添加该用户，或换一个登录名。
setup-heading = 设置你的密码
setup-for = 你正在为 { $login } 设置密码。
setup-submit = 设置我的密码
setup-gone = 此链接（已）无效：可能已被使用，或已超过 24 小时。请联系添加你的人重新获取。
