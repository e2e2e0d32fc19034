//! The chip profile's data groups, built by the centre from an approved enrollment and checked
//! by the booth against the security object.
//!
//! Interim layout (the issue "Chip encoding over real PC/SC" replaces the contents with the
//! byte-exact, 8 KB BER-TLV profile of `docs/card-profile.md`; the file ids and the SOD already
//! follow ICAO 9303): DG1 the KTP-el face fields as CBOR, DG2 the portrait JPEG, DG7 the
//! signature PNG.

use crate::enrollment::Enrollment;

pub const EF_COM: u16 = 0x011E;
pub const DG1: u16 = 0x0101;
pub const DG2: u16 = 0x0102;
pub const DG3: u16 = 0x0103;
pub const DG7: u16 = 0x0107;
pub const EF_SOD: u16 = 0x011D;

#[derive(Debug, thiserror::Error)]
#[error("data group {fid:04X} could not be encoded: {message}")]
pub struct ProfileError {
    pub fid: u16,
    pub message: String,
}

/// The data groups of `e`, in file-id order.
pub fn data_groups(e: &Enrollment) -> Result<Vec<(u16, Vec<u8>)>, ProfileError> {
    let mut dg1 = Vec::new();
    ciborium::into_writer(&e.resident, &mut dg1).map_err(|err| ProfileError {
        fid: DG1,
        message: err.to_string(),
    })?;
    Ok(vec![
        (DG1, dg1),
        (DG2, e.face.image.bytes.clone()),
        (DG7, e.signature.image.bytes.clone()),
    ])
}
