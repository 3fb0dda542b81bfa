# 布局、登录与语言切换。
product-name = Lightdeck
nav-teams = 团队
nav-dashboard = 概览
nav-instances = 实例
nav-audit = 审计日志
nav-accounts = 云账号
nav-signed-in-as = 已登录：{ $name }
nav-sign-out = 退出登录
nav-language = 语言
nav-language-apply = 切换
nav-menu = 菜单
lang-en = English
lang-zh-CN = 简体中文
skip-to-content = 跳到正文
footer-text = Lightdeck —— 华为云 Flexus L 实例控制面板

login-title = 登录
login-heading = 登录 Lightdeck
login-login = 登录名
login-password = 密码
login-submit = 登录
login-failed = 登录名或密码错误。
login-login-required = 请输入登录名。
login-password-required = 请输入密码。
login-session-ended = 会话已结束，请重新登录。
login-signed-out = 您已退出登录。
login-throttled = 登录失败次数过多，请 { $minutes } 分钟后再试。
