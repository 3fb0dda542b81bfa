//! Finding the PostgreSQL server programs, and running them as an unprivileged user when this
//! process is root (initdb and postgres refuse to run as root).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result};

/// What a person without PostgreSQL installed should do; shown whenever no server is found.
pub const HOW_TO_GET_POSTGRES: &str = "Lightdeck needs PostgreSQL. Either install the server \
programs so Lightdeck can start a private one (Debian/Ubuntu: `apt-get install postgresql`, \
Fedora/RHEL: `dnf install postgresql-server`, macOS: `brew install postgresql@16`), or point \
DATABASE_URL at a running server (for example `docker compose up` from the Lightdeck folder \
starts one)";

/// A directory holding `initdb` and `postgres`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    dir: PathBuf,
}

impl PgBinaries {
    /// Searches [`PgBinaries::default_search_path`].
    pub fn find() -> Result<PgBinaries> {
        Self::find_in(&Self::default_search_path())
    }

    /// The first directory of `dirs` that holds both `initdb` and `postgres`.
    pub fn find_in(dirs: &[PathBuf]) -> Result<PgBinaries> {
        dirs.iter()
            .find(|d| is_executable(&d.join("initdb")) && is_executable(&d.join("postgres")))
            .map(|d| PgBinaries { dir: d.clone() })
            .ok_or_else(|| {
                Error::Postgres(format!(
                    "no PostgreSQL server programs (initdb and postgres) were found on PATH or \
                     in /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, Homebrew's \
                     opt/postgresql*/bin or /usr/local/pgsql/bin. {HOW_TO_GET_POSTGRES}."
                ))
            })
    }

    /// PATH (Fedora/RHEL's own package, MacPorts' and Homebrew's linked formulae), then
    /// the folders packages put them in off PATH: Debian/Ubuntu's
    /// `/usr/lib/postgresql/<version>/bin`, the PGDG RPMs' `/usr/pgsql-<version>/bin`,
    /// SUSE's `/usr/lib/postgresql<version>/bin`, Homebrew's keg-only
    /// `opt/postgresql@<version>/bin` (Apple silicon, then Intel), Postgres.app, MacPorts;
    /// newest version first within each. Last the usual folders a trimmed PATH (a service,
    /// cron) may lack, and `/usr/local/pgsql/bin`, where a build from source installs.
    pub fn default_search_path() -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        dirs.extend(versioned_dirs(Path::new("/usr/lib/postgresql"), "", "bin"));
        dirs.extend(versioned_dirs(Path::new("/usr"), "pgsql-", "bin"));
        dirs.extend(versioned_dirs(Path::new("/usr/lib"), "postgresql", "bin"));
        dirs.extend(versioned_dirs(Path::new("/opt/homebrew/opt"), "postgresql", "bin"));
        dirs.extend(versioned_dirs(Path::new("/usr/local/opt"), "postgresql", "bin"));
        dirs.extend(versioned_dirs(
            Path::new("/Applications/Postgres.app/Contents/Versions"),
            "",
            "bin",
        ));
        dirs.extend(versioned_dirs(Path::new("/opt/local/lib"), "postgresql", "bin"));
        dirs.extend(["/usr/bin", "/usr/local/bin", "/usr/local/pgsql/bin"].map(PathBuf::from));
        dirs
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn initdb(&self) -> PathBuf {
        self.dir.join("initdb")
    }

    pub fn postgres(&self) -> PathBuf {
        self.dir.join("postgres")
    }
}

/// Entries of `parent` named `<prefix><version>` (Homebrew also `<prefix>@<version>` and the
/// bare `<prefix>`, its newest), highest version first, each joined with `sub`.
fn versioned_dirs(parent: &Path, prefix: &str, sub: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<(Vec<u64>, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let rest = name.strip_prefix(prefix)?;
            let rest = rest.strip_prefix('@').unwrap_or(rest);
            let version: Vec<u64> = if rest.is_empty() {
                vec![u64::MAX] // Homebrew's unversioned formula is its newest
            } else {
                rest.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?
            };
            Some((version, e.path().join(sub)))
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, p)| p).collect()
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The user the server programs run as, when this process is root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// `None` when this process is not root (the programs then run as ourselves); else the
    /// `postgres` user, which Debian's, Fedora's and Homebrew's packages create.
    pub fn detect() -> Result<Option<RunAs>> {
        if effective_uid()? != 0 {
            return Ok(None);
        }
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        passwd_entry(&passwd, "postgres")
            .or_else(|| {
                // Users from LDAP or another NSS source are not in /etc/passwd.
                let out = Command::new("getent").args(["passwd", "postgres"]).output().ok()?;
                passwd_entry(&String::from_utf8_lossy(&out.stdout), "postgres")
            })
            .map(Some)
            .ok_or_else(|| Error::Postgres(NO_POSTGRES_USER.into()))
    }

    /// Fails with advice when a folder above `dir` keeps this user out (e.g. under /root).
    pub fn check_reachable(&self, dir: &Path) -> Result<()> {
        match self.blocked_ancestor(dir) {
            None => Ok(()),
            Some(ancestor) => Err(Error::Postgres(format!(
                "PostgreSQL refuses to run as root, so Lightdeck runs it as the `postgres` \
                 user, which cannot enter {}; keep the data folder somewhere else, run \
                 Lightdeck as a normal user, or set DATABASE_URL",
                ancestor.display()
            ))),
        }
    }

    /// The first folder above `dir` this user may not enter, if any.
    pub fn blocked_ancestor(&self, dir: &Path) -> Option<PathBuf> {
        dir.ancestors().skip(1).find_map(|ancestor| {
            let meta = std::fs::metadata(ancestor).ok()?;
            let mode = meta.permissions().mode();
            let can_enter = if meta.uid() == self.uid {
                mode & 0o100 != 0
            } else if meta.gid() == self.gid {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            };
            (!can_enter).then(|| ancestor.to_path_buf())
        })
    }

    /// Gives a file or directory to this user.
    pub fn chown(&self, path: &Path) -> Result<()> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
            .map_err(|e| Error::Postgres(format!("cannot chown {}: {e}", path.display())))
    }
}

