//! MOSIP SBI 0.9.5 (Secure Biometric Interface, formerly MDS): a client for biometric device
//! services on 127.0.0.1:4501–4600, hal adapters so such devices can fill the booth's
//! fingerprint, iris and camera roles, and a device simulator speaking the same protocol.
//!
//! - [`client`]: discovery (`MOSIPDISC`, all ports at once within 5 s), verified device info
//!   (`MOSIPDINFO`, RS256 JWS against the `x5c` certificate), registration captures
//!   (`RCAPTURE`: signatures, transaction, ISO record, hash chain and quality checked; retries
//!   to a threshold) and the preview (`STREAM`, M-JPEG). Blocking calls; the I/O runs on one
//!   small shared tokio runtime.
//! - [`adapters`]: [`SbiFingerprintScanner`] (slap ↔ one finger at a time),
//!   [`SbiIrisScanner`], [`SbiCamera`], configured by [`SbiParams`] (`driver = "sbi"`).
//! - [`sim`]: the simulator ([`sim::SimHandle`] in tests, [`sim::run`] for the CLI).
//! - Pieces: [`codes`] (every SBI error code → message and hal `ErrorKind`), [`wire`] (JSON
//!   bodies), [`jws`], [`chain`] (hash chain), [`iso`] (ISO/IEC 19794-4/-5/-6 records),
//!   [`mjpeg`] (multipart stream).
//!
//! Nothing here logs biometric data: captures are logged by count, sizes and scores only.

pub mod adapters;
pub mod b64;
pub mod chain;
pub mod client;
pub mod codes;
pub mod error;
pub mod iso;
pub mod jws;
pub mod mjpeg;
mod runtime;
#[cfg(feature = "sim")]
pub mod sim;
pub mod wire;

pub use adapters::{scan, SbiCamera, SbiConfig, SbiFingerprintScanner, SbiIrisScanner, SbiParams};
pub use chain::HashChain;
pub use client::{CertTrust, ClientConfig, QualityPolicy, SbiClient, SbiDevice, Trust};
pub use codes::SbiCode;
pub use error::SbiError;
