//! The SBI 0.9.5 error codes, each with a plain English message and the hal
//! [`ErrorKind`] the workflow branches on.
//!
//! Codes 0 and 100–109 are the spec's table ("Error Codes"); 110 (not ready), 111 (busy) and
//! 112 (bad transaction id) are the later codes devices and MOSIP's mock service send
//! (REFERENCE.md); 5xx are the vendor's own, whose `errorInfo` is the only explanation.

use ktpel_hal::ErrorKind;
use std::fmt;

/// An `errorCode` as a device sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SbiCode {
    Success,
    NotRegistered,
    NoBiometricObject,
    ExtractionError,
    TamperDetected,
    ManagementServerUnreachable,
    OrientationError,
    DeviceNotFound,
    KeyExpired,
    DomainKeyMissing,
    CountNotSupported,
    NotReady,
    Busy,
    BadTransactionId,
    /// 500–599: the device provider's own error.
    Vendor(u16),
    /// Any other number (not in the spec).
    Unknown(u16),
}

impl SbiCode {
    /// The code for a number.
    pub fn from_code(code: u16) -> Self {
        match code {
            0 => SbiCode::Success,
            100 => SbiCode::NotRegistered,
            101 => SbiCode::NoBiometricObject,
            102 => SbiCode::ExtractionError,
            103 => SbiCode::TamperDetected,
            104 => SbiCode::ManagementServerUnreachable,
            105 => SbiCode::OrientationError,
            106 => SbiCode::DeviceNotFound,
            107 => SbiCode::KeyExpired,
            108 => SbiCode::DomainKeyMissing,
            109 => SbiCode::CountNotSupported,
            110 => SbiCode::NotReady,
            111 => SbiCode::Busy,
            112 => SbiCode::BadTransactionId,
            500..=599 => SbiCode::Vendor(code),
            other => SbiCode::Unknown(other),
        }
    }

    /// Parses the `errorCode` field (a string in the spec, a number in some devices).
    pub fn parse(text: &str) -> Option<Self> {
        text.trim().parse::<u16>().ok().map(Self::from_code)
    }

    /// The number on the wire.
    pub fn code(self) -> u16 {
        match self {
            SbiCode::Success => 0,
            SbiCode::NotRegistered => 100,
            SbiCode::NoBiometricObject => 101,
            SbiCode::ExtractionError => 102,
            SbiCode::TamperDetected => 103,
            SbiCode::ManagementServerUnreachable => 104,
            SbiCode::OrientationError => 105,
            SbiCode::DeviceNotFound => 106,
            SbiCode::KeyExpired => 107,
            SbiCode::DomainKeyMissing => 108,
            SbiCode::CountNotSupported => 109,
            SbiCode::NotReady => 110,
            SbiCode::Busy => 111,
            SbiCode::BadTransactionId => 112,
            SbiCode::Vendor(c) | SbiCode::Unknown(c) => c,
        }
    }

    pub fn is_success(self) -> bool {
        self == SbiCode::Success
    }

    /// What the code means and what to do about it, for the operator or the technician.
    pub fn describe(self) -> &'static str {
        match self {
            SbiCode::Success => "success",
            SbiCode::NotRegistered => {
                "the device is not registered with MOSIP: a technician must register it \
                 before it can be used"
            }
            SbiCode::NoBiometricObject => {
                "no finger, eye or face was detected: ask the applicant to place it on or \
                 in front of the device"
            }
            SbiCode::ExtractionError => {
                "the device failed while extracting the image: capture again"
            }
            SbiCode::TamperDetected => {
                "the device reports tampering: stop using it and call a technician"
            }
            SbiCode::ManagementServerUnreachable => {
                "the device cannot reach its management server: check the network, or call \
                 a technician"
            }
            SbiCode::OrientationError => {
                "the image is wrongly oriented: ask the applicant to place the hand or face \
                 straight and capture again"
            }
            SbiCode::DeviceNotFound => {
                "the device service runs but finds no device: check the device's cable"
            }
            SbiCode::KeyExpired => {
                "the device's signing key has expired: a technician must renew the device's \
                 registration"
            }
            SbiCode::DomainKeyMissing => {
                "the device has no key for this domain: a technician must configure it"
            }
            SbiCode::CountNotSupported => {
                "the device cannot capture the requested number of fingers or irises \
                 (check the exceptions sent)"
            }
            SbiCode::NotReady => {
                "the device is not ready: wait for it to finish starting, or check its cable"
            }
            SbiCode::Busy => "the device is busy with another capture: try again shortly",
            SbiCode::BadTransactionId => {
                "the device refused the transaction id (4 to 50 letters, digits or hyphens)"
            }
            SbiCode::Vendor(_) => "an error of the device's own (see the device's message)",
            SbiCode::Unknown(_) => "an error code the SBI specification does not define",
        }
    }

    /// The hal kind the workflow and the self-test branch on.
    pub fn kind(self) -> ErrorKind {
        match self {
            // Success is never turned into an error; `Other` keeps the match total.
            SbiCode::Success => ErrorKind::Other,
            SbiCode::NoBiometricObject | SbiCode::DeviceNotFound => ErrorKind::NotPresent,
            SbiCode::ExtractionError | SbiCode::OrientationError => ErrorKind::BadData,
            SbiCode::NotRegistered
            | SbiCode::TamperDetected
            | SbiCode::ManagementServerUnreachable
            | SbiCode::KeyExpired
            | SbiCode::DomainKeyMissing
            | SbiCode::NotReady => ErrorKind::NeedsAttention,
            SbiCode::Busy => ErrorKind::Busy,
            SbiCode::CountNotSupported
            | SbiCode::BadTransactionId
            | SbiCode::Vendor(_)
            | SbiCode::Unknown(_) => ErrorKind::Other,
        }
    }
}

impl fmt::Display for SbiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SBI error {}: {}", self.code(), self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_code_round_trips_and_has_a_message() {
        for code in (0..=112).filter(|c| *c == 0 || *c >= 100) {
            let sbi = SbiCode::from_code(code);
            assert_eq!(sbi.code(), code);
            assert!(!matches!(sbi, SbiCode::Unknown(_)), "{code} is a spec code");
            assert!(sbi.describe().len() > 5);
        }
        assert_eq!(SbiCode::from_code(503), SbiCode::Vendor(503));
        assert_eq!(SbiCode::from_code(42), SbiCode::Unknown(42));
    }

    #[test]
    fn kinds_follow_what_the_operator_must_do() {
        assert_eq!(SbiCode::Busy.kind(), ErrorKind::Busy);
        assert!(SbiCode::Busy.kind().is_transient());
        assert_eq!(SbiCode::NotReady.kind(), ErrorKind::NeedsAttention);
        assert_eq!(SbiCode::NotRegistered.kind(), ErrorKind::NeedsAttention);
        assert_eq!(SbiCode::NoBiometricObject.kind(), ErrorKind::NotPresent);
        assert_eq!(SbiCode::DeviceNotFound.kind(), ErrorKind::NotPresent);
        assert_eq!(SbiCode::ExtractionError.kind(), ErrorKind::BadData);
        assert_eq!(SbiCode::Vendor(501).kind(), ErrorKind::Other);
    }

    #[test]
    fn parses_the_string_form() {
        assert_eq!(SbiCode::parse(" 111 "), Some(SbiCode::Busy));
        assert_eq!(SbiCode::parse("0"), Some(SbiCode::Success));
        assert_eq!(SbiCode::parse("busy"), None);
    }
}
