//! A backlog carried by hand: the folder a booth writes to a removable drive when its link is
//! down, and the centre reads (docs/packet.md, section 8). Both sides use this module, so the
//! writer and the reader cannot drift apart.
//!
//! ```text
//! ktpel-<booth>-<YYYYMMDDTHHMMSSZ>/
//!   manifest.json              booth, its public key, when, and per packet: id, size, SHA-256
//!   manifest.sig               Ed25519 signature by the booth key (64 bytes) over
//!                              "KTPEL-HANDCARRY-V1\0" followed by manifest.json's bytes
//!   packets/<packet id>.ktpel  the sealed envelope, byte for byte what the upload sends
//! ```
//!
//! A packet's file name is derived from its id, never taken from the manifest, so a manifest
//! cannot point a reader outside the folder.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use uuid::Uuid;

use crate::seal::{BoothKey, KeyAlgorithm};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const SIGNATURE_FILE: &str = "manifest.sig";
pub const PACKETS_DIR: &str = "packets";
pub const PACKET_EXTENSION: &str = "ktpel";
pub const MANIFEST_VERSION: u32 = 1;
/// A folder still being written ends in this; a reader skips it.
pub const PARTIAL_SUFFIX: &str = ".partial";
const SIGN_CONTEXT: &[u8] = b"KTPEL-HANDCARRY-V1\0";
/// No booth writes a manifest this large (a packet's line is about 150 bytes).
const MANIFEST_MAX: u64 = 16 << 20;

/// What the folder holds, signed by the booth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    pub booth_id: String,
    /// The booth's public key, base64 (the key its packets carry).
    pub booth_key: String,
    /// How that key signs; absent means Ed25519 (a booth without a TPM, and every manifest
    /// written before booths had TPM keys).
    #[serde(default, skip_serializing_if = "KeyAlgorithm::is_ed25519")]
    pub key_algorithm: KeyAlgorithm,
    /// When the folder was written, Unix milliseconds (UTC).
    pub created_at_ms: i64,
    pub packets: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub packet_id: Uuid,
    /// Bytes of the sealed envelope.
    pub size: u64,
    /// SHA-256 of the file, lowercase hex (what `sha256sum` prints).
    pub sha256: String,
}

impl ManifestEntry {
    pub fn of(packet_id: Uuid, envelope: &[u8]) -> Self {
        Self {
            packet_id,
            size: envelope.len() as u64,
            sha256: hex::encode(Sha256::digest(envelope)),
        }
    }

    /// The packet's file name inside [`PACKETS_DIR`].
    pub fn file_name(&self) -> String {
        file_name(self.packet_id)
    }
}

/// `<packet id>.ktpel`.
pub fn file_name(packet_id: Uuid) -> String {
    format!("{packet_id}.{PACKET_EXTENSION}")
}

fn signed_message(manifest: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGN_CONTEXT.len() + manifest.len());
    m.extend_from_slice(SIGN_CONTEXT);
    m.extend_from_slice(manifest);
    m
}

impl Manifest {
    /// The manifest's file content (pretty JSON: a technician can read it).
    pub fn to_bytes(&self) -> Result<Vec<u8>, FolderError> {
        let mut out =
            serde_json::to_vec_pretty(self).map_err(|e| FolderError::BadManifest(e.to_string()))?;
        out.push(b'\n');
        Ok(out)
    }

    /// The signature file's content for manifest bytes `manifest`.
    pub fn sign(manifest: &[u8], key: &BoothKey) -> Result<Vec<u8>, crate::seal::SealError> {
        key.sign(&signed_message(manifest))
    }
}

/// Why a folder as a whole cannot be read or believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FolderError {
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("no {MANIFEST_FILE} in {0}: not a hand-carried backlog")]
    NoManifest(String),
    #[error("no {SIGNATURE_FILE} beside the manifest: the folder cannot be trusted")]
    NoSignature,
    #[error("the manifest cannot be read: {0}")]
    BadManifest(String),
    #[error("manifest version {0} is not supported")]
    Version(u32),
    #[error("the manifest's signature does not verify with the booth key it names: the manifest was altered or cut short")]
    BadSignature,
    #[error("the manifest lists packet {0} twice")]
    DuplicateEntry(Uuid),
}

/// What is wrong with one packet's file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PacketProblem {
    #[error("missing from the folder")]
    Missing,
    #[error("truncated: {found} of {expected} bytes")]
    Truncated { found: u64, expected: u64 },
    #[error("longer than the manifest says: {found} bytes, not {expected}")]
    TooLong { found: u64, expected: u64 },
    #[error("altered: its SHA-256 differs from the manifest's")]
    Altered,
    #[error("unreadable: {0}")]
    Unreadable(String),
    #[error("not listed in the signed manifest")]
    NotInManifest,
}

