//! The KTP-el chip profile: ISO/IEC 7816-4 transparent files laid out in the manner of the
//! ICAO 9303 LDS, built by the centre from an approved enrollment, checked by the booth against
//! the security object, and small enough for the e-KTP chip's 8 KB EEPROM.
//!
//! | file | id | contents |
//! |---|---|---|
//! | EF.COM | 011E | profile version and the tags of the data groups present |
//! | DG1 | 0101 | the face fields ([`super::dg1`]) |
//! | DG2 | 0102 | the portrait, JPEG in an ISO/IEC 19794-5 record ([`super::biometric`]) |
//! | DG3 | 0103 | two fingers' minutiae, ISO/IEC 19794-2, and index-finger exceptions ([`super::dg3`]) |
//! | DG7 | 0107 | the signature, a 1-bit PNG ([`super::biometric`]) |
//! | EF.SOD | 011D | SHA-256 of every DG, signed by the document signer ([`super::security`]) |
//!
//! `docs/card-profile.md` gives every byte.

use sha2::{Digest, Sha256};

use super::biometric::{self, Portrait, SignatureImage};
use super::dg1::{self, Holder};
use super::dg3::{self, Fingers};
use super::images::{self, ImageError, PortraitChoice};
use super::reader::Reader;
use super::security::{self, SecurityObject};
use super::tlv::{self, TlvError, ValueTooLong};
use crate::enrollment::Enrollment;
use crate::seal::DocumentSigner;

pub const EF_COM: u16 = 0x011E;
pub const DG1: u16 = 0x0101;
pub const DG2: u16 = 0x0102;
pub const DG3: u16 = 0x0103;
pub const DG7: u16 = 0x0107;
pub const EF_SOD: u16 = 0x011D;

/// The e-KTP chip's EEPROM.
pub const EEPROM_BYTES: usize = 8192;
/// What the card charges for each file beyond its contents (header, FCP, allocation), as the
/// virtual card (`ktpel_sim::card::FILE_OVERHEAD_BYTES`) and a typical Java Card file system do.
pub const FILE_OVERHEAD_BYTES: usize = 32;
/// EEPROM the builder leaves free: slack for a card whose file system charges a little more.
pub const RESERVE_BYTES: usize = 256;

/// EF.COM's template tag (ICAO's application tag 0).
pub const TAG_COM: u32 = 0x60;
pub const TAG_PROFILE_VERSION: u32 = 0x5F01;
pub const TAG_TAG_LIST: u32 = 0x5C;
/// The profile version EF.COM carries: "0100" is version 1.0 of `docs/card-profile.md` (not an
/// ICAO LDS version).
pub const PROFILE_VERSION: [u8; 4] = *b"0100";

/// A data group of the profile: its number, file id and template tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataGroup {
    pub number: u8,
    pub fid: u16,
    pub tag: u8,
}

/// The data groups this profile knows, in file order.
pub const DATA_GROUPS: [DataGroup; 4] = [
    DataGroup {
        number: 1,
        fid: DG1,
        tag: 0x61,
    },
    DataGroup {
        number: 2,
        fid: DG2,
        tag: 0x75,
    },
    DataGroup {
        number: 3,
        fid: DG3,
        tag: 0x63,
    },
    DataGroup {
        number: 7,
        fid: DG7,
        tag: 0x67,
    },
];

/// The data group stored in file `fid`.
pub fn data_group(fid: u16) -> Option<DataGroup> {
    DATA_GROUPS.into_iter().find(|g| g.fid == fid)
}

