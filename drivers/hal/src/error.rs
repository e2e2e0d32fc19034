//! The shared error vocabulary of every device.

use std::fmt;

/// What went wrong with a device, in the terms the workflow and the technician act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The device did not answer in time.
    Timeout,
    /// The device was there and went away (cable pulled, port closed, card removed).
    Disconnected,
    /// Nothing to work on: no finger on the glass, no card in the reader, no device found.
    NotPresent,
    /// The device answered, but with something that could not be understood or was unusable.
    BadData,
    /// The device is doing something else; try again shortly.
    Busy,
    /// A person must act before it can go on: paper out, cover open, no blank cards.
    NeedsAttention,
    /// The device refused the password, PIN or key it was given: the config must hold the
    /// device's (a fingerprint module's password).
    AccessDenied,
    /// Anything else; the message says what.
    Other,
}

impl ErrorKind {
    /// A stable machine-readable name (used in JSON self-test reports and translations).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Disconnected => "disconnected",
            ErrorKind::NotPresent => "not_present",
            ErrorKind::BadData => "bad_data",
            ErrorKind::Busy => "busy",
            ErrorKind::NeedsAttention => "needs_attention",
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::Other => "other",
        }
    }

    /// Whether repeating the same call later can reasonably succeed without a person acting.
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorKind::Timeout | ErrorKind::Busy)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A device error: the kind to branch on and a message for people (never personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct DeviceError {
    pub kind: ErrorKind,
    pub message: String,
}

impl DeviceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }
    pub fn disconnected(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Disconnected, message)
    }
    pub fn not_present(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotPresent, message)
    }
    pub fn bad_data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadData, message)
    }
    pub fn busy(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Busy, message)
    }
    pub fn needs_attention(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NeedsAttention, message)
    }
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }
}

pub type DeviceResult<T> = Result<T, DeviceError>;
