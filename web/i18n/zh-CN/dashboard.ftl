# 仪表盘（首页）。
dashboard-title = 仪表盘
dashboard-heading = 我的团队
dashboard-role = 我的角色：{ $role ->
    [owner] 所有者
    [admin] 管理员
    [operator] 操作员
   *[viewer] 只读成员
}
dashboard-no-teams-title = 你还没有加入任何团队
dashboard-no-teams = Lightdeck 显示你所在团队的实例。请联系团队的所有者把你加入团队，加入后团队就会显示在这里。
dashboard-admin-title = 管理用户和团队
dashboard-admin = 你是站点管理员。在相应页面完成之前，请在服务器上用命令行管理用户和团队：
dashboard-admin-user-add = 添加用户（加上 --site-admin 可添加另一位管理员）
dashboard-admin-team-add = 创建团队
dashboard-admin-member-add = 把用户加入团队并指定角色（viewer、operator、admin 或 owner）
dashboard-admin-passwd = 设置新密码

dashboard-instances = 实例
dashboard-instances-total = 共 { $count } 台实例
dashboard-state-running = 运行中
dashboard-state-stopped = 已关机
dashboard-state-transitional = 处理中
dashboard-state-error = 故障
dashboard-state-unknown = 未知
dashboard-attention = 需要关注
dashboard-expiring-7 = 7 天内到期
dashboard-expiring-30 = 30 天内到期
dashboard-low-traffic = 剩余流量不足 20%
dashboard-open-instances = 打开实例列表
dashboard-open-audit = 打开审计日志

dashboard-activity-team = 最近动态
dashboard-activity-own = 我最近的操作
dashboard-activity-own-hint = 你的角色只能看到自己的操作；管理员和所有者可以查看整个团队的日志。
dashboard-activity-empty = 暂无动态。