/// Why a profile could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("{field} cannot go on the chip: {reason}")]
    Field { field: &'static str, reason: String },
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    TooLong(#[from] ValueTooLong),
    #[error("the profile needs {needed} bytes of EEPROM, over the {budget} available")]
    OverBudget { needed: usize, budget: usize },
}

/// Why bytes read from (or meant for) a chip are not a well-formed profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("file {fid:04X}: {source}")]
    Tlv { fid: u16, source: TlvError },
    #[error("file {fid:04X}, byte {at}: tag {found:X} where the profile has tag {expected:X}")]
    UnexpectedTag {
        fid: u16,
        expected: u32,
        found: u32,
        at: usize,
    },
    #[error("file {fid:04X}: tag {expected:X} is missing (byte {at})")]
    MissingTag { fid: u16, expected: u32, at: usize },
    #[error("file {fid:04X}, byte {at}: tag {tag:X} is not part of the profile here")]
    UnexpectedObject { fid: u16, tag: u32, at: usize },
    #[error("file {fid:04X}: {field} is invalid: {reason}")]
    BadField {
        fid: u16,
        field: &'static str,
        reason: String,
    },
    #[error("file {0:04X} is missing")]
    MissingFile(u16),
    #[error("file {0:04X} appears twice")]
    DuplicateFile(u16),
    #[error("file {0:04X} is not part of the KTP-el profile")]
    UnknownFile(u16),
    #[error("EF.COM lists data groups {listed:?} but the card holds {present:?}")]
    ComMismatch { listed: Vec<u8>, present: Vec<u8> },
}

/// Why a profile does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("the security object is signed by a key that is not the trusted document signer")]
    UntrustedSigner,
    #[error("the security object's signature does not verify")]
    BadSignature,
    #[error("DG{dg} does not match its hash in the security object")]
    HashMismatch { dg: u8 },
    #[error("DG{dg} is on the card but has no hash in the security object")]
    Unlisted { dg: u8 },
    #[error("DG{dg} has a hash in the security object but is not on the card")]
    Missing { dg: u8 },
}

/// EF.COM decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com {
    pub version: [u8; 4],
    /// Data group numbers listed, in file order.
    pub groups: Vec<u8>,
}

/// Every file of a profile, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedProfile {
    pub com: Com,
    pub holder: Holder,
    pub portrait: Portrait,
    /// DG3, when EF.COM lists it (the booth always writes it).
    pub fingers: Option<Fingers>,
    pub signature: SignatureImage,
    pub security: SecurityObject,
}

/// A profile whose security object verified under the trusted signer and whose every data
/// group matched its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub profile: DecodedProfile,
}

/// A built profile: the files in the order they are written to the card (EF.COM, the data
/// groups, EF.SOD last so that a card torn mid-write never verifies), and what was chosen.
#[derive(Clone, PartialEq, Eq)]
pub struct ChipProfile {
    pub files: Vec<(u16, Vec<u8>)>,
    pub portrait: PortraitChoice,
    /// The fingers DG3 holds.
    pub fingers: Vec<ktpel_hal::FingerPosition>,
}

impl std::fmt::Debug for ChipProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<String> = self
            .files
            .iter()
            .map(|(fid, b)| format!("{fid:04X}:{}", b.len()))
            .collect();
        write!(
            f,
            "ChipProfile([{}], {:?}, fingers {:?})",
            sizes.join(" "),
            self.portrait,
            self.fingers
        )
    }
}

impl ChipProfile {
    /// EEPROM the profile takes: every file plus its overhead.
    pub fn eeprom_bytes(&self) -> usize {
        eeprom_bytes(&self.files)
    }

    /// The contents of file `fid`.
    pub fn file(&self, fid: u16) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(f, _)| *f == fid)
            .map(|(_, b)| b.as_slice())
    }
}

/// EEPROM that `files` take on the card: every file's size plus [`FILE_OVERHEAD_BYTES`].
pub fn eeprom_bytes(files: &[(u16, Vec<u8>)]) -> usize {
    files
        .iter()
        .map(|(_, b)| b.len() + FILE_OVERHEAD_BYTES)
        .sum()
}

fn encode_com(groups: &[DataGroup]) -> Result<Vec<u8>, ValueTooLong> {
    let tags: Vec<u8> = groups.iter().map(|g| g.tag).collect();
    let mut body = Vec::new();
    tlv::push(&mut body, TAG_PROFILE_VERSION, &PROFILE_VERSION)?;
    tlv::push(&mut body, TAG_TAG_LIST, &tags)?;
    tlv::encode(TAG_COM, &body)
}

