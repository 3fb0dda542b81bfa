# The team's cloud accounts and "Refresh now".
accounts-heading = Cloud accounts
accounts-none = No Huawei Cloud account is connected to this team yet.
accounts-refresh-now = Refresh now
accounts-last-sync = last read { $time }
accounts-never-synced = not read from the cloud yet
# $read is accounts-last-sync or accounts-never-synced; $reason a sentence from explain-*.
accounts-sync-failed = { $read }; the latest attempt failed { $time } ({ $failures } in a row): { $reason } ({ $code })
accounts-refreshed = { $added } added, { $changed } changed, { $gone } gone.
accounts-refreshed-partial = Traffic or expiry dates could not be read this time; the previous figures are kept.
accounts-refresh-running = This account is being refreshed already. Wait a moment and look again.
accounts-refresh-failed = The refresh failed. { $reason }
