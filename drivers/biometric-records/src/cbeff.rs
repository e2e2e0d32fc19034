//! CBEFF biometric information records (ISO/IEC 19785-1 data elements, in the spirit of the
//! ISO/IEC 19785-3 patron formats and MOSIP's CBEFF XML), encoded as CBOR.
//!
//! Why CBOR and not MOSIP's XML: the booth's whole packet is already CBOR (RFC 8949) inside
//! HPKE; XML would need a second parser at the centre, base64 for every image (a third more
//! bytes on 1 Mbps and GSM links) and an XML canonicalisation story for anything signed. The
//! data elements are the same as MOSIP's (format owner and type, biometric type and subtype,
//! quality, purpose, processed level, creation time, an exception without BDB), so a converter
//! to MOSIP's XML is a mapping of names, listed in the booth's `docs/packet.md`.

use crate::RecordError;
use serde::{Deserialize, Serialize};

/// The version of this BIR layout.
pub const BIR_VERSION: u8 = 1;
/// CBEFF format owner ISO/IEC JTC 1/SC 37 (0x0101), as MOSIP writes it.
pub const FORMAT_OWNER_SC37: u16 = 257;
/// CBEFF format types registered by SC 37, as MOSIP uses them.
pub const FORMAT_TYPE_FINGER_IMAGE: u16 = 7;
pub const FORMAT_TYPE_FACE_IMAGE: u16 = 8;
pub const FORMAT_TYPE_IRIS_IMAGE: u16 = 9;
/// CBEFF biometric types (ISO/IEC 19785-1 table 4).
pub const BIOMETRIC_TYPE_FACE: u32 = 0x02;
pub const BIOMETRIC_TYPE_FINGER: u32 = 0x08;
pub const BIOMETRIC_TYPE_IRIS: u32 = 0x10;
/// CBEFF biometric subtype bits.
pub const SUBTYPE_RIGHT: u8 = 0x01;
pub const SUBTYPE_LEFT: u8 = 0x02;
pub const SUBTYPE_THUMB: u8 = 0x04;
pub const SUBTYPE_INDEX: u8 = 0x08;
pub const SUBTYPE_MIDDLE: u8 = 0x10;
pub const SUBTYPE_RING: u8 = 0x20;
pub const SUBTYPE_LITTLE: u8 = 0x40;
/// CBEFF purpose: enrol.
pub const PURPOSE_ENROLL: u8 = 3;
/// CBEFF processed level: raw (an image, not a template).
pub const PROCESSED_LEVEL_RAW: u8 = 1;
/// The most BIRs one list may hold (ten fingers, two irises, a face, and room to spare).
pub const MAX_BIRS: usize = 32;
/// The largest BIR list accepted.
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// Why a finger or an iris was not captured: the BIR has this instead of a BDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirException {
    Missing,
    Bandaged,
    Unusable,
}

/// The standard biometric header of one BIR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirHeader {
    /// [`BIR_VERSION`].
    pub version: u8,
    /// CBEFF biometric type: [`BIOMETRIC_TYPE_FINGER`], [`BIOMETRIC_TYPE_IRIS`],
    /// [`BIOMETRIC_TYPE_FACE`].
    pub biometric_type: u32,
    /// CBEFF subtype bits (side and finger); 0 for the face.
    pub subtype: u8,
    /// [`FORMAT_OWNER_SC37`].
    pub format_owner: u16,
    /// The BDB's format: 7 finger image (19794-4), 9 iris image (19794-6), 8 face (19794-5).
    pub format_type: u16,
    /// The capture's quality, 0–100; none for an exception.
    pub quality: Option<u8>,
    /// [`PURPOSE_ENROLL`].
    pub purpose: u8,
    /// [`PROCESSED_LEVEL_RAW`].
    pub processed_level: u8,
    /// When the BIR was created, Unix milliseconds.
    pub created_ms: i64,
    /// Set when there is no BDB: why the biometric could not be captured.
    pub exception: Option<BirException>,
}

/// A BIR: the header and the biometric data block (an ISO/IEC 19794 record), or no BDB for
/// an exception.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bir {
    pub header: BirHeader,
    #[serde(with = "serde_bytes")]
    pub bdb: Option<Vec<u8>>,
}

