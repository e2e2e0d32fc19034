//! The KTP-el chip profile: the ICAO Doc 9303 LDS1 application (AID A0000002471001) with
//! ISO/IEC 7816-4 transparent files, built by the centre from an approved enrollment, checked by
//! passive authentication against the country signing CA, and small enough for the e-KTP
//! chip's 8 KB EEPROM.
//!
//! | file | id | contents |
//! |---|---|---|
//! | EF.COM | 011E | LDS 0107, Unicode 040000, the tags of the data groups present |
//! | DG1 | 0101 | the TD1 MRZ ([`super::dg1`]) |
//! | DG2 | 0102 | the portrait, JPEG in an ISO/IEC 19794-5 record ([`super::biometric`]) |
//! | DG3 | 0103 | two fingers' minutiae, ISO/IEC 19794-2, and index-finger exceptions ([`super::dg3`]) |
//! | DG7 | 0107 | the signature, a 1-bit PNG ([`super::biometric`]) |
//! | DG11 | 010B | additional personal details: the face fields ([`super::dg1`]) |
//! | DG12 | 010C | additional document details ([`super::dg1`]) |
//! | EF.SOD | 011D | CMS SignedData over an LDSSecurityObject, document signer certificate inside |
//!
//! `docs/card-profile.md` gives every byte.

use std::time::SystemTime;

use ktpel_icao_lds::lds::Com as IcaoCom;
use ktpel_icao_lds::pa::{self, PaError, PaReport};
use ktpel_icao_lds::pki::KeyAndCertificate;
use ktpel_icao_lds::{sod, Certificate};

use super::biometric::{self, Portrait, SignatureImage};
use super::dg1::{self, Holder};
use super::dg3::{self, Fingers};
use super::images::{self, ImageError, PortraitChoice};
use super::tlv::ValueTooLong;
use crate::enrollment::Enrollment;

pub const EF_COM: u16 = 0x011E;
pub const DG1: u16 = 0x0101;
pub const DG2: u16 = 0x0102;
pub const DG3: u16 = 0x0103;
pub const DG7: u16 = 0x0107;
pub const DG11: u16 = 0x010B;
pub const DG12: u16 = 0x010C;
pub const EF_SOD: u16 = 0x011D;

/// The e-KTP chip's EEPROM.
pub const EEPROM_BYTES: usize = 8192;
/// What the card charges for each file beyond its contents (header, FCP, allocation), as the
/// virtual card (`ktpel_sim::card::FILE_OVERHEAD_BYTES`) and a typical Java Card file system do.
pub const FILE_OVERHEAD_BYTES: usize = 32;
/// EEPROM the builder leaves free: slack for a card whose file system charges a little more.
pub const RESERVE_BYTES: usize = 256;
/// The encoder's two one-byte marker files (`ktpel_card_pcsc::BEGIN_MARKER_FID`,
/// `COMMIT_MARKER_FID`) with their overhead: they share the EEPROM with the profile.
pub const MARKER_BYTES: usize = 2 * (1 + FILE_OVERHEAD_BYTES);

/// A data group of the profile: its number, file id and template tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataGroup {
    pub number: u8,
    pub fid: u16,
    pub tag: u8,
}

/// The data groups this profile knows, in file order.
pub const DATA_GROUPS: [DataGroup; 6] = [
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
    DataGroup {
        number: 11,
        fid: DG11,
        tag: 0x6B,
    },
    DataGroup {
        number: 12,
        fid: DG12,
        tag: 0x6C,
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
    #[error("EF.SOD cannot be signed: {0}")]
    Sign(String),
}

/// Why bytes read from (or meant for) a chip are not a well-formed profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("file {fid:04X}: {source}")]
    Tlv {
        fid: u16,
        source: super::tlv::TlvError,
    },
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

/// Why a profile does not verify: passive authentication failed (each check has its own
/// message, [`PaError`]), or a file that passed it is not a well-formed profile file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("passive authentication failed: {0}")]
    PassiveAuthentication(#[from] PaError),
}

/// EF.COM decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com {
    pub lds_version: [u8; 4],
    pub unicode_version: [u8; 6],
    /// Data group numbers listed, in file order.
    pub groups: Vec<u8>,
}

