//! As root, PostgreSQL runs as the `postgres` user, which cannot enter root's home (mode
//! 0700) or a `mktemp -d` folder, so a new demo cluster there could never start. Such a
//! cluster lives in /var/lib/lightdeck instead, and `<dir>-location` records where. A random
//! token, kept in the record and in the cluster, proves that a cluster found at the recorded
//! place is the one the record was written for, and not one a copied or stale record names.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{PgBinaries, RunAs, initdb, io_error, persistent};
use crate::{Error, Result};

const SPARE_ROOT: &str = "/var/lib/lightdeck";
/// In the cluster's data folder: the token, then the record that names the cluster.
const TOKEN_FILE: &str = "lightdeck-demo-token";

pub(super) struct Spare {
    pub(super) data: PathBuf,
    pub(super) note: String,
}

/// Where the data of the cluster meant for `dir` (an absolute path) lives when not in `dir`;
/// `None` to keep it in `dir`. Creates the cluster when it moves for the first time.
pub(super) fn spare_place(
    bins: &PgBinaries,
    dir: &Path,
    run_as: Option<RunAs>,
) -> Result<Option<Spare>> {
    let record = record_path(dir);
    let mut lost = None;
    if let Some((data, token)) = read_record(&record)? {
        let Some(r) = run_as else {
            return Err(Error::Postgres(format!(
                "{} says the demo's PostgreSQL data lives in {}, where a run as root put it; run \
                 Lightdeck as root again, or delete {} and {} to start from scratch",
                record.display(),
                data.display(),
                record.display(),
                dir.display()
            )));
        };
        if is_ours(&data, &token, &record)? {
            let note = note(r, dir, &data, &record);
            return Ok(Some(Spare { data, note }));
        }
        // The cluster was removed behind our back: its data is lost either way.
        std::fs::remove_file(&record).map_err(|e| io_error("remove", &record, e))?;
        lost = Some(data);
    }
    let Some(r) = run_as else { return Ok(None) };
    if dir.join("PG_VERSION").exists() || r.blocked_ancestor(dir).is_none() {
        return Ok(None);
    }
    let data = create(bins, dir, &record, r)?;
    let mut note = note(r, dir, &data, &record);
    if let Some(lost) = lost {
        note = format!(
            "The data {} named ({}) is gone, so this is a fresh start. {note}",
            record.display(),
            lost.display()
        );
    }
    Ok(Some(Spare { data, note }))
}

fn note(r: RunAs, dir: &Path, data: &Path, record: &Path) -> String {
    let why = match r.blocked_ancestor(dir) {
        Some(b) => format!("it runs as the `postgres` user, which cannot enter {}", b.display()),
        None => "a run from a folder the `postgres` user could not enter put it there".into(),
    };
    format!(
        "PostgreSQL keeps the demo's data in {}, not {}: {why} ({} records the place)",
        data.display(),
        dir.display(),
        record.display()
    )
}

fn record_path(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    dir.with_file_name(format!("{name}-location"))
}

/// The recorded data folder and token; `None` when there is no record.
fn read_record(record: &Path) -> Result<Option<(PathBuf, String)>> {
    let text = match std::fs::read_to_string(record) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", record, e)),
    };
    let mut lines = text.lines().map(str::trim);
    match (lines.next(), lines.next()) {
        (Some(data), Some(token)) if data.starts_with('/') && !token.is_empty() => {
            Ok(Some((PathBuf::from(data), token.to_owned())))
        }
        _ => Err(Error::Postgres(format!(
            "{} is not a record Lightdeck wrote; delete it to start the demo from scratch",
            record.display()
        ))),
    }
}

/// `true` when `data` is the cluster `record` was written for, `false` when nothing is
/// there any more; an error for a cluster that belongs to another record.
fn is_ours(data: &Path, token: &str, record: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(data) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_error("read", data, e)),
        Ok(_) => {}
    }
    let token_file = data.join(TOKEN_FILE);
    let text = std::fs::read_to_string(&token_file).unwrap_or_default();
    let mut lines = text.lines().map(str::trim);
    let not_ours = |why: String| {
        Error::Postgres(format!(
            "{} names the PostgreSQL data in {}, but {why}; delete {} to start the demo from \
             scratch here",
            record.display(),
            data.display(),
            record.display()
        ))
    };
    if lines.next() != Some(token) {
        return Err(not_ours("that is another demo's cluster".into()));
    }
    let owner = PathBuf::from(lines.next().unwrap_or_default());
    if owner != record {
        if owner.exists() {
            // Two demo folders on one cluster would each take the other's server for theirs.
            return Err(not_ours(format!("{} (a copy of this record?) uses it", owner.display())));
        }
        // The demo folder was moved: the cluster follows it.
        std::fs::write(&token_file, format!("{token}\n{}\n", record.display()))
            .map_err(|e| io_error("write", &token_file, e))?;
    }
    Ok(true)
}

