//! The wire contract between a booth and the centre (SIAK look-up, enrollment ingest, verdicts).
//! Both the booth's client and the centre simulator use these types, so they cannot drift apart.
//!
//! | call | request | answer |
//! |---|---|---|
//! | `GET /siak/v1/residents/{nik}` | — | 200 [`Resident`] JSON · 404 / 400 [`ApiError`] |
//! | `PUT /centre/v1/enrollments/{packet_id}` | CBOR [`crate::seal::SealedPacket`] | 201 (new) or 200 (same packet again) [`IngestReply`] · 409 different packet under that id · 400 unreadable or unverifiable packet |
//! | `POST /centre/v1/verdicts` | [`VerdictQuery`] JSON | 200 [`VerdictReply`] |
//! | `GET /centre/v1/records/{nik}` | — | 200 [`RecordHistory`]: what the centre holds for the NIK, so a re-recording is caught before capture · 400 not a NIK |
//! | `POST /centre/v1/issued` | [`IssuedReport`] JSON | 200 (also for a repeat) · 404 packet unknown · 409 not print ready |
//! | `GET /centre/v1/keys` | — | 200 [`CentreKeys`] |
//! | `GET /health` | — | 200 `ok` |
//!
//! Every call but `/health` carries `Authorization: Bearer <key>` (the SIAK key for `/siak`,
//! the centre key for `/centre`).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use crate::card::face::{CardFaceError, FaceData};
use crate::domain::resident::Resident;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SIAK_RESIDENT_PATH: &str = "/siak/v1/residents";
pub const INGEST_PATH: &str = "/centre/v1/enrollments";
/// The centre's tus 1.0.0 creation URL; uploads live beneath it.
pub const UPLOADS_PATH: &str = "/centre/v1/uploads";
/// The `Upload-Metadata` key carrying the packet id, the centre's idempotency key.
pub const UPLOAD_PACKET_ID_KEY: &str = "packet-id";
/// The `Upload-Metadata` key carrying the whole packet's checksum (`sha256 <base64>`), which
/// the centre checks before ingest: it covers bytes kept from a request the link cut.
pub const UPLOAD_CHECKSUM_KEY: &str = "checksum";
pub const VERDICTS_PATH: &str = "/centre/v1/verdicts";
pub const KEYS_PATH: &str = "/centre/v1/keys";
pub const RECORDS_PATH: &str = "/centre/v1/records";
pub const ISSUED_PATH: &str = "/centre/v1/issued";
pub const HEALTH_PATH: &str = "/health";
pub const CBOR_CONTENT_TYPE: &str = "application/cbor";

/// The most packet ids one verdict query may carry.
pub const MAX_VERDICT_QUERY: usize = 200;

/// Every error body (shared with the complaint desk).
pub use crate::wire::http::ApiError;

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

/// Why the centre judged a packet as it did: a machine code the booth puts in the operator's
/// language (`verdict-<code>` in the kiosk's translations). Codes the booth does not know are
/// shown with their verdict's general explanation.
pub mod verdict_code {
    /// Duplicate: this NIK already has a record at the centre (a re-recording, e.g. after moving).
    pub const NIK_ENROLLED: &str = "duplicate.nik_enrolled";
    /// Duplicate: the fingers or irises match another NIK's record.
    pub const BIOMETRIC_MATCH: &str = "duplicate.biometric_match";
    /// Adjudicate: no usable fingerprint; an officer decides on face and iris.
    pub const NO_FINGERPRINTS: &str = "adjudicate.no_fingerprints";
    /// Adjudicate: matching was not conclusive; an officer decides.
    pub const INCONCLUSIVE: &str = "adjudicate.inconclusive";
    /// Enroll failure: the record is incomplete.
    pub const INCOMPLETE: &str = "enroll_failure.incomplete";
    /// Enroll failure: SIAK does not know the NIK.
    pub const NOT_IN_SIAK: &str = "enroll_failure.not_in_siak";
    /// Enroll failure: the recorded data differ from SIAK.
    pub const SIAK_MISMATCH: &str = "enroll_failure.siak_mismatch";
    /// Enroll failure: the photo cannot be used.
    pub const PHOTO_UNUSABLE: &str = "enroll_failure.photo_unusable";
    /// Enroll failure: the fingerprints cannot be read.
    pub const FINGERS_UNREADABLE: &str = "enroll_failure.fingers_unreadable";

