//! Files and folders only the booth's own user may read: folders 0700, files 0600, whatever the
//! process's umask. Everything the booth writes under its data directory is created through
//! here (the queue, the keys, the embedded simulators' state), and a folder or file left more
//! open by an older booth is closed up when it is opened again.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the booth's folders.
pub const DIR_MODE: u32 = 0o700;
/// The mode of the booth's files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents as 0700; an existing `dir` is set to 0700. Parents
/// that already exist are left as they are (they may be shared, like the user's data folder).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    tighten(dir, DIR_MODE)
}

/// Creates the empty file `path` as 0600 if it does not exist (so a program that then opens it,
/// SQLite say, never creates it more open), and sets an existing one to 0600.
pub fn create_file(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => tighten(path, FILE_MODE),
        Err(e) => Err(e),
    }
}

/// Takes group and other permissions away from `path`.
fn tighten(path: &Path, mode: u32) -> io::Result<()> {
    let meta = fs::metadata(path)?;
    if meta.permissions().mode() & 0o777 != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_old_files_and_folders_end_up_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700, "a missing parent too");
        let file = dir.join("queue.db");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        // An older booth left them open to everyone.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(&file, b"kept").unwrap();
        create_file(&file).unwrap();
        create_dir(&dir).unwrap();
        assert_eq!((mode(&dir), mode(&file)), (0o700, 0o600));
        assert_eq!(
            fs::read(&file).unwrap(),
            b"kept",
            "an existing file keeps its contents"
        );
    }
}
