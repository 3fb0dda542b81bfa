# The instances list and the instance detail page.
instances-title = Instances
instances-heading = Instances of { $team }
instances-state-running = Running
instances-state-stopped = Stopped
instances-state-transitional = Changing
instances-releasing = Being released
instances-state-error = Error
instances-state-unknown = Unknown
instances-spec = { $cpu } vCPU · { $ram } GiB memory · { $disk } GiB disk
instances-unknown-value = not known yet
instances-expired = expired
instances-days-left = { $days ->
    [one] { $days } day left
   *[other] { $days } days left
}
instances-traffic-left = { $left } of { $total } GB left
instances-traffic-used-pct = { $used } of { $total } GB used ({ $pct } %)
instances-select = Select { $name }
instances-empty = No instances yet — connect a Huawei Cloud account, then press “Refresh now”.
instances-empty-filtered = No instance matches these filters. Clear the search or choose “All” to see more.
instances-col-select = Select
instances-col-name = Name
instances-col-status = Status
instances-col-account = Account
instances-col-region = Region
instances-col-spec = Size
instances-col-ip = Public IP
instances-col-expiry = Expires
instances-col-traffic = Traffic left
instances-pages = Pages
instances-prev = ← Previous
instances-next = Next →
instances-filter-search = Search
instances-filter-search-hint = name, IP address or id
instances-filter-account = Account
instances-filter-all = All
instances-filter-region = Region
instances-filter-status = Status
instances-filter-sort = Sort by
instances-filter-order = Order
instances-filter-apply = Show
instances-filters = Filters
instances-order-asc = Ascending
instances-order-desc = Descending
instances-sort-name = Name
instances-sort-status = Status
instances-sort-expiry = Expiry date
instances-sort-traffic = Traffic left
instances-error-search-long = Search: use at most 200 characters.
instances-error-account = Account: choose one of this team's accounts.
instances-error-region = Region: choose one of the listed regions.
instances-error-status = Status: choose one of the listed states.
instances-error-sort = Sort by: choose name, status, expiry date or traffic left.
instances-back = ← All instances
instances-detail-actions = Actions
instances-detail-orders = Renewals and unsubscriptions of this instance (orders)
instances-detail-no-actions = Nobody has started, stopped or restarted this instance through Lightdeck yet.
instances-detail-audit = Audit trail
instances-detail-no-audit = No recorded events for this instance yet.
instances-history-when = When
instances-history-what = What
instances-history-outcome = Outcome
instances-history-details = Details
instances-history-action = { $actor }: { $action }
instances-history-event = { $actor }: { $action }
instances-fact-instance-id = Instance id
instances-fact-server-id = Server id
instances-fact-package-id = Traffic package id
instances-fact-purchase-order = Bought by order
instances-fact-tags = Tags
instances-fact-status = Cloud status
instances-fact-image = Image
instances-fact-public-ips = Public IP addresses
instances-fact-private-ips = Private IP addresses
instances-fact-auto-renew = Renews automatically
instances-fact-traffic-used = Traffic used
instances-fact-last-sync = Last read from the cloud
instances-fact-gone = No longer listed by the cloud since
instances-yes = Yes
instances-no = No
instances-someone = Someone
instances-outcome-requested = Requested
instances-outcome-accepted = Accepted
instances-outcome-succeeded = Succeeded
instances-outcome-failed = Failed
instances-outcome-denied = Refused
instances-outcome-unknown = Outcome unknown

## The instances list: the traffic and expiry filters, and the lifecycle entry points.
instances-filter-traffic-below = Traffic left
instances-traffic-below-choice = less than { $pct } %
instances-filter-expires-within = Expires
instances-expires-within-choice = { $days ->
    [one] within { $days } day
   *[other] within { $days } days
}
instances-error-traffic-below = Traffic left: choose a percentage from 1 to 100.
instances-error-expires-within = Expires: choose a number of days from 1 to 366.
instances-renew-these = { $count ->
    [one] Renew this instance…
   *[other] Renew these { $count } instances…
}
instances-renew = Renew…
instances-reset-password = Reset password…
instances-unsubscribe = Unsubscribe…

