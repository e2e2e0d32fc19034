//! The conversation with the pad, one state per step:
//!
//! ```text
//! Closed ──open──► Stopped ──'0', '*' answered──► Idle(caps) ──'1'──► Streaming(caps)
//! Streaming ──clear: '0'──► Idle          any ──port broken──► Closed
//! ```

use crate::packet::Capabilities;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isdv4State {
    /// No port open (not yet, or it broke: the next call reopens it).
    Closed,
    /// The port is open; the pad's range is not known yet.
    Stopped,
    /// The pad answered the query and is not reporting.
    Idle(Capabilities),
    /// The pad reports the pen.
    Streaming(Capabilities),
}

impl Isdv4State {
    pub fn capabilities(&self) -> Option<Capabilities> {
        match self {
            Isdv4State::Idle(c) | Isdv4State::Streaming(c) => Some(*c),
            Isdv4State::Closed | Isdv4State::Stopped => None,
        }
    }
}
