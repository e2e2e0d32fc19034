//! Free space on the disk that holds the data directory. The kiosk refuses a new applicant when
//! a day's sealed records might not fit (`booth.min_free_disk_mb`); `ktpel-booth doctor` warns
//! earlier (`booth.warn_free_disk_mb`).

use std::io;
use std::path::{Path, PathBuf};

/// The config's "MB": a mebibyte, as `df -m` counts.
pub const MB: u64 = 1024 * 1024;

/// Space an unprivileged process may still write on the disk of `path` (`statvfs`'s
/// `f_bavail`: what is left after the blocks reserved for root), in MB. A data directory that
/// does not exist yet is measured at its nearest existing parent: the disk it will be made on.
pub fn free_mb(path: &Path) -> io::Result<u64> {
    let existing = path
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let st = rustix::fs::statvfs(existing).map_err(|e| {
        io::Error::new(
            io::Error::from(e).kind(),
            format!(
                "cannot measure the free space of {}: {e}",
                existing.display()
            ),
        )
    })?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize) / MB)
}

/// A new recording refused: its sealed record might not fit on the disk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "only {free_mb} MB free on the disk of {}; a new recording needs at least {needed_mb} MB \
     (booth.min_free_disk_mb). Send the waiting records or free the disk.",
    dir.display()
)]
pub struct LowDisk {
    pub dir: PathBuf,
    pub free_mb: u64,
    pub needed_mb: u64,
}

/// Whether the disk of `dir` still holds a day's records. A disk whose free space cannot be
/// measured does not stop the booth: the queue's own write reports a full disk exactly, and
/// nothing the screen called saved is lost.
pub fn room_for_a_day(dir: &Path, needed_mb: u64) -> Result<(), LowDisk> {
    match free_mb(dir) {
        Ok(free_mb) if free_mb < needed_mb => Err(LowDisk {
            dir: dir.to_path_buf(),
            free_mb,
            needed_mb,
        }),
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "free disk space not measured");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn free_space_is_measured_and_a_missing_dir_at_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let free = free_mb(dir.path()).unwrap();
        assert!(free > 0);
        let later = dir.path().join("not/yet/made");
        let at_parent = free_mb(&later).unwrap();
        // The same disk, measured a moment apart.
        assert!(at_parent.abs_diff(free) < 64, "{at_parent} vs {free}");
    }

    #[test]
    fn a_disk_that_cannot_hold_a_day_refuses_and_says_how_much() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(room_for_a_day(dir.path(), 1), Ok(()));
        let e = room_for_a_day(dir.path(), u64::MAX).unwrap_err();
        assert_eq!(e.needed_mb, u64::MAX);
        assert!(e.to_string().contains("booth.min_free_disk_mb"), "{e}");
    }
}