    pub const ALL: [&str; 9] = [
        NIK_ENROLLED,
        BIOMETRIC_MATCH,
        NO_FINGERPRINTS,
        INCONCLUSIVE,
        INCOMPLETE,
        NOT_IN_SIAK,
        SIAK_MISMATCH,
        PHOTO_UNUSABLE,
        FINGERS_UNREADABLE,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictEntry {
    pub packet_id: Uuid,
    pub status: CentreStatus,
    /// Why, for the non-printable verdicts: one of [`verdict_code`] (no personal data).
    #[serde(default)]
    pub code: Option<String>,
    /// With `PrintReady` only: what the booth needs to print and encode the card.
    #[serde(default)]
    pub personalization: Option<Personalization>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictReply {
    pub verdicts: Vec<VerdictEntry>,
}

/// Where one of a NIK's records stands at the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Received; matching has not finished.
    InProcess,
    PrintReady,
    /// Print ready, and the booth reported the card handed over.
    Issued,
    Duplicate,
    Adjudicate,
    EnrollFailure,
}

/// One record the centre holds for a NIK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFact {
    pub status: RecordStatus,
    pub recorded_at_ms: i64,
    /// The booth that recorded it.
    pub booth_id: String,
}

/// Every record the centre holds for a NIK, oldest first (empty: never recorded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHistory {
    pub records: Vec<RecordFact>,
}

/// The booth handed the card of a print-ready packet over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedReport {
    pub packet_id: Uuid,
    pub issued_at_ms: i64,
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

impl Personalization {
    /// What the card's front shows, from the bundle.
    pub fn face_data(&self) -> Result<FaceData, CardFaceError> {
        Ok(FaceData {
            resident: self.resident.clone(),
            portrait_jpeg: B64
                .decode(&self.portrait_jpeg_b64)
                .map_err(|_| CardFaceError::Base64("portrait"))?,
            signature_png: B64
                .decode(&self.signature_png_b64)
                .map_err(|_| CardFaceError::Base64("signature"))?,
        })
    }
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
    /// EF.SOD (file 011D), base64: a CMS SignedData over the LDSSecurityObject (SHA-256 of
    /// every data group), with the document signer's certificate, as `docs/card-profile.md`
    /// says.
    pub ef_sod_b64: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentreKeys {
    /// The HPKE (X25519) public key packets are sealed to, base64.
    pub hpke_public_b64: String,
    /// The country signing CA's certificate, PEM: the trust anchor of the chips.
    pub csca_certificate_pem: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_face_data_come_out_of_the_bundle_and_bad_base64_is_named() {
        let resident = crate::domain::population::generate(7, 1, jiff::civil::date(2026, 1, 1))
            .pop()
            .unwrap();
        let bundle = Personalization {
            resident: resident.clone(),
            portrait_jpeg_b64: B64.encode(b"portrait bytes"),
            signature_png_b64: B64.encode(b"signature bytes"),
            data_groups: vec![],
            sod: SignedSod {
                ef_sod_b64: String::new(),
            },
        };
        let face = bundle.face_data().unwrap();
        assert_eq!(face.resident, resident);
        assert_eq!(face.portrait_jpeg, b"portrait bytes");
        assert_eq!(face.signature_png, b"signature bytes");
        let mut bad = bundle.clone();
        bad.portrait_jpeg_b64 = "***".into();
        assert!(matches!(
            bad.face_data(),
            Err(CardFaceError::Base64("portrait"))
        ));
        let mut bad = bundle;
        bad.signature_png_b64 = "***".into();
        assert!(matches!(
            bad.face_data(),
            Err(CardFaceError::Base64("signature"))
        ));
    }
}
