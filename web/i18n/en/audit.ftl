# The audit log page, its exports, and audit events as sentences (also on the dashboard).
audit-title = Audit log
audit-heading = Audit log of { $team }
audit-intro = Everything done in this team, newest first. Open an event for Huawei Cloud's request id, the job and the technical details.
audit-times-utc = Times are in UTC.

audit-filter-legend = Filter events
audit-filter-who = Who
audit-filter-who-hint = Login or display name
audit-filter-action = Action
audit-filter-instance = Instance
audit-filter-instance-hint = Name or instance id
audit-filter-outcome = Outcome
audit-filter-from = From (date)
audit-filter-to = To (date, inclusive)
audit-filter-any = Any
audit-filter-apply = Apply filters
audit-filter-reset = Clear filters

audit-action-instance-start = Start
audit-action-instance-stop = Stop
audit-action-instance-reboot = Reboot
audit-action-instance-update = Rename or change settings
audit-action-instance-reset_password = Reset password
audit-action-instance-renew = Renew
audit-action-instance-unsubscribe = Unsubscribe
audit-action-instance-purchase = Purchase
audit-action-account = Cloud accounts
audit-action-audit = Audit log exports
audit-action-user = Sign-ins and users
audit-action-team = Team and members

audit-outcome-requested = Requested
audit-outcome-accepted = Accepted
audit-outcome-succeeded = Succeeded
audit-outcome-failed = Failed
audit-outcome-denied = Refused
audit-outcome-unknown = Unknown

audit-error-who-ambiguous = Several people have this name; enter the login name instead.
audit-error-too-long = This is too long.
audit-error-action = Choose an action from the list.
audit-error-outcome = Choose an outcome from the list.
audit-error-date = Enter a date like 2026-03-31.
audit-error-range = “To” must not be before “From”.
audit-error-instance-ambiguous = Several instances have this name; enter the instance id instead.
audit-error-cursor = This page link is out of date. Start again from the newest events.

audit-empty = No events match.
audit-empty-filtered = No events match these filters.
audit-newer = Newer events
audit-older = Older events
audit-newest = Newest events
audit-export = Export
audit-export-csv = Download CSV
audit-export-jsonl = Download JSON Lines
audit-export-hint = Exports contain every event matching the filters, oldest first, with the hash chain.

audit-details = Details
audit-detail-time = Time
audit-detail-action = Action
audit-detail-targets = Targets
audit-detail-request-id = Huawei request id
audit-detail-job-id = Job id
audit-detail-order-id = Order id
audit-detail-http-status = HTTP status
audit-detail-error-code = Huawei error code
audit-detail-error-message = Huawei error message
audit-detail-source-ip = Source IP
audit-detail-user-agent = Browser
audit-detail-panel-request-id = Panel request id
audit-detail-params = Parameters (secrets removed)
audit-detail-seq = Event number
audit-detail-none = —

# Sentences. $actor is a person's name; $targets a list of instance names;
# $where is audit-in-region or empty.
audit-actor-system = Lightdeck
audit-list-sep = {", "}
audit-targets-more = { $names } and { $more } more
audit-in-region = {" "}in { $region }

audit-event = { $outcome ->
    [requested] { $actor } { $action }
   *[other] { $actor } { $action } — { $result }
}

audit-result = { $outcome ->
    [accepted] accepted by Huawei Cloud
    [succeeded] { $seconds ->
        [none] succeeded
       *[other] succeeded after { $seconds } s
    }
    [failed] { $code ->
        [none] failed
       *[other] failed ({ $code })
    }{ $seconds ->
        [none] {""}
       *[other] {" "}after { $seconds } s
    }
    [denied] refused by the panel
    [unknown] outcome unknown
   *[requested] requested
}

audit-do-start = { $outcome ->
    [requested] asked to start { $targets }{ $where }
   *[other] started { $targets }{ $where }
}
audit-do-stop = { $outcome ->
    [requested] asked to { $type ->
        [hard] force-stop
       *[soft] stop
    } { $targets }{ $where }
   *[other] { $type ->
        [hard] force-stopped
       *[soft] stopped
    } { $targets }{ $where }
}
audit-do-reboot = { $outcome ->
    [requested] asked to { $type ->
        [hard] force-reboot
       *[soft] reboot
    } { $targets }{ $where }
   *[other] { $type ->
        [hard] force-rebooted
       *[soft] rebooted
    } { $targets }{ $where }
}
audit-do-rename = { $outcome ->
    [requested] asked to rename the cloud server of { $targets } to “{ $name }”{ $where }
   *[other] renamed the cloud server of { $targets } to “{ $name }”{ $where }
}
# An instance whose name another account of the team also uses.
audit-name-with-account = { $name } ({ $account })
audit-do-hostname = { $outcome ->
    [requested] asked to change the hostname of { $targets } to “{ $hostname }”{ $where }
   *[other] changed the hostname of { $targets } to “{ $hostname }”{ $where }
}
audit-do-description = { $outcome ->
    [requested] asked to change the description of { $targets }{ $where }
   *[other] changed the description of { $targets }{ $where }
}
audit-do-update = { $outcome ->
    [requested] asked to change the settings of { $targets }{ $where }
   *[other] changed the settings of { $targets }{ $where }
}
audit-do-reset_password = { $outcome ->
    [requested] asked to reset the password of { $targets }{ $where }
   *[other] reset the password of { $targets }{ $where }
}
audit-do-renew = { $outcome ->
    [requested] asked to renew { $targets }{ $where }
   *[other] renewed { $targets }{ $where }
}
audit-do-unsubscribe = { $outcome ->
    [requested] asked to unsubscribe { $targets }{ $where }
   *[other] unsubscribed { $targets }{ $where }
}
audit-do-purchase = { $outcome ->
    [requested] asked to buy { $count } × { $spec } ({ $image }){ $where }
   *[other] bought { $count } × { $spec } ({ $image }){ $where }
}
audit-do-purchase-done = bought { $targets }{ $where }
audit-do-account-refresh = { $outcome ->
    [requested] asked to refresh a cloud account from Huawei Cloud
   *[other] refreshed a cloud account from Huawei Cloud
}
audit-do-account-other = changed a cloud account ({ $action })
audit-do-sign-in = signed in
audit-do-sign-out = signed out
audit-do-export = exported the audit log as { $format ->
    [jsonl] JSON Lines
   *[csv] CSV
}{ $filtered ->
    [yes] {" "}(filtered)
   *[no] {""}
}
audit-do-other = did “{ $action }”{ $where }

# The page's two views: one line per action (the default) and every event as recorded.
audit-views = How to list
audit-view-actions = One line per action
audit-view-events = Show every event
audit-view-actions-hint = Each line is one action and how it ended; open it for its events.
audit-view-events-hint = Every event on its own line, exactly as recorded.
audit-line-events = { $count ->
    [one] 1 event
   *[other] { $count } events
}
# An order (renew, unsubscribe, purchase) that waits for someone to pay it.
audit-outcome-payment = Waiting for payment
audit-result-payment = waiting for payment in the Huawei console — order { $order }
audit-pay-link = Pay order { $order } in the Huawei console
