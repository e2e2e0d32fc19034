//! The driver's errors and how each maps to the hal's [`ErrorKind`].

use crate::codes::{Confirmation, Instruction};
use crate::frame::FrameError;
use ktpel_hal::{DeviceError, ErrorKind};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ZfmError {
    #[error("cannot open fingerprint module port {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: serialport::Error,
    },
    #[error("fingerprint module port failed during {during}: {source}")]
    Io {
        during: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("fingerprint module did not answer {during} within {} ms", after.as_millis())]
    NoAnswer {
        during: &'static str,
        after: Duration,
    },
    #[error("bad packet from the fingerprint module during {during}: {source}")]
    Frame {
        during: &'static str,
        #[source]
        source: FrameError,
    },
    #[error("unexpected {what} from the fingerprint module during {during}")]
    Unexpected { during: &'static str, what: String },
    #[error("{} refused with code {:02X}: {}", instruction.name(), code.code(), code.describe())]
    Refused {
        instruction: Instruction,
        code: Confirmation,
    },
    #[error("no finger on the sensor within {0:?}: ask the applicant to press the finger flat")]
    NoFinger(Duration),
    #[error("image from the module has {got} bytes, expected {expected}")]
    ImageSize { got: usize, expected: usize },
}

impl ZfmError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ZfmError::Open { .. } | ZfmError::Io { .. } => ErrorKind::Disconnected,
            ZfmError::NoAnswer { .. } | ZfmError::NoFinger(_) => ErrorKind::Timeout,
            ZfmError::Frame { .. } | ZfmError::Unexpected { .. } | ZfmError::ImageSize { .. } => {
                ErrorKind::BadData
            }
            ZfmError::Refused { code, .. } => code.kind(),
        }
    }
}

impl From<ZfmError> for DeviceError {
    fn from(e: ZfmError) -> Self {
        let message = match &e {
            ZfmError::Refused {
                code: Confirmation::WrongPassword,
                ..
            } => format!("{e}: set the module's password in the booth configuration"),
            _ => e.to_string(),
        };
        DeviceError::new(e.kind(), message)
    }
}