/// Creating a system user is not something to do behind someone's back, so this says how.
const NO_POSTGRES_USER: &str = "Lightdeck runs as root, which PostgreSQL refuses, and there is \
no `postgres` user to run PostgreSQL as (its packages create one; a build from source or a \
slim container may not). Create it (`useradd --system --home-dir /var/lib/postgresql --shell \
/usr/sbin/nologin postgres`) and run Lightdeck again, run Lightdeck as a normal user, or set \
DATABASE_URL to a PostgreSQL server you run";

fn passwd_entry(passwd: &str, user: &str) -> Option<RunAs> {
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        if f.next()? != user {
            return None;
        }
        let _password = f.next()?;
        Some(RunAs { uid: f.next()?.parse().ok()?, gid: f.next()?.parse().ok()? })
    })
}

/// The effective uid without libc: the owner of `/proc/self` on Linux, else of a file we create.
fn effective_uid() -> Result<u32> {
    if let Ok(m) = std::fs::metadata("/proc/self") {
        return Ok(m.uid());
    }
    let probe = std::env::temp_dir().join(format!(".lightdeck-uid-{}", std::process::id()));
    let created = std::fs::File::create(&probe).and_then(|f| f.metadata());
    let _ = std::fs::remove_file(&probe);
    created
        .map(|m| m.uid())
        .map_err(|e| Error::Postgres(format!("cannot tell which user this process runs as: {e}")))
}

/// A command for a server program, run as `run_as` if set, from `/` so a cwd the server user
/// cannot read does not matter.
pub(crate) fn server_command(program: &Path, run_as: Option<RunAs>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir("/");
    if let Some(r) = run_as {
        cmd.uid(r.uid).gid(r.gid);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_are_parsed() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PG:/var/lib/postgresql:/bin/bash\n";
        assert_eq!(passwd_entry(passwd, "postgres"), Some(RunAs { uid: 101, gid: 104 }));
        assert_eq!(passwd_entry(passwd, "nobody"), None);
        assert_eq!(passwd_entry("postgres:x:abc:1:", "postgres"), None);
    }

    #[test]
    fn without_a_postgres_user_the_message_says_what_to_do() {
        for hint in ["no `postgres` user", "useradd --system", "normal user", "DATABASE_URL"] {
            assert!(NO_POSTGRES_USER.contains(hint), "{hint:?} missing");
        }
    }

    #[test]
    fn a_folder_closed_to_the_user_is_found() {
        let root = std::env::temp_dir().join(format!("ld-reach-{}", std::process::id()));
        let inner = root.join("closed/inner");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::set_permissions(root.join("closed"), std::fs::Permissions::from_mode(0o700))
            .unwrap();
        // Someone who owns neither folder: only the "others" bits count.
        let stranger = RunAs { uid: 4_000_000, gid: 4_000_000 };
        assert_eq!(stranger.blocked_ancestor(&inner.join("data")), Some(root.join("closed")));
        assert!(stranger.check_reachable(&inner.join("data")).is_err());
        assert_eq!(stranger.blocked_ancestor(&root.join("open")), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn versions_sort_newest_first() {
        let root = std::env::temp_dir().join(format!("ld-versions-{}", std::process::id()));
        for v in ["9.6", "15", "13", "notaversion"] {
            std::fs::create_dir_all(root.join(v)).unwrap();
        }
        let dirs = versioned_dirs(&root, "", "bin");
        let names: Vec<_> = dirs.iter().map(|d| d.parent().unwrap().file_name().unwrap()).collect();
        assert_eq!(names, ["15", "13", "9.6"]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
