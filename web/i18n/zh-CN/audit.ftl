# 审计日志页面、导出，以及以句子呈现的审计事件（仪表盘也会用到）。
audit-title = 审计日志
audit-heading = { $team } 的审计日志
audit-intro = 本团队的所有操作，最新的在前。展开事件可查看华为云请求 ID、任务和技术细节。
audit-times-utc = 时间均为 UTC。

audit-filter-legend = 筛选事件
audit-filter-who = 操作人
audit-filter-who-hint = 登录名或显示名
audit-filter-action = 操作
audit-filter-instance = 实例
audit-filter-instance-hint = 名称或实例 ID
audit-filter-outcome = 结果
audit-filter-from = 开始日期
audit-filter-to = 结束日期（含当天）
audit-filter-any = 全部
audit-filter-apply = 应用筛选
audit-filter-reset = 清除筛选

audit-action-instance-start = 开机
audit-action-instance-stop = 关机
audit-action-instance-reboot = 重启
audit-action-instance-update = 重命名或修改设置
audit-action-instance-reset_password = 重置密码
audit-action-instance-renew = 续费
audit-action-instance-unsubscribe = 退订
audit-action-instance-purchase = 购买
audit-action-account = 云账号
audit-action-audit = 审计日志导出
audit-action-user = 登录与用户
audit-action-team = 团队与成员

audit-outcome-requested = 已请求
audit-outcome-accepted = 已受理
audit-outcome-succeeded = 成功
audit-outcome-failed = 失败
audit-outcome-denied = 被拒绝
audit-outcome-unknown = 未知

audit-error-who-ambiguous = 有多人使用此名称，请改填登录名。
audit-error-too-long = 内容过长。
audit-error-action = 请从列表中选择操作。
audit-error-outcome = 请从列表中选择结果。
audit-error-date = 请输入日期，例如 2026-03-31。
audit-error-range = “结束日期”不能早于“开始日期”。
audit-error-instance-ambiguous = 有多个实例使用此名称，请改填实例 ID。
audit-error-cursor = 此分页链接已失效，请从最新的事件重新开始。

audit-empty = 没有事件。
audit-empty-filtered = 没有符合筛选条件的事件。
audit-newer = 较新的事件
audit-older = 较早的事件
audit-newest = 最新的事件
audit-export = 导出
audit-export-csv = 下载 CSV
audit-export-jsonl = 下载 JSON Lines
audit-export-hint = 导出包含符合筛选条件的全部事件（按时间从早到晚），并附带哈希链。

audit-details = 详情
audit-detail-time = 时间
audit-detail-action = 操作
audit-detail-targets = 对象
audit-detail-request-id = 华为云请求 ID
audit-detail-job-id = 任务 ID
audit-detail-order-id = 订单 ID
audit-detail-http-status = HTTP 状态码
audit-detail-error-code = 华为云错误码
audit-detail-error-message = 华为云错误信息
audit-detail-source-ip = 来源 IP
audit-detail-user-agent = 浏览器
audit-detail-panel-request-id = 面板请求 ID
audit-detail-params = 参数（已去除密码等机密）
audit-detail-seq = 事件序号
audit-detail-none = —

# 句子。$actor 为人名；$targets 为实例名称列表；$where 为 audit-in-region 或空。
audit-actor-system = Lightdeck
audit-list-sep = 、
audit-targets-more = { $names } 等 { $count } 台
audit-in-region = （{ $region_zh }）

audit-event = { $outcome ->
    [requested] { $actor } { $action }
   *[other] { $actor } { $action } — { $result }
}

audit-result = { $outcome ->
    [accepted] 华为云已受理
    [succeeded] { $seconds ->
        [none] 成功
       *[other] 成功，用时 { $seconds } 秒
    }
    [failed] { $code ->
        [none] 失败
       *[other] 失败（{ $code }）
    }{ $seconds ->
        [none] {""}
       *[other] ，用时 { $seconds } 秒
    }
    [denied] 被面板拒绝
    [unknown] 结果未知
   *[requested] 已请求
}

audit-do-start = { $outcome ->
    [requested] 请求启动 { $targets }{ $where }
   *[other] 启动了 { $targets }{ $where }
}
audit-do-stop = { $outcome ->
    [requested] 请求{ $type ->
        [hard] 强制关机
       *[soft] 关机
    } { $targets }{ $where }
   *[other] { $type ->
        [hard] 强制关闭了
       *[soft] 关闭了
    } { $targets }{ $where }
}
audit-do-reboot = { $outcome ->
    [requested] 请求{ $type ->
        [hard] 强制重启
       *[soft] 重启
    } { $targets }{ $where }
   *[other] { $type ->
        [hard] 强制重启了
       *[soft] 重启了
    } { $targets }{ $where }
}
audit-do-rename = { $outcome ->
    [requested] 请求将 { $targets }{ $where } 的云主机重命名为“{ $name }”
   *[other] 将 { $targets }{ $where } 的云主机重命名为“{ $name }”
}
# An instance whose name another account of the team also uses.
audit-name-with-account = { $name }（{ $account }）
audit-do-hostname = { $outcome ->
    [requested] 请求将 { $targets }{ $where } 的主机名改为“{ $hostname }”
   *[other] 将 { $targets }{ $where } 的主机名改为“{ $hostname }”
}
audit-do-description = { $outcome ->
    [requested] 请求修改 { $targets }{ $where } 的描述
   *[other] 修改了 { $targets }{ $where } 的描述
}
audit-do-update = { $outcome ->
    [requested] 请求修改 { $targets }{ $where } 的设置
   *[other] 修改了 { $targets }{ $where } 的设置
}
audit-do-reset_password = { $outcome ->
    [requested] 请求重置 { $targets }{ $where } 的密码
   *[other] 重置了 { $targets }{ $where } 的密码
}
audit-do-renew = { $outcome ->
    [requested] 请求续费 { $targets }{ $where }
   *[other] 续费了 { $targets }{ $where }
}
audit-do-unsubscribe = { $outcome ->
    [requested] 请求退订 { $targets }{ $where }
   *[other] 退订了 { $targets }{ $where }
}
audit-do-purchase = { $outcome ->
    [requested] 请求购买 { $count } 台 { $spec }（{ $image }）{ $where }
   *[other] 购买了 { $count } 台 { $spec }（{ $image }）{ $where }
}
audit-do-purchase-done = 购买了 { $targets }{ $where }
audit-do-account-refresh = { $outcome ->
    [requested] 请求从华为云刷新一个云账号
   *[other] 从华为云刷新了一个云账号
}
audit-do-account-other = 修改了一个云账号（{ $action }）
audit-do-sign-in = 登录了
audit-do-sign-out = 退出了登录
audit-do-export = 以 { $format ->
    [jsonl] JSON Lines
   *[csv] CSV
} 格式导出了审计日志{ $filtered ->
    [yes] （已筛选）
   *[no] {""}
}
audit-do-other = 执行了“{ $action }”{ $where }

# 页面的两种视图：每个操作一行（默认），以及按记录逐条显示的全部事件。
audit-views = 显示方式
audit-view-actions = 每个操作一行
audit-view-events = 显示全部事件
audit-view-actions-hint = 每行是一个操作及其结果；展开可查看它的事件。
audit-view-events-hint = 每个事件单独一行，与记录完全一致。
audit-line-events = { $count } 个事件
# 等待有人付款的订单（续费、退订、购买）。
audit-outcome-payment = 待支付
audit-result-payment = 等待在华为云控制台付款 — 订单 { $order }
audit-pay-link = 前往华为云控制台支付订单 { $order }
