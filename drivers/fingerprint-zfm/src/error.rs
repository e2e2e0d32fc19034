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
    /// The port opened but the module said nothing to the handshake. A module answers only
    /// packets for its own address and only at its own speed (R30x manual: a packet for
    /// another address is not acknowledged); a module expecting another password may also
    /// stay mute on modules that take no command before the handshake.
    #[error(
        "fingerprint module on {path} is silent at {baud} baud to address {address:08X} \
         (within {} ms): check in [devices.fingerprint] the module's address (factory \
         0xFFFFFFFF), its password (factory 0) and its speed (baud, factory 57600)",
        after.as_millis()
    )]
    Silent {
        path: String,
        baud: u32,
        address: u32,
        after: Duration,
    },
    /// `VfyPwd` answered 0x13: the module has another password than the config's.
    #[error(
        "fingerprint module refused the password: set password in [devices.fingerprint] to the \
         module's (factory 0)"
    )]
    WrongPassword,
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
            ZfmError::NoAnswer { .. } | ZfmError::Silent { .. } | ZfmError::NoFinger(_) => {
                ErrorKind::Timeout
            }
            ZfmError::WrongPassword => ErrorKind::AccessDenied,
            ZfmError::Frame { .. } | ZfmError::Unexpected { .. } | ZfmError::ImageSize { .. } => {
                ErrorKind::BadData
            }
            ZfmError::Refused { code, .. } => code.kind(),
        }
    }
}

impl From<ZfmError> for DeviceError {
    fn from(e: ZfmError) -> Self {
        DeviceError::new(e.kind(), e.to_string())
    }
}