fn decode_com(bytes: &[u8]) -> Result<Com, ProfileError> {
    let mut file = Reader::new(EF_COM, bytes, 0)?;
    let outer = file.take(TAG_COM)?;
    file.finish()?;
    let mut com = file.nested(outer)?;
    let version = com.take(TAG_PROFILE_VERSION)?;
    let list = com.take(TAG_TAG_LIST)?;
    com.finish()?;
    let version: [u8; 4] = version
        .value
        .try_into()
        .map_err(|_| ProfileError::BadField {
            fid: EF_COM,
            field: "profile version",
            reason: "not 4 bytes".into(),
        })?;
    if version != PROFILE_VERSION {
        return Err(ProfileError::BadField {
            fid: EF_COM,
            field: "profile version",
            reason: format!("{:02X?} is not a version this booth reads", version),
        });
    }
    let mut groups: Vec<u8> = Vec::with_capacity(list.value.len());
    for &tag in list.value {
        let g = DATA_GROUPS
            .into_iter()
            .find(|g| g.tag == tag)
            .ok_or_else(|| ProfileError::BadField {
                fid: EF_COM,
                field: "tag list",
                reason: format!("{tag:02X} is not a data group of the profile"),
            })?;
        if groups.last().is_some_and(|&prev| prev >= g.number) {
            return Err(ProfileError::BadField {
                fid: EF_COM,
                field: "tag list",
                reason: "out of order or repeated".into(),
            });
        }
        groups.push(g.number);
    }
    Ok(Com { version, groups })
}

/// Builds the complete profile of `e`, signed by `signer`, within [`EEPROM_BYTES`] less
/// [`RESERVE_BYTES`]: every other file is built first and the portrait gets what is left.
pub fn build(e: &Enrollment, signer: &DocumentSigner) -> Result<ChipProfile, BuildError> {
    let _span = tracing::info_span!("card.profile.build", packet = %e.packet_id).entered();
    let holder = Holder::from_resident(&e.resident);
    let dg1 = dg1::encode(&holder)?;
    let (signature_png, _, _) = images::signature_for_chip(&e.signature.image.bytes)?;
    let dg7 = biometric::encode_dg7(&signature_png)?;
    let fingers = dg3::choose(&e.fingers);
    let dg3 = dg3::encode(&fingers)?;
    let groups = DATA_GROUPS;
    let com = encode_com(&groups)?;

    let budget = EEPROM_BYTES - RESERVE_BYTES;
    let fixed = [
        com.len(),
        dg1.len(),
        dg3.len(),
        dg7.len(),
        security::encoded_len(groups.len()),
    ]
    .iter()
    .map(|l| l + FILE_OVERHEAD_BYTES)
    .sum::<usize>()
        + FILE_OVERHEAD_BYTES; // DG2's own overhead
    let left = budget.checked_sub(fixed).ok_or(BuildError::OverBudget {
        needed: fixed,
        budget,
    })?;
    let wrapper = biometric::dg2_len(0);
    // dg2_len grows by one or two length bytes past 127 / 255 / 65535: leave room for them.
    let jpeg_budget = left.saturating_sub(wrapper + 6);
    let (jpeg, choice) = images::portrait_for_chip(&e.face.image.bytes, jpeg_budget)?;
    let dg2 = biometric::encode_dg2(
        &jpeg,
        choice.width as u16,
        choice.height as u16,
        Some(e.resident.sex),
    )?;
    let sod = security::sign(signer, &[(1, &dg1), (2, &dg2), (3, &dg3), (7, &dg7)])?;
    let profile = ChipProfile {
        files: vec![
            (EF_COM, com),
            (DG1, dg1),
            (DG2, dg2),
            (DG3, dg3),
            (DG7, dg7),
            (EF_SOD, sod),
        ],
        portrait: choice,
        fingers: fingers.views.iter().map(|v| v.position).collect(),
    };
    let needed = profile.eeprom_bytes();
    if needed > budget {
        return Err(BuildError::OverBudget { needed, budget });
    }
    tracing::info!(
        eeprom = needed,
        portrait_quality = choice.quality,
        portrait_width = choice.width,
        fingers = fingers.views.len(),
        "chip profile built"
    );
    Ok(profile)
}

