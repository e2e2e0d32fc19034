//! The booth's hardware seam: one small trait per device kind, the capture types they return and
//! the error kinds the workflow and the self-test branch on.
//!
//! This crate does no I/O; besides the types, it holds the one pen-stroke renderer every pad
//! driver shares ([`render_signature`]). A driver crate implements these traits over its wire protocol; the
//! workflow only ever sees the traits. Every call is blocking: the booth runs device calls on
//! their own threads (see DESIGN.md), so a driver is free to block on a port or a reader.

mod capture;
mod error;
mod ink;
mod traits;

pub use capture::*;
pub use error::*;
pub use ink::render_signature;
pub use traits::*;
