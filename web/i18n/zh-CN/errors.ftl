# 错误页面与 htmx 错误提示。
error-reference = 参考编号：{ $id }
error-reference-hint = 如需求助，请提供此参考编号。
error-back-home = 返回首页
error-not-found-title = 未找到
error-not-found = 这里没有内容，或您无权访问。
error-forbidden-title = 不允许
error-forbidden = 您的角色不允许此操作，或请求无法验证。请刷新页面后重试。
error-bad-request-title = 请求有误
error-bad-request = 无法理解该请求。
error-method-title = 不支持
error-method = 此地址不接受这种请求。
error-timeout-title = 超时
error-timeout = 请求耗时过长，请重试。
error-conflict-title = 无法执行
error-conflict = 目前无法执行此操作。
error-too-large-title = 内容过大
error-too-large = 请求内容过大。
error-invalid-title = 请检查输入
error-invalid = 部分输入无效。
error-throttled-title = 尝试次数过多
error-throttled = 尝试次数过多，请 { $minutes } 分钟后再试。
error-throttled-generic = 请求过多，请稍候再试。
error-internal-title = 出错了
error-internal = 服务器出现问题，已记录。

## Input refused at the edge, before any page sees it (input.rs).
input-control-character = 包含控制字符（例如 NUL 字节、制表符或换行符），任何字段都不接受
input-not-text = 不是可读的文本（必须是 UTF-8 编码）
input-unreadable-name = 名称无法识别的字段
