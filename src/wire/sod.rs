//! The chip profile on the wire: the centre turns a built [`ChipProfile`] into the files of a
//! print-ready bundle, and the booth runs passive authentication on those files against the
//! trusted country signing CA before it keeps the bundle (and again, through
//! [`crate::card::verify`], on a card a citizen brings back). EF.SOD itself is a CMS
//! SignedData built by `ktpel_icao_lds::sod`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::centre::{DataGroupFile, SignedSod};
use crate::card::profile::{ChipProfile, Verified, VerifyError, EF_SOD};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SodError {
    #[error("file {fid:04X} of the bundle is not valid base64")]
    Base64 { fid: u16 },
    #[error("EF.SOD travels in its own field, not among the data groups")]
    MisplacedSod,
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

/// The files of `profile` as a bundle carries them: every file but EF.SOD, and EF.SOD.
pub fn to_bundle(profile: &ChipProfile) -> (Vec<DataGroupFile>, SignedSod) {
    let mut groups = Vec::with_capacity(profile.files.len());
    let mut sod = SignedSod {
        ef_sod_b64: String::new(),
    };
    for (fid, data) in &profile.files {
        if *fid == EF_SOD {
            sod.ef_sod_b64 = B64.encode(data);
        } else {
            groups.push(DataGroupFile {
                fid: *fid,
                contents_b64: B64.encode(data),
            });
        }
    }
    (groups, sod)
}

/// The chip's files from a bundle, in writing order (EF.SOD last).
pub fn files(sod: &SignedSod, groups: &[DataGroupFile]) -> Result<Vec<(u16, Vec<u8>)>, SodError> {
    let mut out = Vec::with_capacity(groups.len() + 1);
    for g in groups {
        if g.fid == EF_SOD {
            return Err(SodError::MisplacedSod);
        }
        let data = B64
            .decode(&g.contents_b64)
            .map_err(|_| SodError::Base64 { fid: g.fid })?;
        out.push((g.fid, data));
    }
    let sod = B64
        .decode(&sod.ef_sod_b64)
        .map_err(|_| SodError::Base64 { fid: EF_SOD })?;
    out.push((EF_SOD, sod));
    Ok(out)
}

/// Checks a bundle's chip files by passive authentication at time `now`: the document signer
/// chains to `trusted_csca`, EF.SOD's signature and every data group's hash verify, every file
/// is well-formed.
pub fn verify(
    sod: &SignedSod,
    trusted_csca: &ktpel_icao_lds::Certificate,
    now: std::time::SystemTime,
    groups: &[DataGroupFile],
) -> Result<Verified, SodError> {
    let files = files(sod, groups)?;
    Ok(crate::card::verify(&files, trusted_csca, now)?)
}
