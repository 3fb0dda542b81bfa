# The dashboard (start page).
dashboard-title = Dashboard
dashboard-heading = Your teams
dashboard-role = Your role: { $role ->
    [owner] owner
    [admin] admin
    [operator] operator
   *[viewer] viewer
}
dashboard-no-teams-title = You are not in a team yet
dashboard-no-teams = Lightdeck shows the instances of the teams you belong to. Ask an owner of your team to add you; once they have, your team appears here.
dashboard-admin-title = Managing users and teams
dashboard-admin = You are a site administrator. Until there are pages for it, users and teams are managed from the command line on the server:
dashboard-admin-user-add = add a user (add --site-admin for another administrator)
dashboard-admin-team-add = create a team
dashboard-admin-member-add = add a user to a team with a role (viewer, operator, admin or owner)
dashboard-admin-passwd = set a new password

dashboard-instances = Instances
dashboard-instances-total = { $count ->
    [one] { $count } instance
   *[other] { $count } instances
}
dashboard-state-running = Running
dashboard-state-stopped = Stopped
dashboard-state-transitional = In progress
dashboard-state-error = Error
dashboard-state-unknown = Unknown
dashboard-attention = Needs attention
dashboard-expiring-7 = Expiring within 7 days
dashboard-expiring-30 = Expiring within 30 days
dashboard-low-traffic = Less than 20 % traffic left
dashboard-open-instances = Open the instance list
dashboard-open-audit = Open the audit log

dashboard-activity-team = Recent activity
dashboard-activity-own = Your recent actions
dashboard-activity-own-hint = Your role shows only what you did yourself; admins and owners see the whole team's log.
dashboard-activity-empty = Nothing has happened yet.
