//! The tus 1.0.0 resumable-upload protocol (<https://tus.io/protocols/resumable-upload>), the
//! core protocol with the creation, checksum and termination extensions.
//!
//! - [`client`]: a client over `reqwest`: creation (`POST` with `Upload-Length` and
//!   `Upload-Metadata`), `HEAD` for the offset, chunked `PATCH`es with `Upload-Offset` and a
//!   checksum per chunk, and resumption from the server's offset. Every answer is checked
//!   before it is believed; a wrong offset, a checksum refusal, an offset beyond what was sent
//!   and an answer that is not tus are each a distinct [`client::TusError`].
//! - [`server`]: a storage-agnostic state machine ([`server::TusServer`]) over an
//!   [`server::UploadStore`], a hook called with the whole upload before its last bytes are
//!   acknowledged ([`server::Completion`]), and an axum router to mount. The router keeps what
//!   arrived of a `PATCH` the connection cut (so one request per upload loses nothing to a
//!   cut), the whole upload is checked against a checksum in its metadata before completion,
//!   completed uploads lose their bytes and idle ones expire.
//!
//! Idempotency: a server configured with an idempotency metadata key (the booth uses
//! `packet-id`) derives the upload id from that key, so creating the same upload twice answers
//! the same URL and its current offset.

pub mod proto;

#[cfg(feature = "client")]
pub mod client;

#[cfg(feature = "server")]
pub mod server;

pub use proto::{Algorithm, Metadata, TUS_VERSION};
