//! What can go wrong while personalising or reading a chip.

use crate::apdu::sw;
use ktpel_hal::{DeviceError, ErrorKind};

/// A personalisation or read failure, saying what the operator can do about it. `Clone` so it
/// can travel in a UI message. Never carries file contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChipError {
    /// The card left the reader (or was reset by someone else) in the middle of the work. A
    /// write is then incomplete: the card is *not* issued. Encoding it again (or a fresh card)
    /// succeeds: a partial personalisation is detected and overwritten.
    #[error("the card was removed from the reader during {during}: it is not issued; put it (or a new card) back and encode again ({source})")]
    CardRemoved {
        during: &'static str,
        source: DeviceError,
    },
    /// The card already carries a complete personalisation by this booth; only a deliberate
    /// re-issue may overwrite it.
    #[error("this card is already personalised; choose re-issue to overwrite it")]
    AlreadyPersonalised,
    /// The card's personalisation was closed (its LDS1 application is operational): nothing
    /// on it can be written again, not even by a re-issue. The card is spent: count it and
    /// use a new one.
    #[error("this card is locked (issued and closed for writing, SW 6982): it cannot be written again; count it as spent and use a new card")]
    CardLocked,
    /// After closing personalisation the card still accepted an UPDATE BINARY: it does not
    /// enforce its access conditions and must not be issued.
    #[error("the card still accepts writes after personalisation was closed (UPDATE BINARY answered {sw:04X}): it must not be issued")]
    NotLocked { sw: u16 },
    /// The card has no ICAO LDS1 application (SELECT by AID A0000002471001 failed).
    #[error("the card has no ICAO LDS1 application (SELECT A0000002471001 answered {sw:04X}): it is not a KTP-el blank")]
    NoApplication { sw: u16 },
    /// The card holds a file this booth did not write (no personalisation marker before it):
    /// it is not a blank card of ours, and it was left as it was.
    #[error("this card already holds file {fid:04X}, which this booth did not write: it is not a blank KTP-el card (nothing was changed on it)")]
    ForeignCard { fid: u16 },
    /// The card does not accept the file-system commands the booth needs (no ISO/IEC 7816-4
    /// file system, or creation forbidden).
    #[error("the card refuses to {step} (SW {sw:04X}, {}): it is not a card this booth can personalise", sw::describe(*sw))]
    Unsupported { step: &'static str, sw: u16 },
    /// The card's EEPROM cannot hold the file (6A84).
    #[error("the card is full: no room for file {fid:04X} of {size} bytes (SW 6A84); use a card with more memory")]
    CardFull { fid: u16, size: usize },
    /// A command was answered with a status word the step cannot go on with.
    #[error("the card answered SW {sw:04X} ({}) to {step} of file {fid:04X}", sw::describe(*sw))]
    Status {
        step: &'static str,
        fid: u16,
        sw: u16,
    },
    /// The card answered something that is not a response APDU.
    #[error("the card's answer to {step} is malformed: {detail}")]
    BadResponse { step: &'static str, detail: String },
    /// Reading back did not give what was written.
    #[error("verification failed: file {fid:04X} differs from what was written at byte {offset}; encode again")]
    VerifyMismatch { fid: u16, offset: usize },
    /// A file asked for is not on the card.
    #[error("file {fid:04X} is not on the card")]
    FileNotFound { fid: u16 },
    /// The caller's files cannot be written as given.
    #[error("cannot write these files: {0}")]
    InvalidFiles(String),
    /// The work was cancelled between two APDUs (the card may be partly written; encoding
    /// again overwrites it).
    #[error("cancelled")]
    Cancelled,
    /// The reader failed otherwise (time-out, busy, no card, ...).
    #[error("card reader: {0}")]
    Device(DeviceError),
}

impl ChipError {
    /// The hal kind to branch on (the self-test and the UI speak hal kinds).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ChipError::CardRemoved { .. } => ErrorKind::Disconnected,
            ChipError::AlreadyPersonalised
            | ChipError::CardLocked
            | ChipError::NotLocked { .. }
            | ChipError::NoApplication { .. }
            | ChipError::ForeignCard { .. }
            | ChipError::Unsupported { .. }
            | ChipError::CardFull { .. } => ErrorKind::NeedsAttention,
            ChipError::Status { .. }
            | ChipError::BadResponse { .. }
            | ChipError::VerifyMismatch { .. }
            | ChipError::FileNotFound { .. } => ErrorKind::BadData,
            ChipError::InvalidFiles(_) | ChipError::Cancelled => ErrorKind::Other,
            ChipError::Device(e) => e.kind,
        }
    }

    /// Whether the card left the reader mid-way (the enrollment stays "not issued").
    pub fn is_card_removed(&self) -> bool {
        matches!(self, ChipError::CardRemoved { .. })
    }
}

impl From<ChipError> for DeviceError {
    fn from(e: ChipError) -> Self {
        match e {
            ChipError::Device(d) => d,
            other => DeviceError::new(other.kind(), other.to_string()),
        }
    }
}