impl PacketProblem {
    /// A short machine code (for reports and logs).
    pub fn code(&self) -> &'static str {
        match self {
            PacketProblem::Missing => "missing",
            PacketProblem::Truncated { .. } => "truncated",
            PacketProblem::TooLong { .. } => "too_long",
            PacketProblem::Altered => "altered",
            PacketProblem::Unreadable(_) => "unreadable",
            PacketProblem::NotInManifest => "not_in_manifest",
        }
    }
}

/// A folder whose manifest was read and whose signature verified.
#[derive(Debug, Clone)]
pub struct Folder {
    pub path: PathBuf,
    pub manifest: Manifest,
    /// The booth key the manifest names, decoded (the key its signature verified with).
    pub booth_key: Vec<u8>,
}

fn unreadable(path: &Path, e: impl std::fmt::Display) -> FolderError {
    FolderError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Reads a file of at most `max` bytes.
fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut out)?;
    Ok(out)
}

/// Opens the folder at `path`: reads the manifest and checks its signature with the booth key
/// it names (whether that key is the booth's is the reader's business: the centre pins it).
pub fn open(path: &Path) -> Result<Folder, FolderError> {
    let manifest_path = path.join(MANIFEST_FILE);
    let bytes = match read_bounded(&manifest_path, MANIFEST_MAX) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FolderError::NoManifest(path.display().to_string()))
        }
        Err(e) => return Err(unreadable(&manifest_path, e)),
    };
    if bytes.len() as u64 > MANIFEST_MAX {
        return Err(FolderError::BadManifest(format!(
            "larger than {MANIFEST_MAX} bytes"
        )));
    }
    let sig_path = path.join(SIGNATURE_FILE);
    let signature = match read_bounded(&sig_path, 64) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FolderError::NoSignature),
        Err(e) => return Err(unreadable(&sig_path, e)),
    };
    // Parsed before the signature is checked only to learn the key; nothing in it is used
    // until the signature verifies.
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        if e.is_eof() {
            FolderError::BadManifest(format!("cut short ({e})"))
        } else {
            FolderError::BadManifest(e.to_string())
        }
    })?;
    let booth_key = B64
        .decode(&manifest.booth_key)
        .map_err(|e| FolderError::BadManifest(format!("booth_key: {e}")))?;
    if !manifest
        .key_algorithm
        .verify(&booth_key, &signed_message(&bytes), &signature)
    {
        return Err(FolderError::BadSignature);
    }
    if manifest.version != MANIFEST_VERSION {
        return Err(FolderError::Version(manifest.version));
    }
    let mut seen = std::collections::HashSet::new();
    for e in &manifest.packets {
        if !seen.insert(e.packet_id) {
            return Err(FolderError::DuplicateEntry(e.packet_id));
        }
    }
    Ok(Folder {
        path: path.to_path_buf(),
        manifest,
        booth_key,
    })
}

impl Folder {
    pub fn packet_path(&self, packet_id: Uuid) -> PathBuf {
        self.path.join(PACKETS_DIR).join(file_name(packet_id))
    }

