//! Driver for the R30x / ZFM / AS608 family of serial optical fingerprint modules, speaking
//! their public packet protocol (`EF 01` frames; see REFERENCE.md, "Serial devices").
//!
//! - [`frame`]: the framing and a streaming decoder that resynchronises on line noise.
//! - [`codes`]: instructions and confirmation codes, each code mapped to a message and a hal
//!   [`ErrorKind`](ktpel_hal::ErrorKind).
//! - [`state`]: the protocol state machine ([`ZfmState`]).
//! - [`ZfmScanner`]: the hal [`FingerprintScanner`](ktpel_hal::FingerprintScanner) — handshake
//!   (`VfyPwd`, `ReadSysPara`), `GenImg` polling until a finger is present, `UpImage` data
//!   packets reassembled into the 256 × 288 grey image, and a quality estimate of its own.
//!
//! The driver knows wires only. A broken port closes the driver's side; the next call opens
//! the configured path again, so a module that is plugged back in is picked up.

pub mod codes;
mod driver;
mod error;
pub mod frame;
pub mod image;
mod link;
pub mod state;
pub mod sysparam;

pub use codes::{Confirmation, Instruction};
pub use driver::{ZfmConfig, ZfmScanner};
pub use error::ZfmError;
pub use frame::{Frame, FrameDecoder, FrameError, PacketId};
pub use state::ZfmState;
pub use sysparam::SysParams;
