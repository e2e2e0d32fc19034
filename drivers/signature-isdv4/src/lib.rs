//! Driver for Wacom ISDv4 serial pen digitizers (the protocol of the Linux kernel's
//! `wacom_w8001`) used as the booth's signature pad.
//!
//! - [`packet`]: 9-byte pen reports and the 11-byte query answer, with a streaming decoder
//!   that resynchronises on stray bytes.
//! - [`stroke`]: strokes from tip-down runs.
//! - [`state`]: the protocol state machine ([`Isdv4State`]).
//! - [`Isdv4Pad`]: the hal [`SignaturePad`](ktpel_hal::SignaturePad): stop, query (range),
//!   start; a signature is done when the pen has been away for
//!   [`Isdv4Config::done_after`] after at least one stroke; `clear` starts over.
//!
//! The strokes are rendered with `ktpel_hal::render_signature`, the renderer every pad driver
//! shares (this crate uses nothing else of the simulator crate).

mod driver;
mod error;
pub mod packet;
pub mod state;
pub mod stroke;

pub use driver::{other_speed, Command, Isdv4Config, Isdv4Pad, LineStats, STANDARD_SPEEDS};
pub use error::Isdv4Error;
pub use packet::{Capabilities, Packet, PacketDecoder, PenPacket};
pub use state::Isdv4State;
