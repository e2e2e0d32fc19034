//! The client's errors, each mapped to the hal [`ErrorKind`].

use crate::codes::SbiCode;
use crate::iso::IsoError;
use crate::jws::JwsError;
use ktpel_hal::{DeviceError, ErrorKind};
use std::time::Duration;

/// What went wrong talking to an SBI device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SbiError {
    #[error("nothing answers on 127.0.0.1:{port} ({during}): is the device service running?")]
    Unreachable { port: u16, during: &'static str },
    #[error("the SBI device on port {port} did not answer {during} within {} ms", after.as_millis())]
    Timeout {
        port: u16,
        during: &'static str,
        after: Duration,
    },
    #[error("HTTP failed talking to port {port} during {during}: {reason}")]
    Http {
        port: u16,
        during: &'static str,
        reason: String,
    },
    #[error("the SBI device on port {port} answered {during} with HTTP status {status}")]
    Status {
        port: u16,
        during: &'static str,
        status: u16,
    },
    #[error("the SBI device on port {port} sent unreadable JSON for {during}: {reason}")]
    Json {
        port: u16,
        during: &'static str,
        reason: String,
    },
    /// The device answered with an SBI error code.
    #[error("{during} refused (code {}): {} (device says: {info})", code.code(), code.describe())]
    Device {
        during: &'static str,
        code: SbiCode,
        info: String,
    },
    #[error("the {what} signature is not valid: {source}")]
    Signature {
        what: &'static str,
        #[source]
        source: JwsError,
    },
    #[error(
        "the device certificate {fingerprint} is not one this booth trusts: add it to the \
         device's pinned certificates or use a registered device"
    )]
    Untrusted { fingerprint: String },
    #[error("the device certificate {fingerprint} is outside its validity period")]
    CertificateExpired { fingerprint: String },
    #[error(
        "{what} is signed with certificate {got}, but the device identified itself with \
         {expected}"
    )]
    CertificateMismatch {
        what: &'static str,
        expected: String,
        got: String,
    },
    #[error(
        "the hash chain is broken at biometric {index} ({sub_type}): the device sent \
         {got}, expected {expected}"
    )]
    HashChain {
        index: usize,
        sub_type: String,
        expected: String,
        got: String,
    },
    #[error("the {what} in the capture is not a usable ISO record: {source}")]
    Iso {
        what: String,
        #[source]
        source: IsoError,
    },
    #[error("the capture answer is inconsistent: {0}")]
    Inconsistent(String),
    #[error("no {wanted} device on port {port}")]
    NoSuchDevice { port: u16, wanted: String },
    #[error("no {wanted} device found on ports {first}–{last}")]
    NotFound {
        wanted: String,
        first: u16,
        last: u16,
    },
    #[error("the device is {status}: {}", describe_status(status))]
    NotUsable { status: String },
    #[error("the preview stream from port {port} failed: {reason}")]
    Stream { port: u16, reason: String },
    #[error("the SBI client cannot start its I/O runtime: {0}")]
    Runtime(String),
}

fn describe_status(status: &str) -> &'static str {
    match crate::wire::DeviceStatus::parse(status).refusal() {
        Some(code) => code.describe(),
        None => "it cannot capture",
    }
}

impl SbiError {
    /// The hal kind: what the workflow and the self-test branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SbiError::Unreachable { .. } => ErrorKind::Disconnected,
            SbiError::Timeout { .. } => ErrorKind::Timeout,
            SbiError::Http { .. } => ErrorKind::Disconnected,
            SbiError::Status { .. }
            | SbiError::Json { .. }
            | SbiError::Signature { .. }
            | SbiError::CertificateMismatch { .. }
            | SbiError::HashChain { .. }
            | SbiError::Iso { .. }
            | SbiError::Inconsistent(_) => ErrorKind::BadData,
            SbiError::Device { code, .. } => code.kind(),
            SbiError::Untrusted { .. } | SbiError::CertificateExpired { .. } => {
                ErrorKind::NeedsAttention
            }
            SbiError::NoSuchDevice { .. } | SbiError::NotFound { .. } => ErrorKind::NotPresent,
            SbiError::NotUsable { status } => {
                match crate::wire::DeviceStatus::parse(status).refusal() {
                    Some(code) => code.kind(),
                    None => ErrorKind::Other,
                }
            }
            SbiError::Stream { .. } => ErrorKind::Disconnected,
            SbiError::Runtime(_) => ErrorKind::Other,
        }
    }

    /// The SBI code, when the device sent one.
    pub fn code(&self) -> Option<SbiCode> {
        match self {
            SbiError::Device { code, .. } => Some(*code),
            SbiError::NotUsable { status } => crate::wire::DeviceStatus::parse(status).refusal(),
            _ => None,
        }
    }
}

impl From<SbiError> for DeviceError {
    fn from(e: SbiError) -> Self {
        DeviceError::new(e.kind(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_codes_keep_their_kind_and_message() {
        let e = SbiError::Device {
            during: "RCAPTURE",
            code: SbiCode::Busy,
            info: "Device Busy".into(),
        };
        let d = DeviceError::from(e);
        assert_eq!(d.kind, ErrorKind::Busy);
        assert!(d.message.contains("111"), "{}", d.message);
        assert!(d.message.contains("busy"), "{}", d.message);
    }

    #[test]
    fn statuses_map_like_their_codes() {
        let busy = SbiError::NotUsable {
            status: "Busy".into(),
        };
        assert_eq!(busy.kind(), ErrorKind::Busy);
        let not_ready = SbiError::NotUsable {
            status: "Not Ready".into(),
        };
        assert_eq!(not_ready.kind(), ErrorKind::NeedsAttention);
        assert_eq!(not_ready.code(), Some(SbiCode::NotReady));
        assert!(not_ready.to_string().contains("not ready"));
    }
}
