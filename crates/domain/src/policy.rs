//! Who may do what in a team: the roles table of DESIGN.md, in one function.

use std::fmt;
use std::str::FromStr;

/// A member's role in one team, from least to most trusted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
    Owner,
}

/// One row of the roles table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See instances, jobs, traffic and expiry.
    ViewInstances,
    /// Start, stop, reboot.
    PowerActions,
    /// Rename, set the hostname or description, reset the password.
    ManageInstances,
    Renew,
    /// Buy new instances (costs money).
    Purchase,
    /// Cancel instances (destroys them).
    Unsubscribe,
    /// Read and export the audit log.
    ReadAudit,
    /// Manage members and cloud accounts.
    ManageTeam,
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Permission::ViewInstances,
        Permission::PowerActions,
        Permission::ManageInstances,
        Permission::Renew,
        Permission::Purchase,
        Permission::Unsubscribe,
        Permission::ReadAudit,
        Permission::ManageTeam,
    ];
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Operator, Role::Admin, Role::Owner];

    /// The roles table. Written as a match on the permission so that each row reads like
    /// the table and a new permission does not compile until it is placed.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            ViewInstances => true,
            PowerActions => self >= Role::Operator,
            ManageInstances | Renew | ReadAudit => self >= Role::Admin,
            Purchase | Unsubscribe | ManageTeam => self == Role::Owner,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::rows::text_column!(Role);

/// Not one of viewer, operator, admin, owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role must be one of viewer, operator, admin, owner")]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or(UnknownRole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DESIGN.md's table copied cell by cell: columns viewer, operator, admin, owner.
    const TABLE: [(Permission, [bool; 4]); 8] = [
        (Permission::ViewInstances, [true, true, true, true]),
        (Permission::PowerActions, [false, true, true, true]),
        (Permission::ManageInstances, [false, false, true, true]),
        (Permission::Renew, [false, false, true, true]),
        (Permission::Purchase, [false, false, false, true]),
        (Permission::Unsubscribe, [false, false, false, true]),
        (Permission::ReadAudit, [false, false, true, true]),
        (Permission::ManageTeam, [false, false, false, true]),
    ];

    #[test]
    fn every_cell_matches_the_design_table() {
        assert_eq!(TABLE.len(), Permission::ALL.len());
        for (permission, row) in TABLE {
            for (role, expected) in Role::ALL.into_iter().zip(row) {
                assert_eq!(role.allows(permission), expected, "{role} / {permission:?}");
            }
        }
    }

    #[test]
    fn roles_parse_and_print_as_lowercase_words() {
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
        }
        assert_eq!("Owner".parse::<Role>(), Err(UnknownRole));
        assert_eq!("root".parse::<Role>(), Err(UnknownRole));
    }
}
