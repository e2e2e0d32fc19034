//! The conversation with the module, one state per step (libfprint's `fpi-ssm` idea):
//!
//! ```text
//! Closed ──open──► Connected ──VfyPwd ok, ReadSysPara ok──► Ready
//! Ready ──capture──► AwaitingFinger ──GenImg 00──► ImageTaken ──UpImage 00──► Uploading ──08──► Ready
//! any ──port broken──► Closed            any ──other failure──► Connected (handshake again)
//! ```

use crate::sysparam::SysParams;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZfmState {
    /// No port open (not yet, or it broke: the next call reopens it).
    Closed,
    /// The port is open; the handshake has not been done (or must be redone after a failure).
    Connected,
    /// Password verified and parameters read: commands may be sent.
    Ready(SysParams),
    /// Polling `GenImg` for a finger.
    AwaitingFinger { polls: u32 },
    /// `GenImg` took an image into the module's buffer.
    ImageTaken,
    /// `UpImage` accepted; data packets are arriving.
    Uploading { packets: usize, bytes: usize },
}

impl ZfmState {
    pub fn name(&self) -> &'static str {
        match self {
            ZfmState::Closed => "closed",
            ZfmState::Connected => "connected",
            ZfmState::Ready(_) => "ready",
            ZfmState::AwaitingFinger { .. } => "awaiting_finger",
            ZfmState::ImageTaken => "image_taken",
            ZfmState::Uploading { .. } => "uploading",
        }
    }
}