// The BDB is biometric data: debug output names the header only.
impl std::fmt::Debug for Bir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bir(type {:#x} subtype {:#x} format {}/{}, {})",
            self.header.biometric_type,
            self.header.subtype,
            self.header.format_owner,
            self.header.format_type,
            match (&self.bdb, self.header.exception) {
                (Some(b), _) => format!("{} bytes", b.len()),
                (None, Some(e)) => format!("exception {e:?}"),
                (None, None) => "empty".to_string(),
            }
        )
    }
}

/// What a BIR holds, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    Finger,
    Iris,
    Face,
}

impl Bir {
    /// Checks the header's fields against each other and against the BDB's presence.
    pub fn check(&self) -> Result<Modality, RecordError> {
        let h = &self.header;
        let bad = |field: &'static str, value: u32| RecordError::BirField { field, value };
        if h.version != BIR_VERSION {
            return Err(bad("version", h.version.into()));
        }
        if h.format_owner != FORMAT_OWNER_SC37 {
            return Err(bad("format owner", h.format_owner.into()));
        }
        let modality = match (h.biometric_type, h.format_type) {
            (BIOMETRIC_TYPE_FINGER, FORMAT_TYPE_FINGER_IMAGE) => Modality::Finger,
            (BIOMETRIC_TYPE_IRIS, FORMAT_TYPE_IRIS_IMAGE) => Modality::Iris,
            (BIOMETRIC_TYPE_FACE, FORMAT_TYPE_FACE_IMAGE) => Modality::Face,
            (BIOMETRIC_TYPE_FINGER | BIOMETRIC_TYPE_IRIS | BIOMETRIC_TYPE_FACE, t) => {
                return Err(bad("format type", t.into()))
            }
            (t, _) => return Err(bad("biometric type", t)),
        };
        let subtype_ok = match modality {
            Modality::Finger => crate::finger_from_subtype(h.subtype).is_some(),
            Modality::Iris => matches!(h.subtype, SUBTYPE_RIGHT | SUBTYPE_LEFT),
            Modality::Face => h.subtype == 0,
        };
        if !subtype_ok {
            return Err(bad("subtype", h.subtype.into()));
        }
        if let Some(q) = h.quality {
            if q > 100 {
                return Err(bad("quality", q.into()));
            }
        }
        if h.purpose != PURPOSE_ENROLL {
            return Err(bad("purpose", h.purpose.into()));
        }
        if h.processed_level != PROCESSED_LEVEL_RAW {
            return Err(bad("processed level", h.processed_level.into()));
        }
        match (&self.bdb, h.exception) {
            (Some(_), Some(_)) => Err(RecordError::BdbAndException),
            (None, None) => Err(RecordError::NoBdb),
            (None, Some(_)) if modality == Modality::Face => Err(RecordError::NoBdb),
            (None, Some(_)) if h.quality.is_some() => Err(bad("quality", 0)),
            _ => Ok(modality),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct BirList {
    version: u8,
    birs: Vec<Bir>,
}

/// The BIRs as one CBOR item: `{"version": 1, "birs": [BIR, ...]}`.
pub fn encode_list(birs: &[Bir]) -> Result<Vec<u8>, RecordError> {
    if birs.len() > MAX_BIRS {
        return Err(RecordError::TooManyBirs(birs.len()));
    }
    let list = BirList {
        version: BIR_VERSION,
        birs: birs.to_vec(),
    };
    let mut out = Vec::new();
    ciborium::into_writer(&list, &mut out).map_err(|e| RecordError::Cbor(e.to_string()))?;
    Ok(out)
}

/// Reads a list written by [`encode_list`] and checks every BIR's header.
pub fn decode_list(bytes: &[u8]) -> Result<Vec<Bir>, RecordError> {
    if bytes.len() > MAX_LIST_BYTES {
        return Err(RecordError::TooLarge {
            what: "BIR list",
            len: bytes.len(),
            max: MAX_LIST_BYTES,
        });
    }
    // ciborium grows byte strings chunk by chunk as they arrive, never from a declared length.
    let list: BirList =
        ciborium::from_reader(bytes).map_err(|e| RecordError::Cbor(e.to_string()))?;
    if list.version != BIR_VERSION {
        return Err(RecordError::BirField {
            field: "list version",
            value: list.version.into(),
        });
    }
    check_list(&list.birs)?;
    Ok(list.birs)
}

/// Checks the number of BIRs and each header.
pub fn check_list(birs: &[Bir]) -> Result<(), RecordError> {
    if birs.len() > MAX_BIRS {
        return Err(RecordError::TooManyBirs(birs.len()));
    }
    for b in birs {
        b.check()?;
    }
    Ok(())
}