/// The files by id, each known to the profile and present once.
fn index(files: &[(u16, Vec<u8>)]) -> Result<Vec<(u16, &[u8])>, ProfileError> {
    let mut out: Vec<(u16, &[u8])> = Vec::with_capacity(files.len());
    for (fid, bytes) in files {
        if *fid != EF_COM && *fid != EF_SOD && data_group(*fid).is_none() {
            return Err(ProfileError::UnknownFile(*fid));
        }
        if out.iter().any(|(f, _)| f == fid) {
            return Err(ProfileError::DuplicateFile(*fid));
        }
        out.push((*fid, bytes.as_slice()));
    }
    Ok(out)
}

fn get<'a>(files: &[(u16, &'a [u8])], fid: u16) -> Result<&'a [u8], ProfileError> {
    files
        .iter()
        .find(|(f, _)| *f == fid)
        .map(|(_, b)| *b)
        .ok_or(ProfileError::MissingFile(fid))
}

/// Decodes every file of a profile read from a card (or about to be written to one). Checks
/// structure only: [`verify`] checks the signature and the hashes.
pub fn decode(files: &[(u16, Vec<u8>)]) -> Result<DecodedProfile, ProfileError> {
    let files = index(files)?;
    let com = decode_com(get(&files, EF_COM)?)?;
    let present: Vec<u8> = DATA_GROUPS
        .iter()
        .filter(|g| files.iter().any(|(f, _)| *f == g.fid))
        .map(|g| g.number)
        .collect();
    if com.groups != present {
        return Err(ProfileError::ComMismatch {
            listed: com.groups,
            present,
        });
    }
    let holder = dg1::decode(get(&files, DG1)?)?;
    let portrait = biometric::decode_dg2(get(&files, DG2)?)?;
    let fingers = if present.contains(&3) {
        Some(dg3::decode(get(&files, DG3)?)?)
    } else {
        None
    };
    let signature = biometric::decode_dg7(get(&files, DG7)?)?;
    let security = security::decode(EF_SOD, get(&files, EF_SOD)?)?;
    Ok(DecodedProfile {
        com,
        holder,
        portrait,
        fingers,
        signature,
        security,
    })
}

/// Checks a profile against the document signer `trusted_signer` (its Ed25519 public key): the
/// security object's signature, then every data group's hash, then the structure of every file.
pub fn verify(files: &[(u16, Vec<u8>)], trusted_signer: &[u8]) -> Result<Verified, VerifyError> {
    let indexed = index(files)?;
    let sod = security::decode(EF_SOD, get(&indexed, EF_SOD)?)?;
    if sod.signer_key.as_slice() != trusted_signer {
        return Err(VerifyError::UntrustedSigner);
    }
    if !sod.signature_verifies() {
        return Err(VerifyError::BadSignature);
    }
    for (fid, bytes) in &indexed {
        let Some(g) = data_group(*fid) else { continue };
        let listed = sod
            .hash_of(g.number)
            .ok_or(VerifyError::Unlisted { dg: g.number })?;
        if listed.as_slice() != Sha256::digest(bytes).as_slice() {
            return Err(VerifyError::HashMismatch { dg: g.number });
        }
    }
    for (dg, _) in &sod.hashes {
        let on_card = DATA_GROUPS
            .iter()
            .any(|g| g.number == *dg && indexed.iter().any(|(f, _)| *f == g.fid));
        if !on_card {
            return Err(VerifyError::Missing { dg: *dg });
        }
    }
    let profile = decode(files)?;
    Ok(Verified { profile })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
