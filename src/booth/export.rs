//! Backlog by hand-carry, the booth's side: the packets the centre still has to be sent,
//! still sealed, written to a folder (on a removable drive) with a manifest signed by the booth
//! key, read back and checked, then marked exported in the queue. Marked, not moved: they keep
//! waiting for the centre's confirmation, and the transmitter asks the centre whether it holds
//! an exported packet before uploading it (docs/packet.md, section 8).

use jiff::Timestamp;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use uuid::Uuid;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::Booth;
use crate::clock::to_millis;
use crate::queue::{Queue, QueueError};
use crate::seal::BoothKey;
use crate::wire::handcarry::{
    self, FolderError, Manifest, ManifestEntry, PacketProblem, MANIFEST_FILE, MANIFEST_VERSION,
    PACKETS_DIR, PARTIAL_SUFFIX, SIGNATURE_FILE,
};
use std::sync::Arc;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The folder written (None when nothing was waiting to be sent).
    pub folder: Option<PathBuf>,
    /// Packets written and read back whole.
    pub verified: usize,
    /// Bytes of sealed packets written.
    pub bytes: u64,
    /// Packets marked exported in the queue (fewer than `verified` only when the centre
    /// confirmed some while the export ran).
    pub marked: usize,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Queue(#[from] QueueError),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("the copy does not read back: {0}; nothing was marked exported")]
    Folder(#[from] FolderError),
    #[error("the copy did not read back whole ({}); nothing was marked exported", list(.0))]
    Damaged(Vec<(String, PacketProblem)>),
    #[error("the manifest could not be signed ({0}); nothing was marked exported")]
    Sign(String),
    #[error("the export stopped: {0}")]
    Interrupted(String),
    #[error(transparent)]
    NotYours(#[from] crate::booth::service::NotYours),
}

fn list(problems: &[(String, PacketProblem)]) -> String {
    problems
        .iter()
        .map(|(file, p)| format!("{file}: {p}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Booth {
    /// Writes every packet the centre still has to be sent into a new folder under `to`, reads
    /// the folder back and checks it, and only then marks the packets exported.
    pub async fn export_backlog(&self, to: &Path) -> Result<ExportReport, ExportError> {
        export_backlog(
            &self.queue,
            self.booth_key.clone(),
            &self.config.booth.id,
            self.clock.now(),
            to,
        )
        .await
    }
}

/// [`Booth::export_backlog`] for a tool that has the queue and the booth key but no running
/// booth (`ktpel-booth export`).
pub async fn export_backlog(
    queue: &Queue,
    key: Arc<BoothKey>,
    booth_id: &str,
    now: Timestamp,
    to: &Path,
) -> Result<ExportReport, ExportError> {
    let packets = queue.call(|s| s.exportable()).await?;
    if packets.is_empty() {
        return Ok(ExportReport {
            folder: None,
            verified: 0,
            bytes: 0,
            marked: 0,
        });
    }
    let booth_id = booth_id.to_string();
    let to = to.to_path_buf();
    let span = tracing::info_span!("booth.export", packets = packets.len());
    let ids: Vec<Uuid> = packets.iter().map(|(id, _)| *id).collect();
    let verified = ids.len();
    let bytes: u64 = packets.iter().map(|(_, e)| e.len() as u64).sum();
    let folder = tokio::task::spawn_blocking(move || {
        let _span = span.entered();
        let folder = write_folder(&to, &booth_id, &key, &packets, now)?;
        if let Err(e) = verify_written(&folder, &booth_id, &key, &packets) {
            // A copy that does not read back is not left on the drive looking whole.
            if let Err(rm) = std::fs::remove_dir_all(&folder) {
                tracing::warn!(folder = %folder.display(), error = %rm, "cannot remove the damaged copy");
            }
            return Err(e);
        }
        Ok::<_, ExportError>(folder)
    })
    .await
    .map_err(|e| ExportError::Interrupted(e.to_string()))??;
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let marked = queue
        .call(move |s| s.mark_exported(&ids, &name, now))
        .await?;
    tracing::info!(folder = %folder.display(), marked, bytes, "backlog exported");
    Ok(ExportReport {
        folder: Some(folder),
        verified,
        bytes,
        marked,
    })
}

/// `ktpel-<booth>-<UTC time>`: a drive may carry several exports, of several booths.
pub fn folder_name(booth_id: &str, at: Timestamp) -> String {
    format!("ktpel-{booth_id}-{}", at.strftime("%Y%m%dT%H%M%SZ"))
}

/// Creates a file that must not exist yet, writes `bytes` and syncs it to the drive. The mode
/// is the booth's (0600) where the drive keeps modes; a FAT drive does not, and the packets are
/// sealed to the centre anyway.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(crate::private_fs::FILE_MODE)
        .open(path)
        .map_err(|e| write_error(path, e))?;
    f.write_all(bytes).map_err(|e| write_error(path, e))?;
    f.sync_all().map_err(|e| write_error(path, e))
}

fn sync_dir(dir: &Path) -> Result<(), ExportError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| write_error(dir, e))
}

/// Writes the folder atomically: everything goes into `<name>.partial`, synced, which is then
/// renamed to `<name>`; a reader skips a `.partial` folder, so a drive pulled out mid-export
/// carries nothing that looks whole.
pub fn write_folder(
    to: &Path,
    booth_id: &str,
    key: &BoothKey,
    packets: &[(Uuid, Vec<u8>)],
    now: Timestamp,
) -> Result<PathBuf, ExportError> {
    if !to.is_dir() {
        return Err(write_error(to, "not a folder (is the drive mounted?)"));
    }
    let base = folder_name(booth_id, now);
    let mut name = base.clone();
    let mut n = 1;
    while to.join(&name).exists() {
        n += 1;
        name = format!("{base}-{n}");
    }
    let done = to.join(&name);
    let partial = to.join(format!("{name}{PARTIAL_SUFFIX}"));
    if partial.exists() {
        // Left by an export that was cut off: it was never marked, so nothing depends on it.
        std::fs::remove_dir_all(&partial).map_err(|e| write_error(&partial, e))?;
    }
    let packets_dir = partial.join(PACKETS_DIR);
    DirBuilder::new()
        .recursive(true)
        .mode(crate::private_fs::DIR_MODE)
        .create(&packets_dir)
        .map_err(|e| write_error(&packets_dir, e))?;
    let mut entries = Vec::with_capacity(packets.len());
    for (id, envelope) in packets {
        let entry = ManifestEntry::of(*id, envelope);
        write_new(&packets_dir.join(entry.file_name()), envelope)?;
        entries.push(entry);
    }
    sync_dir(&packets_dir)?;
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        booth_id: booth_id.to_string(),
        booth_key: B64.encode(key.public()),
        key_algorithm: key.algorithm(),
        created_at_ms: to_millis(now),
        packets: entries,
    };
    let bytes = manifest.to_bytes()?;
    write_new(&partial.join(MANIFEST_FILE), &bytes)?;
    let signature = Manifest::sign(&bytes, key).map_err(|e| ExportError::Sign(e.to_string()))?;
    write_new(&partial.join(SIGNATURE_FILE), &signature)?;
    sync_dir(&partial)?;
    std::fs::rename(&partial, &done).map_err(|e| write_error(&done, e))?;
    sync_dir(to)?;
    Ok(done)
}

