# 团队的云账号与“立即刷新”。
accounts-heading = 云账号
accounts-none = 这个团队还没有连接华为云账号。
accounts-refresh-now = 立即刷新
accounts-last-sync = 最近读取于 { $time }
accounts-never-synced = 尚未从云端读取
# $read 为 accounts-last-sync 或 accounts-never-synced；$reason 为 explain-* 的句子。
accounts-sync-failed = { $read }；最近一次尝试于 { $time } 失败（已连续 { $failures } 次）：{ $reason }（{ $code }）
accounts-refreshed = 新增 { $added } 个，变更 { $changed } 个，消失 { $gone } 个。
accounts-refreshed-partial = 这次未能读取流量或到期时间，已保留之前的数据。
accounts-refresh-running = 这个账号正在刷新中，请稍后再看。
accounts-refresh-failed = 刷新失败。{ $reason }