/// Every file of a profile, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedProfile {
    pub com: Com,
    /// DG1 (the MRZ), DG11 and DG12 together.
    pub holder: Holder,
    /// The 90 characters of the MRZ.
    pub mrz: String,
    pub portrait: Portrait,
    /// DG3, when EF.COM lists it (the booth always writes it).
    pub fingers: Option<Fingers>,
    pub signature: SignatureImage,
}

/// A profile that passed passive authentication under the trusted CSCA, and whose every file
/// decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub profile: DecodedProfile,
    /// The chain and the data groups that were checked.
    pub chain: PaReport,
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

fn encode_com(groups: &[DataGroup]) -> Result<Vec<u8>, BuildError> {
    IcaoCom::new(groups.iter().map(|g| g.tag).collect())
        .encode()
        .map_err(|e| BuildError::Field {
            field: "EF.COM",
            reason: e.to_string(),
        })
}

fn decode_com(bytes: &[u8]) -> Result<Com, ProfileError> {
    let bad = |field: &'static str, reason: String| ProfileError::BadField {
        fid: EF_COM,
        field,
        reason,
    };
    let com = IcaoCom::decode(bytes).map_err(|e| bad("EF.COM", e.to_string()))?;
    if &com.lds_version != ktpel_icao_lds::lds::LDS_VERSION {
        return Err(bad(
            "LDS version",
            format!("{:02X?} is not LDS 1.7", com.lds_version),
        ));
    }
    if &com.unicode_version != ktpel_icao_lds::lds::UNICODE_VERSION {
        return Err(bad(
            "Unicode version",
            format!("{:02X?} is not Unicode 4.0.0", com.unicode_version),
        ));
    }
    let mut groups: Vec<u8> = Vec::with_capacity(com.tags.len());
    for &tag in &com.tags {
        let g = DATA_GROUPS
            .into_iter()
            .find(|g| g.tag == tag)
            .ok_or_else(|| {
                bad(
                    "tag list",
                    format!("{tag:02X} is not a data group of the profile"),
                )
            })?;
        if groups.last().is_some_and(|&prev| prev >= g.number) {
            return Err(bad("tag list", "out of order or repeated".into()));
        }
        groups.push(g.number);
    }
    Ok(Com {
        lds_version: com.lds_version,
        unicode_version: com.unicode_version,
        groups,
    })
}

/// The longest DER encoding of an ECDSA P-256 signature: SEQUENCE of two INTEGERs of at most
/// 33 bytes each.
const MAX_ECDSA_P256_DER: usize = 72;

/// The longest EF.SOD over `count` data groups: signed once over empty groups (the hashes and
/// the certificate have fixed sizes), with that signature's length replaced by the longest an
/// ECDSA P-256 signature can have, plus two bytes in case an enclosing length needs a longer
/// form.
fn sod_len(signer: &KeyAndCertificate, count: usize) -> Result<usize, BuildError> {
    let groups: Vec<(u8, &[u8])> = DATA_GROUPS
        .iter()
        .take(count)
        .map(|g| (g.number, &[][..]))
        .collect();
    let sod = sod::sign(signer, &groups).map_err(|e| BuildError::Sign(e.to_string()))?;
    let signature = sod::parse(&sod)
        .ok()
        .and_then(|p| {
            p.signed_data
                .signer_infos
                .0
                .as_slice()
                .first()
                .map(|si| si.signature.as_bytes().len())
        })
        .ok_or_else(|| BuildError::Sign("EF.SOD does not read back".into()))?;
    Ok(sod.len() - signature + MAX_ECDSA_P256_DER + 2)
}

