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
accounts-refresh-paused = 这个账号的同步已暂停。请先在“云账号”页面恢复同步。

# 团队的云账号页面（所有者）。
accounts-page-heading = { $team } 的云账号
accounts-col-name = 账号
accounts-col-huawei = 华为云账号
accounts-col-regions = 区域
accounts-col-credentials = 凭证
accounts-col-sync = 最近同步
accounts-col-instances = 实例
accounts-col-manage = 管理
accounts-ak = AK …{ $tail }
accounts-iam-user = IAM 用户 { $user }
accounts-paused = 同步已暂停
# The instances page's account line of a paused account; $read is its last-sync words.
accounts-paused-line = 同步已暂停；{ $read }
accounts-manage = 设置
accounts-manage-of = { $name } 的设置
accounts-connect-heading = 连接华为云账号
accounts-connect-intro = Lightdeck 会先向华为云验证密钥，并找到账号在每个区域的项目，然后才保存。密钥和密码加密保存，之后不再显示。
accounts-field-name = 在 Lightdeck 中的名称
accounts-field-name-hint = 团队用来识别这个账号的名称，例如“生产环境”。
accounts-field-ak = 访问密钥 ID（AK）
accounts-field-sk = 秘密访问密钥（SK）
accounts-aksk-hint = 在华为云控制台“我的凭证 › 访问密钥”中创建访问密钥。
accounts-iam-legend = IAM 用户（可选）
accounts-iam-hint = 只有需要基于密码的令牌的操作才用得到。不确定的话请留空。
accounts-field-iam-account = 华为云账号名
accounts-field-iam-user = IAM 用户名
accounts-field-iam-password = IAM 用户密码
accounts-regions-legend = 区域
accounts-regions-hint = Lightdeck 要显示哪些区域的 Flexus L 实例。
accounts-connect-submit = 验证并连接
accounts-done-connected = 账号已连接。
accounts-done-connected-unsynced = 账号已连接，但第一次从云端读取失败；下次同步后会显示它的实例。
accounts-done-renamed = 账号已改名。
accounts-done-regions = 区域已修改。
accounts-done-credentials = 新凭证验证通过，已替换旧凭证。
accounts-done-paused = 同步已暂停。实例保持最后已知的状态。
accounts-done-resumed = 同步已恢复。
accounts-done-removed = 账号已移除。它的历史记录保留在审计日志中。
accounts-cloud-refused = Lightdeck 无法通过华为云验证这些凭证，没有保存任何内容。
accounts-cloud-details = 详情：{ $details }
accounts-why-auth-failed = 华为云不接受这个访问密钥或密码。请检查 AK 和 SK（或 IAM 密码）是否完整复制，以及密钥是否已启用。
accounts-why-key-locked = 由于多次签名错误，华为云暂时锁定了这个访问密钥。请检查 SK，五分钟后再试。
accounts-why-permission = 密钥有效，但无权列出账号的项目或资源。请在 IAM 中为该用户授予 IAM、RMS 和 ECS 的只读权限后再试。
accounts-why-unreachable = Lightdeck 无法连接华为云。请检查这台服务器的网络连接后再试。
accounts-why-timeout = 华为云没有及时响应，请稍后再试。
accounts-why-no-account = 华为云没有返回这些密钥所属的账号。
explain-key-locked = 由于多次签名错误，华为云暂时锁定了这个访问密钥。
accounts-error-name = 请填写账号名称：1 到 64 个字符，不能包含制表符、换行等控制字符。
accounts-error-name-taken = 这个团队已经有同名的账号。
accounts-error-ak = 访问密钥 ID（AK）是 20 位大写字母和数字。
accounts-error-sk = 秘密访问密钥（SK）是 40 位字母和数字，与创建密钥时显示的一致。
accounts-error-credentials-none = 请填写访问密钥（AK 和 SK）、IAM 用户，或两者都填。
accounts-error-iam-account = 请填写 IAM 用户所属的华为云账号名（1 到 64 个字符）。
accounts-error-iam-user = 请填写 IAM 用户名（1 到 64 个字符，不能包含控制字符）。
accounts-error-iam-password = 请填写 IAM 用户密码（最多 128 个字符，不能包含控制字符）。
accounts-error-region-none = 请至少选择一个区域。
accounts-error-region-unknown = 请只从列表中选择区域。
accounts-error-other-domain = 这些凭证属于另一个华为云账号（{ $domain }）。请把它作为新账号连接。
accounts-error-paused = 请选择暂停还是恢复同步。

# 单个账号的设置。
accounts-detail-heading = 账号 { $name }
accounts-back = 返回云账号
accounts-rename-heading = 名称
accounts-rename-submit = 改名
accounts-regions-submit = 保存区域
accounts-regions-explain = 新区域会先通过华为云验证。关闭的区域中的实例会从实例列表中移除。
accounts-credentials-heading = 替换凭证
accounts-credentials-explain = 新凭证会先验证；在新凭证验证通过之前，继续使用旧凭证。
accounts-credentials-submit = 验证并替换
accounts-sync-heading = 同步
accounts-sync-running = Lightdeck 会定期从云端读取这个账号的实例。
accounts-sync-paused-explain = 同步已暂停：Lightdeck 不再从云端读取这个账号，实例页面显示它们最后已知的状态。
accounts-pause = 暂停同步
accounts-resume = 恢复同步
accounts-remove-heading = 移除账号
accounts-remove-link = 移除 { $name }…

# 确认移除。
accounts-remove-title = 移除 { $name }？
accounts-remove-what = Lightdeck 将清除 { $name }（华为云账号 { $domain }）保存的密钥并停止读取它。它的 { $count } 个实例将从实例列表和概览中移除。
accounts-remove-kept = 华为云中不会有任何变化：这些实例在那里继续运行。审计日志保留这个账号及其实例的历史记录。
accounts-remove-confirm = 移除 { $name }
accounts-remove-cancel = 保留
accounts-remove-unconfirmed = 请用下面的按钮确认移除。

# 账号变更的审计语句。
audit-do-account-connected = 连接了账号 { $name }（华为云账号 { $domain }）
audit-do-account-renamed = 将账号 { $from } 改名为 { $name }
audit-do-account-regions_changed = 将账号 { $name } 的区域改为 { $regions }
audit-do-account-credentials_replaced = 替换了账号 { $name } 的凭证
audit-do-account-paused = 暂停了 { $name } 的同步
audit-do-account-resumed = 恢复了 { $name } 的同步
audit-do-account-removed = 移除了账号 { $name }
