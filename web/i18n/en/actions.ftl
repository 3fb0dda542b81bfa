# Start / stop / reboot, the confirmation step, the progress panel, failure explanations.
actions-type-label = How
actions-type-soft = Normal (the system shuts down cleanly)
actions-type-hard = Forced (like pulling the power plug)
actions-start = Start
actions-stop = Stop
actions-reboot = Restart
actions-select-hint = Tick the instances in the table, then choose what to do.
actions-kind-start = Start
actions-kind-stop = Stop
actions-kind-stop-hard = Forced stop
actions-kind-reboot = Restart
actions-kind-reboot-hard = Forced restart
actions-kind-update = Change name or description
actions-kind-reset-password = Reset password
actions-kind-renew = Renew
actions-kind-unsubscribe = Unsubscribe
actions-kind-purchase = Purchase
actions-state-requested = Requested
actions-state-accepted = In progress
actions-state-succeeded = Succeeded
actions-state-failed = Failed
actions-state-unknown = Outcome unknown
actions-item-requested = Sending to Huawei Cloud
actions-item-accepted = Accepted by Huawei Cloud
actions-item-running = In progress
actions-item-succeeded = Done
actions-item-failed = Failed
actions-item-unknown = Outcome unknown
actions-details = Technical details
actions-detail-code = Error code
actions-detail-message = Huawei Cloud's message
actions-detail-request-id = Huawei request id
actions-detail-job-id = Job id
actions-item-payment = Waiting for payment in the Huawei console — order { $order }
actions-pay-link = Pay order { $order } in the Huawei console
actions-detail-order-id = Order id
actions-progress-title = Progress
actions-progress-heading = { $action } — { $count ->
    [one] 1 instance
   *[other] { $count } instances
}
actions-progress-summary = { $done } of { $total } finished
actions-progress-done = all finished
actions-progress-col-state = Progress
actions-progress-col-now = State now
actions-progress-link = Open this progress on its own page
actions-confirm-heading = Please confirm
actions-confirm-cancel = Cancel
actions-confirm-stop = { $count ->
    [one] This instance will shut down. Websites and programs on it stop answering until someone starts it again.
   *[other] These { $count } instances will shut down. Websites and programs on them stop answering until someone starts them again.
}
actions-confirm-stop-button = Yes, stop
actions-confirm-stop-hard = { $count ->
    [one] This instance will be switched off at once, like pulling the power plug. Unsaved data on it can be lost, and it stays off until someone starts it again.
   *[other] These { $count } instances will be switched off at once, like pulling the power plug. Unsaved data on them can be lost, and they stay off until someone starts them again.
}
actions-confirm-stop-hard-button = Yes, switch off now
actions-confirm-reboot-hard = { $count ->
    [one] This instance will be restarted at once, like pulling the power plug and plugging it back in. Unsaved data on it can be lost; it is unreachable for a minute or two.
   *[other] These { $count } instances will be restarted at once, like pulling the power plug and plugging it back in. Unsaved data on them can be lost; they are unreachable for a minute or two.
}
actions-confirm-reboot-hard-button = Yes, force the restart
actions-problem = This could not be done:
actions-error-type = How: choose normal or forced.
actions-error-action = Action: choose start, stop or restart.
actions-error-no-instance = Instances: tick at least one instance in the table.
actions-error-too-many = Instances: choose at most { $max } at a time.
actions-error-key = The form is out of date: reload the page and try again.
explain-throttled = Huawei Cloud received too many requests in a short time and refused this one. Wait a minute and try again.
explain-already-running = The instance was already running, so there was nothing to start.
explain-already-stopped = The instance was already stopped, so there was nothing to stop.
explain-wrong-state = The instance was busy with something else or in a state that does not allow this. Wait until its status settles and try again.
explain-account-restricted = Huawei Cloud has restricted this account (for example because of an unpaid balance or a freeze). Check the account in the Huawei Cloud console.
explain-auth-failed = Huawei Cloud did not accept this account's access keys or password. The account owner should check the credentials stored in Lightdeck.
explain-permission-denied = The keys stored for this account are not allowed to do this. The account owner should grant the missing permission in Huawei Cloud IAM.
explain-not-found = Huawei Cloud no longer knows this instance. It may have been deleted; press “Refresh now” to update the list.
explain-unreachable = Lightdeck could not reach Huawei Cloud. Check the network connection and try again.
explain-timeout = Huawei Cloud did not answer in time. Check the instance's status before trying again.
explain-cloud-error = Huawei Cloud had an internal problem. Try again in a few minutes.
explain-unknown = Nobody can tell whether Huawei Cloud carried this out. Look at the instance's status before trying again.
explain-job-gone = Huawei Cloud no longer knows the job that was carrying this out (it kept answering “not found” for a minute), so nobody can tell how it ended. Lightdeck refreshed the instances: the status in the table is their real one.
explain-order-gone = Huawei Cloud no longer knows the order of this action (it kept answering “not found” for a minute), so nobody can tell how it ended. Check the order in the Huawei Cloud console.
explain-other = Huawei Cloud refused this. The technical details below say why.
# A purchase's progress, before and while its instances come to exist.
actions-purchase-names = { $first } … { $last } ({ $count } instances)
actions-detail-purchase-id = Purchase ID (tag lightdeck-purchase)
explain-purchase-looking = Huawei Cloud's answer to this purchase was lost, so nobody can tell yet whether it bought anything. Lightdeck is looking for instances carrying this purchase's tag until { $until }. Do not buy again before then.
explain-purchase-unknown = Lightdeck could not find out whether Huawei Cloud carried out this purchase. Check the orders and instances in the Huawei console before buying again.
explain-sold-out = This plan is sold out in this region right now, and nothing was bought. Choose another plan or region, or try again later.
explain-quota = The Huawei account's instance quota is used up, and nothing was bought. Ask Huawei Cloud to raise the quota, or release instances you no longer need.
explain-invalid-choice = Huawei Cloud refused one of the purchase's choices, and nothing was bought; the technical details below name it. Change it and buy again.
explain-dependency = Huawei Cloud could not reach one of its own services for this purchase, and nothing was bought. Try again in a few minutes.
