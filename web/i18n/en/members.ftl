# A team's members page.
members-heading = Members of { $team }
members-col-name = Member
members-col-role = Role
members-col-added = Added
members-col-last-sign-in = Last signed in
members-col-change = Change
members-you = you
members-disabled = disabled
members-never = never
members-added-by = by { $name }
members-role-owner = Owner
members-role-admin = Admin
members-role-operator = Operator
members-role-viewer = Viewer
members-role-of = Role of { $name }
members-change-role = Change role
members-remove = Remove
members-remove-who = Remove { $name } from the team
members-last-owner = The only owner: make someone else owner first, then this can change.
members-add-heading = Add a member
members-add-login = Their login
members-add-role = Role
members-add-hint = They must already have a Lightdeck user; a site administrator creates users.
members-add = Add to the team
members-done-added = Added to the team.
members-done-role = Role changed.
members-done-removed = Removed from the team. Their open pages no longer show this team.
members-error-login = A login is 3 to 32 characters: it starts with a lowercase letter, then lowercase letters, digits, dot, dash or underscore.
members-error-role = Choose one of the roles: owner, admin, operator, viewer.
members-error-no-such-user = There is no user with this login.
members-error-already = This user is already a member of the team.
members-error-last-owner = A team needs at least one owner: make someone else owner first.

# Your own account.
account-heading = Your account
account-who = Signed in as { $name } ({ $login }).
account-password-heading = Change your password
account-current = Current password
account-new = New password
account-new-hint = At least 12 characters; a few words you remember make a good one.
account-confirm = The new password again
account-others-end = Every other place you are signed in (another browser, a lost laptop) is signed out when you change it.
account-change = Change password
account-password-changed = Your password was changed. Every other session of yours has been signed out.
account-error-short = The new password must be at least 12 characters long.
account-error-long = The new password must be at most 256 characters long.
account-error-control = The new password must not contain control characters such as tabs or line breaks.
account-error-mismatch = The two new passwords are not the same.
account-error-current-required = Type your current password.

# Audit sentences of membership changes ("alice made bob an admin").
audit-do-member-added = added { $login } to the team as { $role ->
    [owner] an owner
    [admin] an admin
    [operator] an operator
   *[viewer] a viewer
}
audit-do-member-role_changed = made { $login } { $role ->
    [owner] an owner
    [admin] an admin
    [operator] an operator
   *[viewer] a viewer
}
audit-do-member-removed = removed { $login } from the team

# A new person and their one-time setup link.
members-new-heading = Add a new person
members-new-login = Their login (they sign in with it)
members-new-name = Their name, as others see it
members-new-hint = Lightdeck makes the user and a setup link that works once, for 24 hours: hand it over (chat, in person); they choose their own password there.
members-new-submit = Create and show the link
members-new-link-heading = Their setup link
members-new-link-intro = { $login } was added. Give them the link below.
members-new-link-once = Shown only now: Lightdeck keeps only a fingerprint of it. It works once, within 24 hours.
members-new-link-copy = Copy the link
members-new-link-copied = Link copied.
members-error-name = Type their name: 1 to 64 characters, no control characters.
members-error-login-taken = This login is taken: add that user with "Add a member", or choose another.
setup-heading = Choose your password
setup-for = You are setting the password of { $login }.
setup-submit = Set my password
setup-gone = This link does not work (any more): it may have been used already or be older than 24 hours. Ask the person who added you for a new one.
