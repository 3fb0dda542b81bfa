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
accounts-refresh-paused = Syncing of this account is paused. Resume it on the Cloud accounts page first.

# The team's cloud accounts page (owners).
accounts-page-heading = Cloud accounts of { $team }
accounts-col-name = Account
accounts-col-huawei = Huawei account
accounts-col-regions = Regions
accounts-col-credentials = Credentials
accounts-col-sync = Last sync
accounts-col-instances = Instances
accounts-col-manage = Manage
accounts-ak = AK …{ $tail }
accounts-iam-user = IAM user { $user }
accounts-paused = Syncing paused
# The instances page's account line of a paused account; $read is its last-sync words.
accounts-paused-line = Syncing paused; { $read }
accounts-manage = Settings
accounts-manage-of = Settings of { $name }
accounts-connect-heading = Connect a Huawei Cloud account
accounts-connect-intro = Lightdeck checks the keys with Huawei Cloud and finds the account's project in each region before it stores anything. The secret key and password are stored encrypted and never shown again.
accounts-field-name = Name in Lightdeck
accounts-field-name-hint = How your team will recognise this account, e.g. "Production".
accounts-field-ak = Access key ID (AK)
accounts-field-sk = Secret access key (SK)
accounts-aksk-hint = Create an access key in the Huawei Cloud console under My Credentials › Access Keys.
accounts-iam-legend = IAM user (optional)
accounts-iam-hint = Only needed for operations that require a password-based token. Leave these empty if you are not sure.
accounts-field-iam-account = Huawei account name
accounts-field-iam-user = IAM user name
accounts-field-iam-password = IAM user password
accounts-regions-legend = Regions
accounts-regions-hint = The regions whose Flexus L instances Lightdeck should show.
accounts-connect-submit = Check and connect
accounts-done-connected = The account was connected.
accounts-done-connected-unsynced = The account was connected, but its first read from the cloud failed; its instances appear after the next sync.
accounts-done-renamed = The account was renamed.
accounts-done-regions = The regions were changed.
accounts-done-credentials = The new credentials work and replace the old ones.
accounts-done-paused = Syncing is paused. The instances keep their last known state.
accounts-done-resumed = Syncing is resumed.
accounts-done-removed = The account was removed. Its history stays in the audit log.
accounts-cloud-refused = Lightdeck could not verify these credentials with Huawei Cloud. Nothing was stored.
accounts-cloud-details = Details: { $details }
accounts-why-auth-failed = Huawei Cloud did not accept the access key or the password. Check that you copied the AK and SK (or the IAM password) completely and that the key is enabled.
accounts-why-key-locked = Huawei Cloud has locked this access key for a few minutes after several wrong signatures. Check the SK and try again in five minutes.
accounts-why-permission = The keys work but may not list the account's projects or resources. Give the IAM user read permission for IAM, RMS and ECS, then try again.
accounts-why-unreachable = Lightdeck could not reach Huawei Cloud. Check this server's network connection and try again.
accounts-why-timeout = Huawei Cloud did not answer in time. Try again in a moment.
accounts-why-no-account = Huawei Cloud named no account for these keys.
explain-key-locked = Huawei Cloud has locked the access key for a few minutes after several wrong signatures.
accounts-error-name = Give the account a name: 1 to 64 characters, no control characters such as tabs or line breaks.
accounts-error-name-taken = This team already has an account with this name.
accounts-error-ak = The access key ID (AK) is 20 capital letters and digits.
accounts-error-sk = The secret access key (SK) is 40 letters and digits, as shown when the key was created.
accounts-error-credentials-none = Give an access key pair (AK and SK), an IAM user, or both.
accounts-error-iam-account = Type the Huawei account name the IAM user belongs to (1 to 64 characters).
accounts-error-iam-user = Type the IAM user name (1 to 64 characters, no control characters).
accounts-error-iam-password = Type the IAM user's password (at most 128 characters, no control characters).
accounts-error-region-none = Choose at least one region.
accounts-error-region-unknown = Choose regions from the list only.
accounts-error-other-domain = These credentials belong to another Huawei account ({ $domain }). Connect that one as a new account instead.
accounts-error-paused = Choose whether to pause or resume syncing.

# One account's settings.
accounts-detail-heading = Account { $name }
accounts-back = Back to the cloud accounts
accounts-rename-heading = Name
accounts-rename-submit = Rename
accounts-regions-submit = Save regions
accounts-regions-explain = New regions are checked with Huawei Cloud first. Instances of a region you turn off leave the instances table.
accounts-credentials-heading = Replace the credentials
accounts-credentials-explain = The new credentials are checked first; the old ones stay in use until the new ones work.
accounts-credentials-submit = Check and replace
accounts-sync-heading = Syncing
accounts-sync-running = Lightdeck reads this account's instances from the cloud regularly.
accounts-sync-paused-explain = Syncing is paused: Lightdeck does not read this account from the cloud, and the instances page shows their last known state.
accounts-pause = Pause syncing
accounts-resume = Resume syncing
accounts-remove-heading = Remove the account
accounts-remove-link = Remove { $name }…

# Removal, confirmed.
accounts-remove-title = Remove { $name }?
accounts-remove-what = Lightdeck erases the stored keys of { $name } (Huawei account { $domain }) and stops reading it. Its { $count ->
    [one] one instance leaves
   *[other] { $count } instances leave
} the instances table and the dashboard.
accounts-remove-kept = Nothing changes in Huawei Cloud: the instances keep running there. The audit log keeps the history of this account and its instances.
accounts-remove-confirm = Remove { $name }
accounts-remove-cancel = Keep it
accounts-remove-unconfirmed = Confirm the removal with the button below.

# Audit sentences of account changes (the audit page's "changed a cloud account (…)" until
# it names them).
audit-do-account-connected = connected account { $name } (Huawei account { $domain })
audit-do-account-renamed = renamed account { $from } to { $name }
audit-do-account-regions_changed = changed the regions of account { $name } to { $regions }
audit-do-account-credentials_replaced = replaced the credentials of account { $name }
audit-do-account-paused = paused syncing of { $name }
audit-do-account-resumed = resumed syncing of { $name }
audit-do-account-removed = removed account { $name }
