# 实例列表与实例详情页。
instances-title = 实例
instances-heading = { $team } 的实例
instances-state-running = 运行中
instances-state-stopped = 已关机
instances-state-transitional = 变更中
instances-releasing = 释放中
instances-state-error = 故障
instances-state-unknown = 未知
instances-spec = { $cpu } 核 vCPU · { $ram } GiB 内存 · { $disk } GiB 磁盘
instances-unknown-value = 暂不清楚
instances-expired = 已到期
instances-days-left = 剩余 { $days } 天
instances-traffic-left = 剩余 { $left } / { $total } GB
instances-traffic-used-pct = 已用 { $used } / { $total } GB（{ $pct }%）
instances-select = 选择 { $name }
instances-empty = 还没有实例——请先连接华为云账号，然后点击“立即刷新”。
instances-empty-filtered = 没有符合这些筛选条件的实例。清空搜索或选择“全部”可以看到更多。
instances-col-select = 选择
instances-col-name = 名称
instances-col-status = 状态
instances-col-account = 账号
instances-col-region = 区域
instances-col-spec = 规格
instances-col-ip = 公网 IP
instances-col-expiry = 到期
instances-col-traffic = 剩余流量
instances-pages = 分页
instances-prev = ← 上一页
instances-next = 下一页 →
instances-filter-search = 搜索
instances-filter-search-hint = 名称、IP 地址或 ID
instances-filter-account = 账号
instances-filter-all = 全部
instances-filter-region = 区域
instances-filter-status = 状态
instances-filter-sort = 排序
instances-filter-order = 顺序
instances-filter-apply = 显示
instances-filters = 筛选
instances-order-asc = 升序
instances-order-desc = 降序
instances-sort-name = 名称
instances-sort-status = 状态
instances-sort-expiry = 到期时间
instances-sort-traffic = 剩余流量
instances-error-search-long = 搜索：最多 200 个字符。
instances-error-account = 账号：请选择本团队的一个账号。
instances-error-region = 区域：请选择列出的区域之一。
instances-error-status = 状态：请选择列出的状态之一。
instances-error-sort = 排序：请选择名称、状态、到期时间或剩余流量。
instances-back = ← 全部实例
instances-detail-actions = 操作记录
instances-detail-orders = 此实例的续费和退订（订单）
instances-detail-no-actions = 还没有人通过 Lightdeck 开机、关机或重启过这个实例。
instances-detail-audit = 审计记录
instances-detail-no-audit = 这个实例还没有审计事件。
instances-history-when = 时间
instances-history-what = 内容
instances-history-outcome = 结果
instances-history-details = 详情
instances-history-action = { $actor }：{ $action }
instances-history-event = { $actor }：{ $action }
instances-fact-instance-id = 实例 ID
instances-fact-server-id = 云服务器 ID
instances-fact-package-id = 流量包 ID
instances-fact-purchase-order = 购买订单
instances-fact-tags = 标签
instances-fact-status = 云端状态
instances-fact-image = 镜像
instances-fact-public-ips = 公网 IP 地址
instances-fact-private-ips = 私网 IP 地址
instances-fact-auto-renew = 自动续费
instances-fact-traffic-used = 已用流量
instances-fact-last-sync = 最近一次从云端读取
instances-fact-gone = 云端不再列出此实例，自
instances-yes = 是
instances-no = 否
instances-someone = 某人
instances-outcome-requested = 已提交
instances-outcome-accepted = 已受理
instances-outcome-succeeded = 成功
instances-outcome-failed = 失败
instances-outcome-denied = 被拒绝
instances-outcome-unknown = 结果未知