/// Reads the written folder back as the centre will: the manifest's signature, every packet's
/// size and SHA-256, no file missing or extra, and the manifest naming exactly these packets
/// and this booth.
pub fn verify_written(
    folder: &Path,
    booth_id: &str,
    key: &BoothKey,
    packets: &[(Uuid, Vec<u8>)],
) -> Result<(), ExportError> {
    let read = handcarry::open(folder)?;
    let problems = read.problems()?;
    if !problems.is_empty() {
        return Err(ExportError::Damaged(problems));
    }
    let listed: Vec<Uuid> = read.manifest.packets.iter().map(|e| e.packet_id).collect();
    let wanted: Vec<Uuid> = packets.iter().map(|(id, _)| *id).collect();
    if read.manifest.booth_id != booth_id || read.booth_key != key.public() || listed != wanted {
        return Err(ExportError::Folder(FolderError::BadManifest(
            "it does not name this booth's packets".into(),
        )));
    }
    Ok(())
}

/// The removable drives mounted under `roots`: each `<root>/<user>/<label>` folder.
pub fn removable_drives(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        let Ok(users) = std::fs::read_dir(root) else {
            continue;
        };
        for user in users.flatten() {
            let Ok(drives) = std::fs::read_dir(user.path()) else {
                continue;
            };
            out.extend(drives.flatten().map(|d| d.path()).filter(|p| p.is_dir()));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_folder_is_written_whole_and_a_copy_cut_short_afterwards_is_caught() {
        let to = tempfile::tempdir().unwrap();
        let key = BoothKey::generate();
        let now: Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
        let packets = vec![
            (Uuid::now_v7(), vec![7u8; 4000]),
            (Uuid::now_v7(), vec![8u8; 3000]),
        ];
        let folder = write_folder(to.path(), "3273-01", &key, &packets, now).unwrap();
        assert_eq!(
            folder.file_name().unwrap().to_string_lossy(),
            "ktpel-3273-01-20261125T020000Z"
        );
        verify_written(&folder, "3273-01", &key, &packets).unwrap();
        // A second export in the same second gets its own folder.
        let again = write_folder(to.path(), "3273-01", &key, &packets, now).unwrap();
        assert_ne!(again, folder);
        // A copy cut short on the drive is named, with its size.
        let file = folder
            .join(PACKETS_DIR)
            .join(handcarry::file_name(packets[1].0));
        let f = OpenOptions::new().write(true).open(&file).unwrap();
        f.set_len(1000).unwrap();
        match verify_written(&folder, "3273-01", &key, &packets) {
            Err(ExportError::Damaged(p)) => assert_eq!(
                p,
                vec![(
                    handcarry::file_name(packets[1].0),
                    PacketProblem::Truncated {
                        found: 1000,
                        expected: 3000
                    }
                )]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn drives_are_found_two_levels_below_each_root() {
        let root = tempfile::tempdir().unwrap();
        assert!(removable_drives(&[root.path().to_path_buf()]).is_empty());
        let drive = root.path().join("petugas/KTPEL-USB");
        std::fs::create_dir_all(&drive).unwrap();
        std::fs::write(root.path().join("petugas/not-a-drive"), b"").unwrap();
        assert_eq!(
            removable_drives(&[root.path().to_path_buf(), "/nonexistent".into()]),
            vec![drive]
        );
    }
}
