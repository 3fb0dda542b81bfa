# Renew, reset password, unsubscribe: the forms, their summaries and their answers.
lifecycle-name-in-account = { $name } ({ $account })
lifecycle-lines-caption = The instances this applies to
lifecycle-col-instance = Instance
lifecycle-col-account = Cloud account
lifecycle-col-region = Region
lifecycle-col-expires = Expires
lifecycle-col-after = Expires after renewal
lifecycle-unknown = not known yet
lifecycle-none-selected = Choose at least one instance first (tick it in the instances table).
lifecycle-back-to-instance = Back to the instance
lifecycle-see-progress = See the progress of this request
lifecycle-copy = Copy
lifecycle-copied-password = Password copied.

lifecycle-renew-heading = Renew instances
lifecycle-renew-error-days = "Expiring within" must be a number of days from 1 to 366.
lifecycle-renew-months = { $count ->
    [one] 1 month
   *[other] { $count } months
}
lifecycle-renew-years = { $count ->
    [one] 1 year
   *[other] { $count } years
}
lifecycle-renew-error-period = Choose a period of 1 to 11 months or 1 to 3 years.
lifecycle-renew-choose = Choose how long
lifecycle-renew-change = Change the period or payment
lifecycle-renew-period = Renew for
lifecycle-renew-autopay = Pay now from the Huawei account's balance
lifecycle-renew-autopay-hint = Without this, Huawei Cloud creates an order that waits until someone pays it in the Huawei console; the instance is renewed only then.
lifecycle-renew-review = Show what will happen
lifecycle-renew-summary-heading = Please check before renewing
lifecycle-renew-summary-what = { $count ->
    [one] 1 instance is renewed for { $term }.
   *[other] { $count } instances are renewed for { $term } each.
}
lifecycle-renew-summary-accounts = It is charged to the cloud account(s): { $accounts }.
lifecycle-renew-summary-autopay = It is paid at once from the account's balance, at Huawei Cloud's price for each instance's plan.
lifecycle-renew-summary-no-autopay = Nothing is paid yet: each order waits for payment in the Huawei console, and the instance is renewed once it is paid.
lifecycle-renew-summary-expired = { $count ->
    [one] 1 instance has already expired: it is extended from its old end date.
   *[other] { $count } instances have already expired: they are extended from their old end dates.
}
lifecycle-renew-spends-money = This spends money.
lifecycle-renew-confirm = { $count ->
    [one] Renew 1 instance
   *[other] Renew { $count } instances
}

lifecycle-reauth-label = Your Lightdeck password
lifecycle-reauth-hint = Asked again because this cannot be undone and you last typed it more than 10 minutes ago.
lifecycle-reauth-required = Type your Lightdeck password to confirm.
lifecycle-reauth-wrong = That is not your Lightdeck password.
lifecycle-reauth-throttled = Too many wrong passwords for your account; wait 15 minutes and try again.
lifecycle-reauth-busy = The panel is busy checking other passwords; try again in a moment.

lifecycle-password-heading = Reset the instance password
lifecycle-password-after-restart = A running server takes the new password after its next restart: restart it once the reset is done.
lifecycle-password-stopped = A stopped server takes it when it is next started.
lifecycle-password-plugin = Servers made from your own (private) image need Huawei's password-reset plug-in installed, or the reset has no effect.
lifecycle-password-how = New password
lifecycle-password-mode-typed = I type it (twice)
lifecycle-password-mode-generate = Make one for me and show it once
lifecycle-password-new = New password for the root / Administrator user
lifecycle-password-confirm = The same password again
lifecycle-password-rule-length = 8 to 26 characters: letters, digits and { $symbols }
lifecycle-password-rule-kinds = at least 3 of: capital letters, small letters, digits, those symbols
lifecycle-password-rule-names = not containing root or Administrator (also backwards), nor 3 letters in a row from Administrator
lifecycle-password-broken-required = Type a new password.
lifecycle-password-broken-length = It must be 8 to 26 characters long.
lifecycle-password-broken-characters = It has a character that is not allowed (no spaces; only letters, digits and the listed symbols).
lifecycle-password-broken-kinds = It needs at least 3 of the 4 kinds: capital letters, small letters, digits, symbols.
lifecycle-password-broken-names = It must not contain root or Administrator, forwards or backwards.
lifecycle-password-broken-letters = It must not contain 3 letters in a row from the word Administrator (such as adm or tor).
lifecycle-password-mismatch = The two passwords are not the same.
lifecycle-password-submit = { $count ->
    [one] Reset the password of 1 instance
   *[other] Reset the password of { $count } instances
}
lifecycle-password-done-heading = Password reset
lifecycle-password-done = { $count ->
    [one] Huawei Cloud accepted the new password for 1 instance.
   *[other] Huawei Cloud accepted the new password for { $count } instances.
}
lifecycle-password-failed = The reset did not go through: { $why } ({ $code })
lifecycle-password-replayed = This form was already sent once; it was not sent again. A password made for it then is not kept and cannot be shown again — reset again if you do not have it.
lifecycle-password-generated-heading = The new password
lifecycle-password-shown-once = Copy it now and keep it somewhere safe: it is shown only this once, and Lightdeck does not keep it.
lifecycle-password-restart = { $count ->
    [one] Restart the running instance now
   *[other] Restart the { $count } running instances now
}

