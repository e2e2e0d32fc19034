//! The population domain: regions, NIK, KK number, the resident's KTP-el data and the
//! synthetic population used by the simulators and tests.

pub mod kk;
pub mod nik;
pub mod number;
pub mod numbers;
pub mod population;
pub mod region;
pub mod resident;

pub use kk::{KkError, KkNumber, KkPart};
pub use nik::{today_in_jakarta, Nik, NikError, NikPart, Sex};
pub use region::{Province, RegencyKind, RegionCode, RegionError};
pub use resident::{BloodType, MaritalStatus, Religion, Resident};
