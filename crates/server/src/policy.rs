//! The permissions of panel features the domain's policy has no name for. The route checks
//! it and the page decides whether to show the button with it, so both read it here.

use lightdeck_domain::policy::Permission;

/// Who may press "Refresh now". The issue names no role; it makes cloud calls on the
/// team's behalf (reads only), so it is offered to those who may already make the cloud
/// act: operators and up, like start / stop / reboot.
pub const REFRESH: Permission = Permission::PowerActions;
