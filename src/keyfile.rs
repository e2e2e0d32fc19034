//! Secret key files: created once with mode 0600, written atomically (temp file, fsync, rename,
//! fsync of the folder), so a crash never leaves half a key behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Reads the key at `path`, or creates it from `generate()` when there is none.
/// A key file of the wrong length is an error, never silently replaced.
pub fn load_or_create(
    path: &Path,
    len: usize,
    generate: impl FnOnce() -> Vec<u8>,
) -> io::Result<Vec<u8>> {
    match fs::read(path) {
        Ok(bytes) if bytes.len() == len => Ok(bytes),
        Ok(bytes) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} holds {} bytes; a key is {len}. Restore it from backup; do not delete it \
                 while records are waiting (they could no longer be read or sent).",
                path.display(),
                bytes.len()
            ),
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let key = generate();
            write_atomically(path, &key)?;
            Ok(key)
        }
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot read {}: {e}", path.display()),
        )),
    }
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::private_fs::create_dir(dir)?;
    let tmp = path.with_extension("tmp");
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_key_is_made_once_private_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keys/k.key");
        let a = load_or_create(&p, 4, || vec![1, 2, 3, 4]).unwrap();
        let b = load_or_create(&p, 4, || vec![9, 9, 9, 9]).unwrap();
        assert_eq!(a, b);
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        fs::write(&p, [1, 2]).unwrap();
        let e = load_or_create(&p, 4, || vec![0; 4]).unwrap_err();
        assert!(e.to_string().contains("holds 2 bytes"), "{e}");
    }
}