## 实例的名称 / 主机名 / 描述表单。
settings-heading = 云主机：名称、主机名和描述
settings-name = 云主机名称
settings-name-hint = 此实例在 ECS 中的云主机名称（华为云默认形如 hcss_ecs_1a2b），不是本列表中的实例名称，实例名称保持不变。1 到 64 个中文字符、字母、数字、“_”、“-”或“.”。
settings-hostname = 主机名
settings-hostname-hint = 字母、数字、“-”和“.”，最多 64 个。重启实例后生效。留空则保持不变。
settings-description = 描述
settings-description-hint = 最多 85 个字符，不能包含“<”或“>”。
settings-save = 保存修改
settings-unchanged = 没有任何修改，未发送请求。
settings-updated = 已保存，云端已是新的设置。
settings-hostname-needs-restart = 已保存。新的主机名在实例重启后生效。
settings-restart-now = 立即重启
settings-failed = 云端拒绝了修改（{ $code }）：{ $message }
settings-problem-sep = ；
settings-char-space = 空格
settings-problem-required = 不能为空
settings-problem-too-long = 最多 { $max } 个字符（当前 { $has } 个）
settings-problem-length = 长度须为 { $min } 到 { $max } 个字符（当前 { $has } 个）
settings-problem-name-chars = 只能包含中文字符、字母、数字、“_”、“-”和“.”（发现 { $found }）
settings-problem-hostname-chars = 只能包含字母、数字、“-”和“.”（发现 { $found }）
settings-problem-angle = 不能包含“<”或“>”
settings-problem-edge = 不能以“.”或“-”开头或结尾
settings-problem-pair = 不能包含“{ $pair }”（“.”和“-”不能相邻）
settings-problem-other = 不符合云端对该字段的规则

## 实例列表：流量和到期筛选，以及续费等操作的入口。
instances-filter-traffic-below = 剩余流量
instances-traffic-below-choice = 低于 { $pct }%
instances-filter-expires-within = 到期时间
instances-expires-within-choice = { $days } 天内
instances-error-traffic-below = 剩余流量：请选择 1 到 100 之间的百分比。
instances-error-expires-within = 到期时间：请选择 1 到 366 之间的天数。
instances-renew-these = { $count ->
    [one] 续费这台实例…
   *[other] 续费这 { $count } 台实例…
}
instances-renew = 续费…
instances-reset-password = 重置密码…
instances-unsubscribe = 退订…

## 实例页面：登录、流量周期、更多操作。
instances-facts-heading = 详细信息
instances-login-heading = 登录实例
instances-login-ip = 公网 IP 地址
instances-login-ssh = SSH 命令
instances-login-ssh-hint = 在终端（Windows 上为 PowerShell）中运行此命令，并在提示时输入实例的 root 密码。
instances-copy-ip = 复制 IP 地址
instances-copy-ssh = 复制命令
instances-copied-ip = 已复制 IP 地址。
instances-copied-ssh = 已复制命令。
instances-copy-failed = 无法复制。文字已选中：请按 Ctrl+C（Mac 上按 ⌘C）。
instances-login-no-ip = 没有公网 IP 地址：无法从互联网访问此实例，因此不能从你的电脑用 SSH 登录。请改用华为云控制台中的远程登录。
instances-login-console = 在华为云控制台中打开 Flexus L 实例
instances-login-console-hint = 控制台会列出此区域的实例；其中的远程登录在浏览器中即可使用，没有公网 IP 地址也可以。
instances-lifecycle-heading = 更多操作
instances-unsubscribe-hint = 退订会删除实例及其数据。下一页会准确说明将删除哪些内容，并请你确认。
instances-cycle-heading = 本周期流量
instances-cycle-window-label = 当前周期
instances-cycle-window = { $start } 至 { $end }
instances-cycle-until = 至 { $end }
instances-cycle-since = 自 { $start } 起
instances-cycle-resets-label = 重置
instances-cycle-resets = { $cycle ->
        [hour] 每小时
        [day] 每天
        [week] 每周
        [month] 每月
       *[year] 每年
    }重置{ $anchor ->
        [calendar] （按自然{ $cycle ->
            [hour] 小时
            [day] 日
            [week] 周
            [month] 月
           *[year] 年
        }）
        [anniversary] （从购买日起算）
       *[unknown] {""}
    }
instances-traffic-warning-label = 警告：
instances-traffic-critical-label = 严重：
instances-traffic-warning = 本周期已用流量 { $pct }%（达到 { $from }% 即警告）。
instances-traffic-critical = 本周期已用流量 { $pct }%，几乎用完（达到 { $from }% 即为严重）。