    /// Reads one packet's file and checks its size and SHA-256 against the manifest.
    pub fn read_packet(&self, entry: &ManifestEntry) -> Result<Vec<u8>, PacketProblem> {
        let path = self.packet_path(entry.packet_id);
        let bytes = match read_bounded(&path, entry.size) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(PacketProblem::Missing)
            }
            Err(e) => return Err(PacketProblem::Unreadable(e.to_string())),
        };
        let found = bytes.len() as u64;
        if found < entry.size {
            return Err(PacketProblem::Truncated {
                found,
                expected: entry.size,
            });
        }
        if found > entry.size {
            let found = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(found);
            return Err(PacketProblem::TooLong {
                found,
                expected: entry.size,
            });
        }
        if hex::encode(Sha256::digest(&bytes)) != entry.sha256.to_ascii_lowercase() {
            return Err(PacketProblem::Altered);
        }
        Ok(bytes)
    }

    /// Files in [`PACKETS_DIR`] that the manifest does not list.
    pub fn strays(&self) -> Result<Vec<String>, FolderError> {
        let dir = self.path.join(PACKETS_DIR);
        let listed: std::collections::HashSet<String> = self
            .manifest
            .packets
            .iter()
            .map(ManifestEntry::file_name)
            .collect();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(unreadable(&dir, e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| unreadable(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !listed.contains(&name) {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every packet file checked against the manifest, and every file it does not list: the
    /// file name and what is wrong, for each that is not right. Empty when the folder is whole.
    pub fn problems(&self) -> Result<Vec<(String, PacketProblem)>, FolderError> {
        let mut out: Vec<(String, PacketProblem)> = self
            .manifest
            .packets
            .iter()
            .filter_map(|e| self.read_packet(e).err().map(|p| (e.file_name(), p)))
            .collect();
        out.extend(
            self.strays()?
                .into_iter()
                .map(|n| (n, PacketProblem::NotInManifest)),
        );
        Ok(out)
    }
}

/// The backlog folders at `dir`: `dir` itself when it holds a manifest, otherwise its
/// sub-folders that do (a drive's root with several exports), oldest name first. Folders still
/// being written ([`PARTIAL_SUFFIX`]) are skipped.
pub fn folders_in(dir: &Path) -> Result<Vec<PathBuf>, FolderError> {
    if dir.join(MANIFEST_FILE).exists() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        let path = entry.path();
        let partial = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(PARTIAL_SUFFIX));
        if path.is_dir() && !partial && path.join(MANIFEST_FILE).exists() {
            out.push(path);
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(FolderError::NoManifest(dir.display().to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write_folder(dir: &Path, key: &BoothKey, packets: &[(Uuid, Vec<u8>)]) {
        std::fs::create_dir_all(dir.join(PACKETS_DIR)).unwrap();
        let mut entries = Vec::new();
        for (id, bytes) in packets {
            std::fs::write(dir.join(PACKETS_DIR).join(file_name(*id)), bytes).unwrap();
            entries.push(ManifestEntry::of(*id, bytes));
        }
        let m = Manifest {
            version: MANIFEST_VERSION,
            booth_id: "3273-01".into(),
            booth_key: B64.encode(key.public()),
            key_algorithm: key.algorithm(),
            created_at_ms: 1_764_000_000_000,
            packets: entries,
        };
        let bytes = m.to_bytes().unwrap();
        std::fs::write(dir.join(MANIFEST_FILE), &bytes).unwrap();
        std::fs::write(
            dir.join(SIGNATURE_FILE),
            Manifest::sign(&bytes, key).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn a_whole_folder_reads_back_and_each_kind_of_damage_is_named() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("ktpel-3273-01-x");
        let key = BoothKey::generate();
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        write_folder(
            &dir,
            &key,
            &[(a, vec![1; 1000]), (b, vec![2; 500]), (c, vec![3; 10])],
        );
        let folder = open(&dir).unwrap();
        assert_eq!(folder.booth_key, key.public());
        assert!(folder.problems().unwrap().is_empty());
        assert_eq!(folders_in(root.path()).unwrap(), vec![dir.clone()]);

        // A copy cut short, a flipped byte, a lost file and a stray.
        let packets = dir.join(PACKETS_DIR);
        std::fs::write(packets.join(file_name(a)), vec![1; 600]).unwrap();
        std::fs::write(packets.join(file_name(b)), {
            let mut v = vec![2; 500];
            v[7] = 9;
            v
        })
        .unwrap();
        std::fs::remove_file(packets.join(file_name(c))).unwrap();
        std::fs::write(packets.join("stray.ktpel"), b"x").unwrap();
        let mut problems = folder.problems().unwrap();
        problems.sort_by(|x, y| x.0.cmp(&y.0));
        let mut want = vec![
            (
                file_name(a),
                PacketProblem::Truncated {
                    found: 600,
                    expected: 1000,
                },
            ),
            (file_name(b), PacketProblem::Altered),
            (file_name(c), PacketProblem::Missing),
            ("stray.ktpel".to_string(), PacketProblem::NotInManifest),
        ];
        want.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(problems, want);
    }

    #[test]
    fn a_manifest_altered_cut_short_or_unsigned_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let key = BoothKey::generate();
        write_folder(root.path(), &key, &[(Uuid::now_v7(), vec![1; 10])]);
        let m = root.path().join(MANIFEST_FILE);
        let good = std::fs::read(&m).unwrap();
        // One size changed to match a swapped file: the signature catches it.
        let altered = String::from_utf8(good.clone())
            .unwrap()
            .replace("\"size\": 10", "\"size\": 11");
        std::fs::write(&m, altered).unwrap();
        assert_eq!(open(root.path()).unwrap_err(), FolderError::BadSignature);
        std::fs::write(&m, &good[..good.len() / 2]).unwrap();
        assert!(matches!(
            open(root.path()).unwrap_err(),
            FolderError::BadManifest(_)
        ));
        std::fs::write(&m, &good).unwrap();
        assert!(open(root.path()).is_ok());
        std::fs::remove_file(root.path().join(SIGNATURE_FILE)).unwrap();
        assert_eq!(open(root.path()).unwrap_err(), FolderError::NoSignature);
    }
}