/// A new cluster at /var/lib/lightdeck/demo-<hash of dir>, after stopping and removing what
/// an earlier demo in `dir` (since deleted, with its record and master key) left there.
fn create(bins: &PgBinaries, dir: &Path, record: &Path, r: RunAs) -> Result<PathBuf> {
    let root = Path::new(SPARE_ROOT);
    prepare_root(root)?;
    let hash = hex::encode(&Sha256::digest(dir.as_os_str().as_bytes())[..6]);
    let data = root.join(format!("demo-{hash}"));
    match std::fs::symlink_metadata(&data) {
        Ok(m) if m.is_dir() => {
            persistent::stop_any(&data)?;
            std::fs::remove_dir_all(&data).map_err(|e| io_error("remove", &data, e))?;
        }
        Ok(_) => std::fs::remove_file(&data).map_err(|e| io_error("remove", &data, e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("read", &data, e)),
    }
    persistent::stop_orphans(&data)?;
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&data)
        .map_err(|e| io_error("create", &data, e))?;
    let made = fill(bins, &data, record, r);
    if made.is_err() {
        let _ = std::fs::remove_dir_all(&data);
    }
    made.map(|()| data)
}

fn fill(bins: &PgBinaries, data: &Path, record: &Path, r: RunAs) -> Result<()> {
    r.chown(data)?;
    if let Some(blocker) = r.blocked_ancestor(data) {
        return Err(Error::Postgres(format!(
            "the `postgres` user cannot enter {}, so Lightdeck cannot keep the demo's data in {}",
            blocker.display(),
            data.display()
        )));
    }
    initdb(bins, data, Some(r), false)?;
    let token = hex::encode(rand::random::<[u8; 16]>());
    let token_file = data.join(TOKEN_FILE);
    std::fs::write(&token_file, format!("{token}\n{}\n", record.display()))
        .map_err(|e| io_error("write", &token_file, e))?;
    r.chown(&token_file)?;
    // Written last and renamed into place: a record always names a complete cluster.
    let partial = record.with_extension("partial");
    std::fs::write(&partial, format!("{}\n{token}\n", data.display()))
        .map_err(|e| io_error("write", &partial, e))?;
    std::fs::rename(&partial, record).map_err(|e| io_error("write", record, e))
}

/// /var/lib/lightdeck, 0755 and root's: clusters in it are removed by path, so nobody else
/// may place anything there.
fn prepare_root(root: &Path) -> Result<()> {
    if !root.exists() {
        // Recursive for macOS, which has no /var/lib.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(root)
            .map_err(|e| io_error("create", root, e))?;
        // Whatever the umask: the `postgres` user must pass through.
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io_error("set permissions on", root, e))?;
    }
    let meta = std::fs::metadata(root).map_err(|e| io_error("read", root, e))?;
    if meta.uid() != 0 || meta.permissions().mode() & 0o022 != 0 {
        return Err(Error::Postgres(format!(
            "{} must belong to root and be writable by root alone (chown root: {0}; chmod 755 \
             {0}) before Lightdeck keeps demo data in it",
            root.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_sit_beside_the_folder_they_stand_for() {
        assert_eq!(
            record_path(Path::new("/root/x/.lightdeck/postgres")),
            Path::new("/root/x/.lightdeck/postgres-location")
        );
    }

    #[test]
    fn a_record_is_checked_against_the_cluster_it_names() {
        let base = std::env::temp_dir().join(format!("ld-reloc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let data = base.join("cluster");
        std::fs::create_dir_all(&data).unwrap();
        let record = base.join("postgres-location");
        std::fs::write(data.join(TOKEN_FILE), format!("abc\n{}\n", record.display())).unwrap();
        assert!(is_ours(&data, "abc", &record).unwrap());
        assert!(is_ours(&data, "xyz", &record).is_err(), "another token");
        assert!(!is_ours(&base.join("gone"), "abc", &record).unwrap(), "nothing there");

        // A copy of the record while the original still exists is refused; once the original
        // is gone (the folder moved), the cluster follows the new record.
        let copy = base.join("copy-location");
        std::fs::write(&record, "x").unwrap();
        assert!(is_ours(&data, "abc", &copy).is_err());
        std::fs::remove_file(&record).unwrap();
        assert!(is_ours(&data, "abc", &copy).unwrap());
        let text = std::fs::read_to_string(data.join(TOKEN_FILE)).unwrap();
        assert_eq!(text, format!("abc\n{}\n", copy.display()));

        std::fs::write(&record, "not a record").unwrap();
        assert!(read_record(&record).is_err());
        assert_eq!(read_record(&base.join("none")).unwrap(), None);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
