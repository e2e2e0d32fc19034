//! The wire contract between a booth and the centre (SIAK look-up, enrollment ingest, verdicts).
//! Both the booth's client and the centre simulator use these types, so they cannot drift apart.
//!
//! | call | request | answer |
//! |---|---|---|
//! | `GET /siak/v1/residents/{nik}` | — | 200 [`Resident`] JSON · 404 / 400 [`ApiError`] |
//! | `PUT /centre/v1/enrollments/{packet_id}` | CBOR [`crate::seal::SealedPacket`] | 201 (new) or 200 (same packet again) [`IngestReply`] · 409 different packet under that id · 400 unreadable or unverifiable packet |
//! | `POST /centre/v1/verdicts` | [`VerdictQuery`] JSON | 200 [`VerdictReply`] |
//! | `GET /centre/v1/keys` | — | 200 [`CentreKeys`] |
//! | `GET /health` | — | 200 `ok` |
//!
//! Every call but `/health` carries `Authorization: Bearer <key>` (the SIAK key for `/siak`,
//! the centre key for `/centre`).

use crate::domain::resident::Resident;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SIAK_RESIDENT_PATH: &str = "/siak/v1/residents";
pub const INGEST_PATH: &str = "/centre/v1/enrollments";
pub const VERDICTS_PATH: &str = "/centre/v1/verdicts";
pub const KEYS_PATH: &str = "/centre/v1/keys";
pub const HEALTH_PATH: &str = "/health";
pub const CBOR_CONTENT_TYPE: &str = "application/cbor";

/// The most packet ids one verdict query may carry.
pub const MAX_VERDICT_QUERY: usize = 200;

/// Every error body (shared with the complaint desk).
pub use crate::http_answer::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReply {
    pub packet_id: Uuid,
    /// Always "received" on success.
    pub status: String,
    pub received_at_ms: i64,
    /// True when this packet had already been received (an idempotent repeat).
    pub repeat: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictQuery {
    pub packet_ids: Vec<Uuid>,
}

/// Where a packet stands at the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CentreStatus {
    /// The centre has never received this packet.
    Unknown,
    /// Received; matching (ABIS) has not finished.
    Processing,
    PrintReady,
    Duplicate,
    Adjudicate,
    EnrollFailure,
}

impl CentreStatus {
    pub fn is_verdict(self) -> bool {
        !matches!(self, CentreStatus::Unknown | CentreStatus::Processing)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictEntry {
    pub packet_id: Uuid,
    pub status: CentreStatus,
    /// A reason in plain words for the non-printable verdicts (no personal data).
    #[serde(default)]
    pub detail: Option<String>,
    /// With `PrintReady` only: what the booth needs to print and encode the card.
    #[serde(default)]
    pub personalization: Option<Personalization>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictReply {
    pub verdicts: Vec<VerdictEntry>,
}

/// The card's data as the centre approved it. The booth cannot read back the captures it
/// sealed, so the card face and the chip are personalised from this bundle.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personalization {
    pub resident: Resident,
    /// Print-quality portrait for the card face (JPEG), base64.
    pub portrait_jpeg_b64: String,
    /// Signature image for the card face (PNG), base64.
    pub signature_png_b64: String,
    /// The chip's files other than EF.SOD, in the order they are written: EF.COM, then the
    /// data groups (`docs/card-profile.md`).
    pub data_groups: Vec<DataGroupFile>,
    /// EF.SOD: the hashes of the data groups, signed by the document signer.
    pub sod: SignedSod,
}

impl std::fmt::Debug for Personalization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Personalization({} data groups)", self.data_groups.len())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataGroupFile {
    /// ISO/IEC 7816-4 file id, e.g. 0x0101 for DG1.
    pub fid: u16,
    pub contents_b64: String,
}

/// The security object as written to the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedSod {
    /// EF.SOD (file 011D), base64: the SHA-256 of every data group, the document signer's key
    /// and its Ed25519 signature, laid out as `docs/card-profile.md` says.
    pub ef_sod_b64: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentreKeys {
    /// The HPKE (X25519) public key packets are sealed to, base64.
    pub hpke_public_b64: String,
    /// The document signer's Ed25519 public key, base64.
    pub document_signer_b64: String,
}
