//! The driver's errors and how each maps to the hal's [`ErrorKind`].

use ktpel_hal::{DeviceError, ErrorKind};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum EscposError {
    #[error("cannot reach the receipt printer ({target}): {source}")]
    Open {
        target: String,
        #[source]
        source: std::io::Error,
    },
    #[error("receipt printer connection failed during {during}: {source}")]
    Io {
        during: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("receipt printer did not answer the status query within {} ms", .0.as_millis())]
    NoStatus(Duration),
    #[error("receipt printer answered the status query with {0} byte(s) that are not status")]
    BadStatus(usize),
    #[error("receipt printer not ready, the receipt was not sent: {0}")]
    NotReady(&'static str),
    #[error("receipt printer stopped during the job, print the receipt again: {0}")]
    StoppedDuringJob(&'static str),
    #[error("QR payload of {0} bytes does not fit a QR code")]
    QrTooLong(usize),
    #[error("image {width}x{height} does not fit the paper ({max_width} dots wide)")]
    ImageSize {
        width: u32,
        height: u32,
        max_width: u32,
    },
}

impl EscposError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EscposError::Open { .. } | EscposError::Io { .. } => ErrorKind::Disconnected,
            EscposError::NoStatus(_) => ErrorKind::Timeout,
            EscposError::BadStatus(_) => ErrorKind::BadData,
            EscposError::NotReady(_) | EscposError::StoppedDuringJob(_) => {
                ErrorKind::NeedsAttention
            }
            EscposError::QrTooLong(_) | EscposError::ImageSize { .. } => ErrorKind::Other,
        }
    }
}

impl From<EscposError> for DeviceError {
    fn from(e: EscposError) -> Self {
        DeviceError::new(e.kind(), e.to_string())
    }
}
