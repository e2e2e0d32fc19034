//! Backlog by hand-carry, the centre's side: a booth's exported folder (docs/packet.md,
//! section 8) ingested packet by packet, exactly as uploads would be. The manifest's signature
//! is checked first, with the booth key it names, and that key against the one pinned for the
//! booth; then each packet's file against the manifest (size, SHA-256), its envelope against the
//! manifest (id, booth, key), and the ingest itself (signature, decryption, records) is the one
//! uploads go through, idempotent by packet id. Every packet refused says why.

use serde::Serialize;
use std::path::{Path, PathBuf};
use uuid::Uuid;

use super::{lock, IngestOutcome, Inner};
use crate::seal::SealedPacket;
use crate::wire::handcarry::{self, FolderError};

/// What became of one packet of the folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Received now.
    Ingested,
    /// The centre held it already (uploaded earlier, or an earlier import): nothing changed.
    AlreadyHeld,
    /// Not taken; `code` is a short machine code, `reason` says what is wrong.
    Refused { code: String, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PacketOutcome {
    /// The file in the folder's `packets/`.
    pub file: String,
    /// The packet the manifest names (None for a file it does not list).
    pub packet_id: Option<Uuid>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// One folder's import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderReport {
    pub folder: PathBuf,
    pub booth_id: String,
    pub packets: Vec<PacketOutcome>,
}

impl FolderReport {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.packets.iter().filter(|p| f(&p.outcome)).count()
    }
    pub fn ingested(&self) -> usize {
        self.count(|o| *o == Outcome::Ingested)
    }
    pub fn already_held(&self) -> usize {
        self.count(|o| *o == Outcome::AlreadyHeld)
    }
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Refused { .. }))
    }
}

/// Why a whole folder was refused (nothing of it was ingested).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Folder(#[from] FolderError),
    #[error("the manifest is signed by a key other than the one registered for booth {0}: a foreign folder")]
    ForeignBooth(String),
    #[error("the centre's store: {0}")]
    Internal(String),
}

/// Every folder found at the path given (see [`handcarry::folders_in`]), each with its result.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub folders: Vec<(PathBuf, Result<FolderReport, ImportError>)>,
}

impl ImportReport {
    /// Whether every folder was read and every packet in it taken (now or before).
    pub fn all_taken(&self) -> bool {
        self.folders
            .iter()
            .all(|(_, r)| r.as_ref().is_ok_and(|f| f.refused() == 0))
    }
}

fn refused(code: &str, reason: impl Into<String>) -> Outcome {
    Outcome::Refused {
        code: code.into(),
        reason: reason.into(),
    }
}

impl Inner {
    /// Imports every backlog folder at `dir` (blocking: it opens and decodes every packet).
    pub(crate) fn import(&self, dir: &Path) -> Result<ImportReport, ImportError> {
        let folders = handcarry::folders_in(dir)?;
        Ok(ImportReport {
            folders: folders
                .into_iter()
                .map(|f| {
                    let r = self.import_folder(&f);
                    (f, r)
                })
                .collect(),
        })
    }

    fn import_folder(&self, path: &Path) -> Result<FolderReport, ImportError> {
        let _span = tracing::info_span!("centre.import", folder = %path.display()).entered();
        let folder = handcarry::open(path)?;
        let booth_id = folder.manifest.booth_id.clone();
        let pinned = lock(&self.store)
            .booth_key(&booth_id)
            .map_err(|e| ImportError::Internal(e.to_string()))?;
        if pinned.is_some_and(|k| k != folder.booth_key) {
            return Err(ImportError::ForeignBooth(booth_id));
        }
        let mut packets = Vec::with_capacity(folder.manifest.packets.len());
        for entry in &folder.manifest.packets {
            let outcome = self.import_packet(&folder, entry);
            match &outcome {
                Outcome::Refused { code, .. } => {
                    tracing::warn!(packet = %entry.packet_id, code, "hand-carried packet refused")
                }
                o => tracing::info!(packet = %entry.packet_id, outcome = ?o, "hand-carried packet"),
            }
            packets.push(PacketOutcome {
                file: entry.file_name(),
                packet_id: Some(entry.packet_id),
                outcome,
            });
        }
        for stray in folder.strays()? {
            let problem = handcarry::PacketProblem::NotInManifest;
            packets.push(PacketOutcome {
                file: stray,
                packet_id: None,
                outcome: refused(problem.code(), problem.to_string()),
            });
        }
        Ok(FolderReport {
            folder: path.to_path_buf(),
            booth_id,
            packets,
        })
    }

    fn import_packet(
        &self,
        folder: &handcarry::Folder,
        entry: &handcarry::ManifestEntry,
    ) -> Outcome {
        let bytes = match folder.read_packet(entry) {
            Ok(b) => b,
            Err(p) => return refused(p.code(), p.to_string()),
        };
        let packet = match SealedPacket::from_cbor(&bytes) {
            Ok(p) => p,
            Err(e) => return refused("bad_packet", format!("the packet cannot be read: {e}")),
        };
        if packet.packet_id != entry.packet_id {
            return refused(
                "id_mismatch",
                format!(
                    "the file holds packet {}, not the one the manifest names",
                    packet.packet_id
                ),
            );
        }
        if packet.booth_id != folder.manifest.booth_id {
            return refused(
                "foreign",
                format!(
                    "sealed by booth {}, not by booth {} whose manifest lists it",
                    packet.booth_id, folder.manifest.booth_id
                ),
            );
        }
        if packet.booth_key != folder.booth_key {
            return refused(
                "foreign",
                "sealed under another key than the one that signed the manifest",
            );
        }
        match self.ingest(entry.packet_id, &bytes) {
            Ok((IngestOutcome::New, _)) => {
                if self.config.prepare_bundles {
                    self.prepare_bundle(entry.packet_id);
                }
                Outcome::Ingested
            }
            Ok((IngestOutcome::Repeat, _)) => Outcome::AlreadyHeld,
            Err(e) => refused(e.code(), e.to_string()),
        }
    }
}
