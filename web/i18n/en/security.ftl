# The second factor: signing in with a code, setting it up on "Your account", a team's
# requirement on the members page, and a site administrator's reset.

# The second step of signing in.
login-code-expired = You took more than five minutes to type the code. Sign in again.
code-title = Your code
code-heading = Type your code
code-intro = Your password was right. Now open the authenticator app on your phone and type the six-digit code it shows for Lightdeck.
code-label = Code
code-hint = Lost your phone? Type one of your recovery codes instead.
code-submit = Sign in
code-start-again = Sign in as someone else
code-required = Type the code from your authenticator app, or a recovery code.
code-wrong = That code is not right, or it was used already. Codes change every 30 seconds: wait for the next one and try again.

# Your account.
sf-heading = Second factor
sf-back = Back to your account
sf-intro = With a second factor, signing in needs your password and a code from an authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator or FreeOTP). Someone who learns your password still cannot sign in.
sf-account-on = On: signing in asks for a code from your authenticator app.
sf-account-off = Off: signing in needs only your password.
sf-account-manage = Manage your second factor
sf-account-set-up = Set up a second factor
sf-on-heading = Your second factor is on
sf-on-since = On since { $since }.
sf-recovery-left = { $count ->
    [0] You have no recovery codes left. Make new ones below.
    [one] You have 1 recovery code left.
   *[other] You have { $count } recovery codes left.
}
sf-off-heading = Your second factor is off
sf-off = Signing in needs only your password.
sf-apps = You need an authenticator app on your phone. Setting it up takes a minute: scan a code, then type the number the app shows.
sf-start = Set up a second factor
sf-start-password-hint = You signed in a while ago: type your password again, so that nobody else can set up a second factor on a browser you left open.
sf-required-by = Team { $team } asks every member to sign in with a second factor. Set one up here to go on working in it.
sf-already-on = Your second factor is on already. To set it up again, turn it off first.
sf-password = Your password
sf-code = Code from your app, or a recovery code
sf-code-hint = Six digits from the app, or one of your recovery codes.
sf-new-codes-heading = New recovery codes
sf-new-codes-hint = Makes ten new recovery codes; the ones you have stop working.
sf-new-codes-submit = Make new recovery codes
sf-off-form-heading = Turn off the second factor
sf-off-form-hint = Signing in will need only your password. Teams that require a second factor will ask you to set one up again.
sf-off-form-submit = Turn off the second factor
sf-done-enabled = Your second factor is on. From now on, signing in asks for a code.
sf-done-new-codes = New recovery codes are ready. The old ones no longer work.
sf-done-disabled = Your second factor is off. Signing in needs only your password.
sf-done-enrol-again = That set-up was not finished within 15 minutes, or a newer one was started (in another tab or browser). Start again: you will get a new key to scan.
sf-done-recovery-used = You signed in with a recovery code, which now no longer works. { $count ->
    [0] You have none left: make new ones below.
    [one] You have 1 left.
   *[other] You have { $count } left.
}
sf-error-password-required = Type your password.
sf-error-code-required = Type a code from your authenticator app.
sf-error-enrol-code = That is not the code your app shows now. Check that the app added Lightdeck from this page, and type the code it shows (it changes every 30 seconds).
sf-error-code = That code is not right, or it was used already. Wait for the next code from your app, or use a recovery code.
sf-error-off = Your second factor is off already.

# Setting it up.
sf-enrol-heading = Set up a second factor
sf-enrol-scan-heading = 1. Add Lightdeck to your authenticator app
sf-enrol-scan = In the app, choose to add an account and scan this QR code.
sf-enrol-qr-caption = QR code to scan with your authenticator app. It holds the key below.
sf-enrol-type = Cannot scan it? Choose to type a key in the app, and type this one:
sf-enrol-type-hint = Keep it to yourself: whoever has this key can make your codes. It is shown on this page only.
sf-enrol-confirm-heading = 2. Type the code the app shows
sf-enrol-code = Six-digit code
sf-enrol-submit = Turn on the second factor
sf-enrol-cancel = Not now

# The recovery codes, shown once.
sf-codes-heading = Your recovery codes
sf-codes-save = Keep these codes somewhere safe
sf-codes-intro = If you lose your phone, sign in with one of these codes instead of a code from the app. Each works once. Print them or keep them in a password manager, not on your phone.
sf-codes-once = This is the only time they are shown.
sf-codes-done = I have kept them

# A team's requirement (members page).
members-sf-heading = Second factor
members-sf-legend = Must every member sign in with a second factor?
members-sf-yes = Yes: members without one are asked to set it up before they can work in this team
members-sf-no = No: each person chooses
members-sf-hint = You need a second factor of your own to require one. Members who have one are marked in the list above.
members-sf-save = Save
members-sf-badge = Second factor
members-sf-done-required = Every member now needs a second factor. Those without one are asked to set it up when they next open this team.
members-sf-done-not-required = Members no longer need a second factor to work in this team.
members-sf-error-choose = Choose yes or no.
members-sf-error-enrol-first = Set up your own second factor first (on Your account): otherwise this would shut you out of the team too.

# The dashboard card of a team that requires one, for a member without one.
dashboard-sf-required = This team asks every member to sign in with a second factor. Set one up to see its instances and activity here.
dashboard-sf-set-up = Set up a second factor

# Audit sentences: the team's ("alice required a second factor for team Demo") and the site's.
audit-do-team-second_factor-required = required a second factor for team { $team }
audit-do-team-second_factor-not_required = stopped requiring a second factor for team { $team }
admin-audit-user-second_factor-enabled = turned on a second factor for { $login }
admin-audit-user-second_factor-disabled = turned off the second factor of { $login }
admin-audit-user-second_factor-recovery_codes_replaced = made new recovery codes for { $login }
admin-audit-user-second_factor-reset = reset { $login }'s second factor

# Site administration.
admin-users-sf-reset = Reset second factor
admin-users-sf-reset-who = Reset second factor of { $name }
admin-users-done-second-factor-reset = Their second factor is removed and their sessions have ended. They sign in with their password and can set up a new one.
admin-users-done-second-factor-none = They had no second factor on, so nothing changed and their sessions go on.
admin-error-own-second-factor = Turn your own second factor off on Your account (it asks for a code).
