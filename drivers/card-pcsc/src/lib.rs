//! PC/SC chip encoder: puts any set of ISO/IEC 7816-4 transparent files on a card through any
//! reader, reads every byte back, and reads files off a card.
//!
//! Two halves, neither of which knows the card *profile* (which bytes go in DG1, DG2, ... is
//! the booth's business):
//!
//! - [`PcscEncoder`] — a [`ktpel_hal::CardEncoder`] over a real PC/SC reader through `pcscd`.
//! - [`write_files`] / [`read_files`] / [`card_state`] — the personaliser, generic over
//!   `&mut dyn CardEncoder`, so the simulated encoder of the default configuration
//!   (`ktpel_sim::SimCardEncoder`) runs the very same code as a real reader.
//!
//! # The reader ([`PcscEncoder`])
//!
//! - **Reader choice:** by its PC/SC name from [`PcscConfig::reader`], or the first reader
//!   pcscd offers. The PC/SC context is established lazily and again after pcscd restarts.
//! - **Waiting for a card** uses `SCardGetStatusChange` events, not polling. Another thread
//!   stops a wait with [`CancelHandle::cancel`] (`SCardCancel` underneath); a cancel that
//!   comes just before the wait starts is kept and honoured by it.
//! - **Connecting:** T=1 is asked for first (it carries extended APDUs and case-4 commands
//!   natively), T=0 when the card does not offer it. The card is held **exclusively**
//!   ([`Share`]): personalising relies on the card's *current file*, which another
//!   application's SELECT would move under our feet. The card is then reset, so the MF is
//!   current and nobody's security state is left over.
//! - **Extended length** (see `PcscEncoder::extended_length` in the source): short when the
//!   ATR's card capabilities say so, short when the reader's `SCARD_ATTR_MAXINPUT` is a short
//!   APDU; otherwise an extended `SELECT MF` is *tried* and only a `9000` turns extended
//!   APDUs on. ATR capabilities are optional and many drivers (vpcd among them) do not report
//!   MAXINPUT, so only the probe proves the whole path (driver, pcscd, card). The result is in
//!   [`ktpel_hal::CardInfo`]: `extended_length`, `max_command_data`, `max_response_data`.
//! - **Errors** map onto hal kinds ([`map_error`]): pcscd not running → `NotPresent`
//!   ("pcscd is not running"); no reader / no card → `NotPresent`; card removed or reset →
//!   `Disconnected`; another application holds the card → `Busy`; mute card → `BadData` at
//!   connect. A failed exchange waits up to 1.5 s for the reader to report the card gone:
//!   then `Disconnected` (pulled mid-command), else `Timeout` (the card did not answer).
//! - **Release** lets the card go without a reset (the next connection resets it).
//!
//! # The personaliser ([`write_files`])
//!
//! First a SELECT of the ICAO LDS1 application by its AID (`A0 00 00 02 47 10 01`), where the
//! files live. Per file one CREATE FILE with an FCP of the file's size and its security
//! attributes (`62 12 82 01 01 83 02 fid 80 02 size 8C 05 47 FF FF FF 00`: read always,
//! update, write and delete never), which also makes it current, then UPDATE BINARY in chunks of the largest command
//! the card and reader take (extended APDUs when both do; each APDU uses the short encoding
//! whenever its lengths fit). Then per file a SELECT and READ BINARY in chunks of the largest
//! response, compared byte for byte. Progress (phase, bytes done / total) after every APDU
//! that moves data; a [`CancelFlag`] checked before every APDU.
//!
//! **Blank, partial, personalised, foreign.** Two one-byte marker EFs of the booth's own
//! ([`BEGIN_MARKER_FID`] created first — its CREATE is also the probe — and
//! [`COMMIT_MARKER_FID`] created last, after verification) tell them apart with two APDUs per
//! card: no begin marker → blank; begin marker only → partially written by us (torn,
//! cancelled, failed), overwritten by the next attempt without the operator doing anything;
//! both → personalised, refused with [`ChipError::AlreadyPersonalised`] unless
//! [`WriteOptions::reissue`]. A card that already holds one of the files but no begin marker
//! is someone else's: refused with [`ChipError::ForeignCard`] and left as it was. A card that
//! refuses CREATE FILE (no ISO file system, locked) gives [`ChipError::Unsupported`]; a full
//! one [`ChipError::CardFull`] (6A84). A card pulled mid-way gives [`ChipError::CardRemoved`]:
//! the enrollment must stay "not issued".
//!
//! **Locked after issuance.** After the commit marker, ACTIVATE FILE puts the application in
//! its operational life-cycle state, where the card enforces the attributes; the personaliser
//! then proves an UPDATE BINARY is refused (6982) or fails with [`ChipError::NotLocked`]. A
//! tear before the ACTIVATE leaves a partial card the next attempt overwrites; a card found
//! locked is spent ([`ChipError::CardLocked`]) and only a new card can be issued.
//!
//! **APDU count.** [`WriteReport`] gives the APDUs sent and [`min_apdus`], the fewest any
//! writer needs for these files and lengths (SELECT of the application, per file CREATE +
//! ⌈size/Lc⌉ UPDATE + SELECT + ⌈size/Le⌉ READ, ACTIVATE, SELECT and the refused UPDATE); the
//! personaliser adds the two markers and nothing else on a blank card.
//!
//! # Privacy
//!
//! No log line, `Debug` output or error message carries file contents: file identifiers,
//! sizes, instruction bytes and status words only. ATRs and reader names are not personal.
//!
//! # Testing
//!
//! Unit tests run the personaliser against `ktpel_sim`'s in-process `ktpel_sim::VirtualCard`.
//! `tests/pcscd.rs` runs everything under a real `pcscd` with vsmartcard's `vpcd` reader
//! driver and the virtual card on the vpcd socket (`ktpel_sim::vpcd`); Debian packages
//! `pcscd libpcsclite-dev vsmartcard-vpcd` (and `pkg-config`, which finds libpcsclite at
//! build time). `benches/encode.rs` prints APDU counts and timings.

pub mod apdu;
pub mod atr;
mod encoder;
mod error;
mod personalise;

pub use encoder::{map_error, CancelHandle, ExtendedLength, PcscConfig, PcscEncoder, Share};
pub use error::ChipError;
pub use personalise::{
    card_state, min_apdus, read_files, write_files, CancelFlag, CardState, Limits, Phase, Progress,
    WriteOptions, WriteReport, BEGIN_MARKER_FID, COMMIT_MARKER_FID, FIXED_MIN_APDUS, MAX_FILE_SIZE,
};