/// Builds the complete profile of `e`, signed by the document signer `signer`, within
/// [`EEPROM_BYTES`] less [`RESERVE_BYTES`] and the encoder's markers: every other file is
/// built first and the portrait gets what is left.
pub fn build(e: &Enrollment, signer: &KeyAndCertificate) -> Result<ChipProfile, BuildError> {
    let _span = tracing::info_span!("card.profile.build", packet = %e.packet_id).entered();
    let holder = Holder::from_resident(&e.resident);
    let holder_files = dg1::encode(&holder)?;
    let (signature_png, _, _) = images::signature_for_chip(&e.signature.image.bytes)?;
    let dg7 = biometric::encode_dg7(&signature_png)?;
    let fingers = dg3::choose(&e.fingers);
    let dg3 = dg3::encode(&fingers)?;
    let groups = DATA_GROUPS;
    let com = encode_com(&groups)?;

    let budget = EEPROM_BYTES - RESERVE_BYTES - MARKER_BYTES;
    let fixed = [
        com.len(),
        holder_files.dg1.len(),
        dg3.len(),
        dg7.len(),
        holder_files.dg11.len(),
        holder_files.dg12.len(),
        sod_len(signer, groups.len())?,
    ]
    .iter()
    .map(|l| l + FILE_OVERHEAD_BYTES)
    .sum::<usize>()
        + FILE_OVERHEAD_BYTES; // DG2's own overhead
    let left = budget.checked_sub(fixed).ok_or(BuildError::OverBudget {
        needed: fixed + MARKER_BYTES,
        budget: budget + MARKER_BYTES,
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
    let sod = sod::sign(
        signer,
        &[
            (1, &holder_files.dg1),
            (2, &dg2),
            (3, &dg3),
            (7, &dg7),
            (11, &holder_files.dg11),
            (12, &holder_files.dg12),
        ],
    )
    .map_err(|e| BuildError::Sign(e.to_string()))?;
    let profile = ChipProfile {
        files: vec![
            (EF_COM, com),
            (DG1, holder_files.dg1),
            (DG2, dg2),
            (DG3, dg3),
            (DG7, dg7),
            (DG11, holder_files.dg11),
            (DG12, holder_files.dg12),
            (EF_SOD, sod),
        ],
        portrait: choice,
        fingers: fingers.views.iter().map(|v| v.position).collect(),
    };
    let needed = profile.eeprom_bytes() + MARKER_BYTES;
    if needed > budget + MARKER_BYTES {
        return Err(BuildError::OverBudget {
            needed,
            budget: budget + MARKER_BYTES,
        });
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
/// structure only: [`verify`] does passive authentication.
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
    let holder = dg1::decode(get(&files, DG1)?, get(&files, DG11)?, get(&files, DG12)?)?;
    let mrz =
        ktpel_icao_lds::lds::decode_dg1(get(&files, DG1)?).map_err(|e| ProfileError::BadField {
            fid: DG1,
            field: "MRZ",
            reason: e.to_string(),
        })?;
    let portrait = biometric::decode_dg2(get(&files, DG2)?)?;
    let fingers = if present.contains(&3) {
        Some(dg3::decode(get(&files, DG3)?)?)
    } else {
        None
    };
    let signature = biometric::decode_dg7(get(&files, DG7)?)?;
    // EF.SOD must be a SignedData over an LDSSecurityObject; its signature and hashes are
    // passive authentication's business.
    sod::parse(get(&files, EF_SOD)?).map_err(|reason| ProfileError::BadField {
        fid: EF_SOD,
        field: "EF.SOD",
        reason,
    })?;
    Ok(DecodedProfile {
        com,
        holder,
        mrz,
        portrait,
        fingers,
        signature,
    })
}

/// Passive authentication of a profile (Doc 9303 part 11) against the trusted country signing
/// CA `csca` at time `now`: the document signer certificate chains to it and is valid, EF.SOD's
/// signature verifies, every data group on the card matches its hash and every listed group is
/// on the card; then every file must decode.
pub fn verify(
    files: &[(u16, Vec<u8>)],
    csca: &Certificate,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let indexed = index(files)?;
    let ef_sod = get(&indexed, EF_SOD)?;
    let groups: Vec<(u8, &[u8])> = indexed
        .iter()
        .filter_map(|(fid, bytes)| data_group(*fid).map(|g| (g.number, *bytes)))
        .collect();
    let chain = pa::verify(ef_sod, &groups, csca, now)?;
    let profile = decode(files)?;
    Ok(Verified { profile, chain })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
