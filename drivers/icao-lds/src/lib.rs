//! ICAO Doc 9303 LDS1 for the KTP-el chip: the files a standard reader expects and passive
//! authentication as parts 10–12 define it.
//!
//! - [`lds`]: EF.COM (LDS 0107, Unicode 040000), DG1 (a TD1 [`mrz`]), DG2 (portrait in an
//!   ISO/IEC 19794-5 record), DG11 and DG12;
//! - [`pki`]: the country signing CA and the document signer (ECDSA P-256, part 12 profiles);
//! - [`sod`]: EF.SOD, a CMS SignedData over an LDSSecurityObject with SHA-256 hashes;
//! - [`pa`]: passive authentication with one error per failed check.

pub mod lds;
pub mod mrz;
pub mod pa;
pub mod pki;
pub mod sod;
pub mod tlv;

/// The LDS1 eMRTD application identifier (part 10, 3.1).
pub const LDS1_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// File identifiers (part 10, 4.6 and 4.7).
pub const EF_COM: u16 = 0x011E;
pub const EF_SOD: u16 = 0x011D;
/// The file id of data group `dg` (1–16): `01` followed by the number.
pub const fn dg_fid(dg: u8) -> u16 {
    0x0100 | dg as u16
}

pub use x509_cert::Certificate;