## The instance page: logging in, the traffic cycle, more actions.
instances-facts-heading = Details
instances-login-heading = Log in to the instance
instances-login-ip = Public IP address
instances-login-ssh = SSH command
instances-login-ssh-hint = Run the command in a terminal (on Windows: PowerShell) and type the instance's root password when asked.
instances-copy-ip = Copy IP address
instances-copy-ssh = Copy command
instances-copied-ip = IP address copied.
instances-copied-ssh = Command copied.
instances-copy-failed = Could not copy. The text is selected: press Ctrl+C (⌘C on a Mac).
instances-login-no-ip = No public IP address: this instance cannot be reached from the internet, so SSH from your computer will not work. Use the remote login in the Huawei Cloud console instead.
instances-login-console = Open Flexus L instances in the Huawei Cloud console
instances-login-console-hint = The console lists the instances of this region; its remote login works in the browser, also without a public IP address.
instances-lifecycle-heading = More actions
instances-unsubscribe-hint = Unsubscribing deletes the instance and its data. The next page says exactly what goes and asks you to confirm.
instances-cycle-heading = Traffic this cycle
instances-cycle-window-label = Current cycle
instances-cycle-window = { $start } to { $end }
instances-cycle-until = until { $end }
instances-cycle-since = since { $start }
instances-cycle-resets-label = Resets
instances-cycle-resets = { $cycle ->
        [hour] Every hour
        [day] Every day
        [week] Every week
        [month] Every month
       *[year] Every year
    }{ $anchor ->
        [calendar] {" "}(calendar { $cycle ->
            [hour] hours
            [day] days
            [week] weeks
            [month] months
           *[year] years
        })
        [anniversary] {" "}(counted from the purchase date)
       *[unknown] {""}
    }
instances-traffic-warning-label = Warning:
instances-traffic-critical-label = Critical:
instances-traffic-warning = { $pct } % of this cycle's traffic is used (a warning from { $from } %).
instances-traffic-critical = { $pct } % of this cycle's traffic is used: almost nothing is left (critical from { $from } %).

## The name / hostname / description form of one instance.
settings-heading = The cloud server: name, hostname and description
settings-name = Server name
settings-name-hint = The name of this instance's cloud server in ECS (Huawei names it like hcss_ecs_1a2b), not the instance's name in this list, which stays as it is. 1 to 64 Chinese characters, letters, digits, “_”, “-” or “.”.
settings-hostname = Hostname
settings-hostname-hint = Letters, digits, “-” and “.”, up to 64. Takes effect after the next restart. Leave empty to keep it as it is.
settings-description = Description
settings-description-hint = Up to 85 characters, without “<” or “>”.
settings-save = Save changes
settings-unchanged = Nothing changed, so nothing was sent.
settings-updated = Saved. The cloud has the new settings.
settings-hostname-needs-restart = Saved. The new hostname takes effect after the instance restarts.
settings-restart-now = Restart now
settings-failed = The cloud refused the change ({ $code }): { $message }
settings-problem-sep = ; {""}
settings-char-space = a space
settings-problem-required = is required
settings-problem-too-long = must be at most { $max } characters long (it has { $has })
settings-problem-length = must be { $min } to { $max } characters long (it has { $has })
settings-problem-name-chars = may only contain Chinese characters, letters, digits, “_”, “-” and “.” (found { $found })
settings-problem-hostname-chars = may only contain letters, digits, “-” and “.” (found { $found })
settings-problem-angle = must not contain “<” or “>”
settings-problem-edge = must not start or end with “.” or “-”
settings-problem-pair = must not contain “{ $pair }” (no “.” or “-” next to each other)
settings-problem-other = does not follow the cloud's rules for this field