lifecycle-unsubscribe-heading = Unsubscribe
lifecycle-unsubscribe-title = Unsubscribe { $name }
lifecycle-unsubscribe-what = What is released
lifecycle-unsubscribe-where = Cloud account { $account }, region { $region }.
lifecycle-unsubscribe-releases-server = The instance { $name } and its cloud server
lifecycle-unsubscribe-releases-eip = Its public IP address (EIP { $id })
lifecycle-unsubscribe-releases-ip = The public IP address { $ip } stops being yours
lifecycle-unsubscribe-releases-traffic = Its traffic package ({ $id })
lifecycle-unsubscribe-releases-disk = A disk and everything on it ({ $id })
lifecycle-unsubscribe-releases-backup = Its cloud backup vault ({ $id })
lifecycle-unsubscribe-releases-hss = Its host security service ({ $id })
lifecycle-unsubscribe-releases-other = A bundled resource ({ $id })
lifecycle-unsubscribe-data-lost = Unsubscribing the whole instance deletes its data; it cannot be undone.
lifecycle-unsubscribe-refund = Refunds follow Huawei Cloud's rules: in full within 5 days of purchase, otherwise for the unused part of the period; Huawei decides the amount.
lifecycle-unsubscribe-scope = What to give back
lifecycle-unsubscribe-scope-whole = The whole instance, now
lifecycle-unsubscribe-scope-renewals = Only the renewal periods that have not started (the instance runs until its current end date)
lifecycle-unsubscribe-type-name = Type the instance's name, { $name }, to confirm
lifecycle-unsubscribe-error-scope = Choose the whole instance or only the renewal periods not yet started.
lifecycle-unsubscribe-error-name = The name does not match; type { $name } exactly.
lifecycle-unsubscribe-submit = Unsubscribe

# Failures of renewals, unsubscriptions and password resets (see explain.rs).
explain-order-in-progress = The instance already has an unfinished or unpaid order (a renewal or unsubscription in progress). Finish or cancel that order in the Huawei console, then try again.
explain-renew-too-long = This renewal would make the instance's total term longer than Huawei Cloud allows. Choose a shorter period.
explain-bad-period = Huawei Cloud does not sell this renewal period for this instance. Choose another period.
explain-auto-pay-failed = Paying from the account's balance failed, usually because the balance is too low. Top up the Huawei account, or choose not to pay now and pay the order in the Huawei console.
explain-renew-together = Resources bought together with this instance must be renewed together; renew them in the Huawei console.
explain-password-rules = Huawei Cloud refused the new password because it breaks its password rules.

# The orders list.
orders-heading = Orders
orders-filter-kind = Kind
orders-filter-state = State
orders-filter-account = Cloud account
orders-any = Any
orders-apply = Show
orders-none = No orders match. Purchases, renewals and unsubscriptions made in Lightdeck are listed here.
orders-col-order = Order
orders-col-kind = Kind
orders-col-instances = Instances
orders-col-account = Cloud account
orders-col-status = Status
orders-col-amount = Amount
orders-col-by = Placed by
orders-col-placed = Placed
orders-col-ended = Ended
orders-no-order = no order (refused)
orders-no-amount = not given
orders-pay = Pay in the Huawei console
orders-limit = The newest { $limit } orders at most are shown.
orders-status-requested = Being sent
orders-status-processing = Processing
orders-status-payment = Waiting for payment
orders-status-completed = Completed
orders-status-cancelled = Cancelled
orders-status-failed = Refused
orders-status-unknown = Outcome unknown
orders-state-requested = Being sent
orders-state-accepted = In progress
orders-state-succeeded = Completed
orders-state-failed = Failed or cancelled
orders-state-unknown = Outcome unknown
orders-error-kind = "Kind" must be purchase, renew or unsubscribe.
orders-error-state = "State" is not one of the listed states.
orders-error-account = "Cloud account" is not one of this team's accounts.
orders-error-instance = "Instance" must be a 24-character instance id.
