//! The driver's errors and how each maps to the hal's [`ErrorKind`].

use ktpel_hal::{DeviceError, ErrorKind};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum Isdv4Error {
    #[error("cannot open signature pad port {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: serialport::Error,
    },
    #[error("signature pad port failed during {during}: {source}")]
    Io {
        during: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("signature pad did not answer the query within {} ms", .0.as_millis())]
    NoAnswer(Duration),
    #[error(
        "signature pad did not answer the query at {} or at {} baud (within {} ms each): check \
         the port, the cable and the pad's power",
        tried[0], tried[1], after.as_millis()
    )]
    Silent { tried: [u32; 2], after: Duration },
    #[error("signature pad sent an incomplete query answer ({got} of 11 bytes)")]
    ShortAnswer { got: usize },
    #[error("signature pad reports an unusable range {max_x}x{max_y}, pressure {max_pressure}")]
    BadRange {
        max_x: u16,
        max_y: u16,
        max_pressure: u16,
    },
    #[error("nothing was signed within {0:?}")]
    NoSignature(Duration),
    #[error("signature could not be rendered: {0}")]
    Render(DeviceError),
}

impl Isdv4Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Isdv4Error::Open { .. } | Isdv4Error::Io { .. } => ErrorKind::Disconnected,
            Isdv4Error::NoAnswer(_) | Isdv4Error::Silent { .. } | Isdv4Error::NoSignature(_) => {
                ErrorKind::Timeout
            }
            Isdv4Error::ShortAnswer { .. } | Isdv4Error::BadRange { .. } => ErrorKind::BadData,
            Isdv4Error::Render(e) => e.kind,
        }
    }
}

impl From<Isdv4Error> for DeviceError {
    fn from(e: Isdv4Error) -> Self {
        DeviceError::new(e.kind(), e.to_string())
    }
}
