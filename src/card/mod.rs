//! The card: the chip's 8 KB profile (data groups and security object) and the printed face.
//!
//! - [`profile::build`] makes the chip's files (ICAO Doc 9303 LDS1) from an approved
//!   enrollment (the centre does this on *print ready*); [`profile::decode`] reads them back and
//!   [`profile::verify`] runs passive authentication against the country signing CA. The
//!   layout is in `docs/card-profile.md`.
//! - [`face::render_front`] draws the KTP-el front at 300 dpi from the print-ready bundle.

pub mod biometric;
pub mod dg1;
pub mod dg3;
pub mod face;
mod font;
pub mod images;
pub mod profile;
mod reader;
/// The chip's BER-TLV codec: the one the encoder and the virtual card use too.
pub use ktpel_ber_tlv as tlv;

/// The document signer: an ECDSA P-256 key with its certificate from the country signing CA.
pub use ktpel_icao_lds::pki::KeyAndCertificate as DocumentSigner;

pub use profile::{
    build, decode, verify, BuildError, ChipProfile, DecodedProfile, ProfileError, Verified,
    VerifyError,
};
